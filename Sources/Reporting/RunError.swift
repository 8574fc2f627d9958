#if canImport(Glibc)
import Glibc
#endif
import PacketIO

/// A run that cannot start or cannot go on: one line for a person, and the
/// exit status (sysexits style: 64 for a usage error, 1 for a runtime error).
package struct RunError: Error, Equatable, CustomStringConvertible, Sendable {
    /// What was wrong and what to do about it.
    package let description: String
    /// The process exit status this error calls for.
    package let status: Int32

    /// `EX_USAGE`: the command line was wrong.
    package static let usage: Int32 = 64
    /// A runtime failure.
    package static let runtime: Int32 = 1

    /// Creates an error.
    package init(_ description: String, status: Int32 = RunError.runtime) {
        self.description = description
        self.status = status
    }

    /// Explains a failed `bind` of a receiving socket.
    package static func bindFailed(_ error: SocketError, address: SocketAddress, reusePort: Bool) -> RunError {
        let prefix = "cannot listen on \(address)"
        switch error.code {
        case EADDRINUSE:
            let hint = reusePort
                ? "another program holds it without SO_REUSEPORT, or as another user: stop it, or choose another port"
                : "another program holds it: give every receiver --reuseport, or choose another port"
            return RunError("\(prefix): address already in use (\(hint))")
        case EACCES:
            return RunError("\(prefix): permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE: choose a port of 1024 or more)")
        case EADDRNOTAVAIL:
            return RunError("\(prefix): no local interface has that address (use 0.0.0.0, 127.0.0.1, or an address 'ip addr' lists)")
        default:
            return RunError("\(prefix): \(error)")
        }
    }

    /// Explains a failed set-up step on a sending socket.
    package static func sendSetupFailed(_ error: SocketError, target: SocketAddress, sourcePort: UInt16?) -> RunError {
        if "\(error.operation)" == "bind", let sourcePort {
            if error.code == EADDRINUSE {
                return RunError("cannot send from source port \(sourcePort): address already in use (choose another --src-port, or leave it out)")
            }
            if error.code == EACCES {
                return RunError("cannot send from source port \(sourcePort): permission denied (ports below 1024 need root: choose a port of 1024 or more)")
            }
        }
        if error.code == ENETUNREACH || error.code == EADDRNOTAVAIL {
            return RunError("cannot send to \(target): \(error.reason) (is the address reachable from this host?)")
        }
        return RunError("cannot send to \(target): \(error)")
    }
}
