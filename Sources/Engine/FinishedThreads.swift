#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Reporting
import Synchronization

/// How many sending threads have returned.
final class FinishedThreads: Sendable {
    let count = Atomic<Int>(0)
}
