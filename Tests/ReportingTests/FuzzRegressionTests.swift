import Testing
@testable import Reporting

/// Inputs on which a fuzz target (Fuzz/Targets) crashed, kept as tests. Fuzz/README.md
/// says how a crash becomes one of these.
@Suite struct FuzzRegressionTests {
    /// Fuzz/Targets/TrialMeasurement.swift: the counts come from a child's JSON summary,
    /// so any UInt64 below 1.8e19 can arrive. `received + lost` overflows
    /// (LossAccount.countedTwice) when the receiver claims nearly 2⁶⁴ datagrams.
    @Test
    func countedTwiceWithHugeCounts() {
        let account = LossAccount(sent: 0, received: .max, sequenceLost: 1)
        #expect(account.lost == 1)
        #expect(account.countedTwice == .max)
    }

    /// As above: a summary with socket_drops near 2⁶⁴ and a backlog drop overflows
    /// `socket + backlogDrops` (LossAccount.lostElsewhere, and so causes and causesInWords,
    /// which lab and ndr print for every trial).
    @Test
    func lostElsewhereWithHugeDropCounts() {
        let account = LossAccount(sent: 10, received: 0, socketDrops: .max, backlogDrops: 1)
        #expect(account.lostElsewhere == 0)
        #expect(account.causesInWords.contains("at the socket"))
    }

    /// Found reading HostDelta while writing the targets (no target reaches it yet: the
    /// monitor's sampling is not fuzzed): /proc/net/snmp deltas of RcvbufErrors and
    /// MemErrors near 2⁶⁴ overflow their sum in HostDelta.otherErrors.
    @Test
    func otherErrorsWithHugeCounters() {
        var delta = HostDelta()
        delta.rcvbufErrors = .max
        delta.memErrors = 1
        delta.inErrors = 5
        #expect(delta.otherErrors == 0)
    }
}
