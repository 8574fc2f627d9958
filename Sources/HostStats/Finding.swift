/// One thing `mpps doctor` has to say: what it saw, and what to do about it.
package struct Finding: Equatable, Sendable {
    /// How much it matters for receiving a million packets per second.
    package enum Severity: String, Comparable, Sendable {
        /// Worth knowing; nothing to change unless it applies to you.
        case info
        /// A setting that limits throughput; changing it is worth a try.
        case advice
        /// Something that is costing packets or spreading them badly now.
        case warning

        private var rank: Int {
            switch self {
            case .info: 0
            case .advice: 1
            case .warning: 2
            }
        }

        /// Orders by importance: info < advice < warning.
        package static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    /// A stable identifier of the rule: `rss-udp4-ports-not-hashed`.
    package var id: String
    /// How much it matters.
    package var severity: Severity
    /// The interface it is about, nil for the host as a whole.
    package var interface: String?
    /// What was seen, in one line.
    package var statement: String
    /// A concrete thing to do, in one line (often a command).
    package var recommendation: String

    /// Creates a finding.
    package init(id: String, severity: Severity, interface: String? = nil, statement: String, recommendation: String) {
        self.id = id
        self.severity = severity
        self.interface = interface
        self.statement = statement
        self.recommendation = recommendation
    }
}
