import Testing
@testable import Trials
import Reporting

/// How a trial knows its receiver is ready: the first line of its JSON output.
@Suite struct PairTrialTests {
    @Test func theFirstWholeLineDecides() {
        #expect(PairTrial.readiness(of: "") == .waiting)
        #expect(PairTrial.readiness(of: #"{"type":"ready","address":"127.0"#) == .waiting, "half a line is no answer")
        let ready = #"{"type":"ready","address":"127.0.0.1:4321","threads":2}"#
        #expect(PairTrial.readiness(of: ready + "\n") == .ready(["type": "ready", "address": "127.0.0.1:4321", "threads": 2]))
        #expect(PairTrial.readiness(of: ready + "\n" + #"{"type":"interval"}"# + "\n") == .ready(JSONValue(parsing: ready)!))
        #expect(PairTrial.readiness(of: #"{"type":"interval","packets":1}"# + "\n") == .unexpected(#"{"type":"interval","packets":1}"#))
        #expect(PairTrial.readiness(of: "  0.352M pps  10.730MiB /  90.010Mb\n") == .unexpected("  0.352M pps  10.730MiB /  90.010Mb"))
    }
}
