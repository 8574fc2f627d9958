#if canImport(Glibc)
import Glibc
import PacketIO
import Reporting
#endif

/// How a child process ended.
package enum ExitStatus: Equatable, Sendable, CustomStringConvertible {
    /// It called `exit` with this status.
    case exited(Int32)
    /// This signal ended it.
    case signaled(Int32)

    /// Decodes a `waitpid` status (the `WIFEXITED`/`WEXITSTATUS` macros Swift cannot import).
    init(waitStatus: Int32) {
        let signal = waitStatus & 0x7f
        self = signal == 0 ? .exited((waitStatus >> 8) & 0xff) : .signaled(signal)
    }

    package var description: String {
        switch self {
        case .exited(let status): return "exit status \(status)"
        case .signaled(let signal): return "signal \(signal)"
        }
    }
}
