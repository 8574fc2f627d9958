/// What `mpps doctor` concludes from a ``HostSnapshot``: findings, and where to run receivers.
package struct DoctorReport: Equatable, Sendable {
    /// The snapshot the rules read.
    package var snapshot: HostSnapshot
    /// Findings, most important first (warnings, advice, information; readings that failed last).
    package var findings: [Finding]
    /// Where to run receiving threads; nil when the topology could not be read.
    package var receiverCPUs: ReceiverCPUs?

    /// Creates a report.
    package init(snapshot: HostSnapshot, findings: [Finding], receiverCPUs: ReceiverCPUs?) {
        self.snapshot = snapshot
        self.findings = findings
        self.receiverCPUs = receiverCPUs
    }

    /// The findings with one id.
    package func findings(_ id: String) -> [Finding] { findings.filter { $0.id == id } }
}
