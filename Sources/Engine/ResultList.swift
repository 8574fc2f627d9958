#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Reporting
import Synchronization

/// The threads' results, appended as each thread ends.
final class ResultList: Sendable {
    private let list = Mutex<[ReceiveResult]>([])

    func append(_ result: ReceiveResult) { list.withLock { $0.append(result) } }

    var all: [ReceiveResult] { list.withLock { $0 } }
}
