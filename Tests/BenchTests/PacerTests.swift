import Testing
@testable import Bench

@Suite struct PacerTests {
    @Test func burstCoversAQuarterMillisecondButNoMoreThanTheBatch() {
        #expect(Pacer(rate: 100_000, maximumBurst: 1024, start: 0).burst == 25)
        #expect(Pacer(rate: 10_000_000, maximumBurst: 1024, start: 0).burst == 1024)
        #expect(Pacer(rate: 10, maximumBurst: 1024, start: 0).burst == 1)
    }

    @Test func allowanceFollowsTheSchedule() {
        let pacer = Pacer(rate: 1000, maximumBurst: 1024, start: 1_000_000_000)
        #expect(pacer.allowance(sent: 0, now: 999_999_999) == 0)   // before the start
        #expect(pacer.allowance(sent: 0, now: 1_000_000_000) == 1)  // datagram 0 is due at the start
        #expect(pacer.allowance(sent: 1, now: 1_000_999_999) == 0)  // datagram 1 is due 1 ms later
        #expect(pacer.allowance(sent: 1, now: 1_001_000_000) == 1)
        // A late wake-up is made up, one burst at a time (burst = 1 at 1000/s).
        #expect(pacer.allowance(sent: 1, now: 1_010_000_000) == 1)
        #expect(pacer.dueTime(of: 0) == 1_000_000_000)
        #expect(pacer.dueTime(of: 250) == 1_250_000_000)
    }

    @Test func aSimulatedRunLandsOnTheRate() {
        // Drive the pacer with a fake clock that wakes exactly when told: 10 s at 100k/s.
        let pacer = Pacer(rate: 100_000, maximumBurst: 1024, start: 0)
        var now: UInt64 = 0
        var sent: UInt64 = 0
        let end: UInt64 = 10_000_000_000
        while now < end {
            let allowed = pacer.allowance(sent: sent, now: now)
            if allowed == 0 { now = pacer.dueTime(of: sent); continue }
            sent += UInt64(allowed)
        }
        #expect(sent == 1_000_000)
    }
}
