/// Whether netfilter's connection tracking is loaded, which makes every packet of
/// every flow it sees pay a table lookup (the article exempts its port with a NOTRACK rule).
package struct ConntrackState: Equatable, Sendable {
    /// True when loaded, false when no sign of it was found.
    package var loaded: Bool
    /// The connections tracked now (`nf_conntrack_count`), when readable.
    package var entries: Int?
    /// What showed it: `/proc/sys/net/netfilter/nf_conntrack_count`, `/proc/net/nf_conntrack`
    /// or `nf_conntrack in /proc/modules`; empty when not loaded.
    package var evidence: String

    /// Creates a state.
    package init(loaded: Bool, entries: Int?, evidence: String) {
        self.loaded = loaded
        self.entries = entries
        self.evidence = evidence
    }

    /// True when a line of `/proc/modules` text names the `nf_conntrack` module.
    package static func modulesListConntrack(_ modules: String) -> Bool {
        modules.split(separator: "\n").contains { $0.hasPrefix("nf_conntrack ") }
    }

    /// Looks for conntrack under `files`' root: the count sysctl, the table in /proc, then
    /// /proc/modules (the module may be loaded in a namespace-less way the others miss).
    package static func read(_ files: HostFiles = HostFiles()) -> ConntrackState {
        let countPath = "/proc/sys/net/netfilter/nf_conntrack_count"
        if files.exists(countPath) {
            return ConntrackState(loaded: true, entries: try? files.integer(countPath), evidence: countPath)
        }
        if files.exists("/proc/net/nf_conntrack") {
            return ConntrackState(loaded: true, entries: nil, evidence: "/proc/net/nf_conntrack")
        }
        if let modules = try? files.read("/proc/modules"), modulesListConntrack(modules) {
            return ConntrackState(loaded: true, entries: nil, evidence: "nf_conntrack in /proc/modules")
        }
        return ConntrackState(loaded: false, entries: nil, evidence: "")
    }
}
