import Testing
import Reporting

/// A ping's lost requests by cause: with the echo's counts (`--server`) the ones it
/// explains come out of the never answered, never more than those, and the account closes.
@Suite struct PingLossTests {
    /// 100 sent: 2 refused, 80 replies, 3 late, so 15 never answered before the echo's counts.
    static func summary(echoLosses: UInt64?) -> PingSummary {
        var words = [UInt64](repeating: 0, count: PingCount.words)
        words[PingCount.sent.rawValue] = 100
        words[PingCount.sendErrors.rawValue] = 2
        words[PingCount.replies.rawValue] = 80
        words[PingCount.late.rawValue] = 3
        return PingSummary(totals: PingTotals(slots: [words]), mode: "open", seconds: 1, reason: .count, cpu: nil,
                           echoLosses: echoLosses)
    }

    @Test func withoutAnEchoNothingIsLostThere() {
        let loss = Self.summary(echoLosses: nil).loss
        #expect(loss == PingLoss(sendErrors: 2, late: 3, atEcho: nil, neverAnswered: 15))
        #expect(loss.json.rendered == #"{"total":20,"send_errors":2,"late":3,"never_answered":15}"#)
        #expect(loss.text == "20 lost (send errors 2, late 3, never answered 15)")
    }

    /// The echo's gaps beyond its socket's drops come out of what is left after `at_echo`, never more.
    @Test(arguments: [(UInt64(4), UInt64(6), UInt64(4), UInt64(6), UInt64(5)), (10, 10, 10, 5, 0), (20, 0, 15, 0, 0)])
    func theEchosGapsExplainWhatIsLeft(echo: UInt64, gaps: UInt64, atEcho: UInt64, before: UInt64, never: UInt64) {
        var summary = Self.summary(echoLosses: echo)
        summary.echoLostBefore = gaps
        let loss = summary.loss
        #expect(loss == PingLoss(sendErrors: 2, late: 3, beforeEcho: before, atEcho: atEcho, neverAnswered: never))
        #expect(summary.totals[.replies] + loss.total == summary.totals[.sent])
        #expect(loss.json.rendered == #"{"total":20,"send_errors":2,"late":3,"before_echo":\#(before),"at_echo":\#(atEcho),"never_answered":\#(never)}"#)
        #expect(loss.text == "20 lost (send errors 2, late 3, before the echo \(before), at the echo \(atEcho), never answered \(never))")
    }

    @Test(arguments: [(0, 0, 15), (10, 10, 5), (15, 15, 0), (40, 15, 0), (UInt64.max, 15, 0)])
    func theEchosCountsExplainAtMostTheUnanswered(echo: UInt64, atEcho: UInt64, never: UInt64) {
        let summary = Self.summary(echoLosses: echo)
        let loss = summary.loss
        #expect(loss == PingLoss(sendErrors: 2, late: 3, atEcho: atEcho, neverAnswered: never))
        #expect(summary.totals[.replies] + loss.total == summary.totals[.sent])
        #expect(loss.json.rendered == #"{"total":20,"send_errors":2,"late":3,"at_echo":\#(atEcho),"never_answered":\#(never)}"#)
        #expect(loss.text == "20 lost (send errors 2, late 3, at the echo \(atEcho), never answered \(never))")
        #expect(summary.text.hasPrefix("ping: 100 sent = 80 replies + 20 lost (send errors 2, late 3, at the echo \(atEcho), "))
    }
}
