import Testing
@testable import Engine
import Reporting

@Suite struct PacerTests {
    @Test func burstCoversAQuarterMillisecondButNoMoreThanTheBatch() {
        #expect(Pacer(rate: 100_000, maximumBurst: 1024, start: 0).burst == 25)
        #expect(Pacer(rate: 10_000_000, maximumBurst: 1024, start: 0).burst == 1024)
        #expect(Pacer(rate: 10, maximumBurst: 1024, start: 0).burst == 1)
    }

    @Test func extremeRatesAndCountsSaturateInsteadOfTrapping() {
        // Int(rate × window) and UInt64(sent × 1e9 / rate) trapped here before.
        #expect(Pacer(rate: 1e300, maximumBurst: 1024, start: 0).burst == 1024)
        let slow = Pacer(rate: 1, maximumBurst: 1024, start: 5)
        #expect(slow.dueTime(of: .max) == .max)
        #expect(slow.wakeTime(sent: .max - 1, wanted: 1) == .max)
        let fast = Pacer(rate: 1e300, maximumBurst: 1024, start: 0)
        #expect(fast.allowance(sent: 0, now: 1_000) == 1024)
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

    @Test func aSenderWakesForAWholeBurst() {
        let pacer = Pacer(rate: 100_000, maximumBurst: 1024, start: 0)  // bursts of 25, 10 µs apart
        #expect(pacer.wakeTime(sent: 25, wanted: 1000) == 490_000)      // datagram 49 is due at 490 µs
        #expect(pacer.release(sent: 25, wanted: 1000, now: 490_000) == 25)
        // One datagram short of a burst: nothing yet, though 24 are due.
        #expect(pacer.allowance(sent: 25, now: 489_999) == 24)
        #expect(pacer.release(sent: 25, wanted: 1000, now: 489_999) == 0)
        // The last few of a quota go as soon as they are all due.
        #expect(pacer.wakeTime(sent: 25, wanted: 3) == 270_000)
        #expect(pacer.release(sent: 25, wanted: 3, now: 270_000) == 3)
        #expect(pacer.release(sent: 25, wanted: 3, now: 269_999) == 0)
    }

    @Test func aSimulatedRunLandsOnTheRate() {
        // Drive the pacer with a fake clock that wakes exactly when told: 10 s at 100k/s.
        let pacer = Pacer(rate: 100_000, maximumBurst: 1024, start: 0)
        var now: UInt64 = 0
        var sent: UInt64 = 0
        var wakeUps = 0
        let end: UInt64 = 10_000_000_000
        while now < end {
            let released = pacer.release(sent: sent, wanted: 1024, now: now)
            if released == 0 { now = pacer.wakeTime(sent: sent, wanted: 1024); wakeUps += 1; continue }
            #expect(released == 25)
            sent += UInt64(released)
        }
        // On schedule to within the one burst still pending at the end.
        #expect(sent > 1_000_000 - 25 && sent <= 1_000_000, "\(sent)")
        #expect(wakeUps == 40_001, "\(wakeUps)")  // one per burst of 25, and one past the end
    }
}
