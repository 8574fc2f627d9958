import Testing
import Reporting
@testable import Trials

/// Inputs on which a fuzz target (Fuzz/Targets) crashed, kept as tests once fixed: a
/// child's summary line is untrusted, and sums and conversions of its numbers trapped.
/// Fuzz/README.md says how a crash becomes one of these.
@Suite struct FuzzRegressionTests {
    let sender = JSONValue(parsing: #"{"type":"summary","packets":1,"seconds":1}"#)!

    func measurement(_ receiver: String) throws -> TrialMeasurement {
        try TrialMeasurement.parse(receiver: #require(JSONValue(parsing: receiver)), sender: sender).get()
    }

    /// Fuzz/Targets/TrialMeasurement.swift: two CPUs' backlog drops summed past UInt64.max.
    @Test func backlogDropsSaturate() throws {
        let m = try measurement(#"{"type":"summary","packets":1,"softnet":[{"dropped":17000000000000000000},{"dropped":17000000000000000000}]}"#)
        #expect(m.drops.backlog == .max)
    }

    /// Fuzz/Targets/TrialMeasurement.swift: threads' counts summed past UInt64.max for their shares.
    @Test func threadSharesOfHugeCounts() throws {
        let m = try measurement(#"{"type":"summary","packets":1,"threads":[17000000000000000000,17000000000000000000]}"#)
        #expect(m.shares.count == 2)
        #expect(m.sharesInWords == "92/92")
    }

    /// Fuzz/Targets/TrialMeasurement.swift: an incoming CPU of 1e300 trapped converting to Int;
    /// numbers that are no CPU are left out.
    @Test func incomingCPUsBeyondInt() throws {
        #expect(try measurement(#"{"type":"summary","packets":1,"incoming_cpus":[1e300]}"#).incomingCPUsInWords == nil)
        #expect(try measurement(#"{"type":"summary","packets":1,"incoming_cpus":[1e300,2,-1,1.5]}"#).incomingCPUsInWords == "2/?/1")
    }
}
