#if canImport(Glibc)
import Glibc
import PacketIO
import Reporting
#endif

/// Where a trial's two processes run: both on this host (loopback), or the
/// receiver in one network namespace and the sender in another (`--netns`).
package struct TrialPlace: Sendable, Equatable {
    /// The mpps executable children run (this very build).
    package var executable: String
    /// The namespace the receiver runs in, if any.
    package var receiverNamespace: String?
    /// The namespace the sender runs in, if any.
    package var senderNamespace: String?

    /// Both processes on this host.
    package init(executable: String, receiverNamespace: String? = nil, senderNamespace: String? = nil) {
        self.executable = executable
        self.receiverNamespace = receiverNamespace
        self.senderNamespace = senderNamespace
    }

    /// The argument vector that runs `mpps ARGS` in `namespace`: `ip netns exec NS mpps ARGS`.
    /// `program` is the executable's path to start, or `mpps` to show a person.
    package static func argv(_ arguments: [String], program: String, namespace: String?) -> [String] {
        (namespace.map { ["ip", "netns", "exec", $0] } ?? []) + [program] + arguments
    }
}
