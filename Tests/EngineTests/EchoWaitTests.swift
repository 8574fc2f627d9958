import Testing
@testable import Engine

/// How an echo thread chooses between a batch call and a call for one alone.
@Suite struct EchoWaitTests {
    @Test func oneRequestFoundMakesTheNextCallWaitAlone() {
        var wait = EchoWait()
        #expect(wait.limit(64, now: 1_000) == 64)
        wait.update(received: 5, now: 2_000)
        #expect(!wait.alone)
        #expect(wait.limit(64, now: 3_000) == 64)
        wait.update(received: 1, now: 4_000)
        #expect(wait.alone)
        #expect(wait.limit(64, now: 10_000) == 1)
    }

    @Test func aCallAloneThatWaitedStaysAloneAndOneThatDidNotGoesBackToBatches() {
        var wait = EchoWait()
        wait.update(received: 1, now: 0)
        // Waited 20 µs for its request: the thread keeps waiting alone.
        #expect(wait.limit(64, now: 100_000) == 1)
        wait.update(received: 1, now: 120_000)
        #expect(wait.alone)
        // A receive timeout (nothing came) changes nothing.
        #expect(wait.limit(64, now: 200_000) == 1)
        wait.update(received: 0, now: 200_001)
        #expect(wait.alone)
        // Back within the bound: the request was queued, so more may be.
        #expect(wait.limit(64, now: 300_000) == 1)
        wait.update(received: 1, now: 300_000 + EchoWait.queuedWithin - 1)
        #expect(!wait.alone)
        #expect(wait.limit(64, now: 400_000) == 64)
        // Exactly at the bound counts as having waited.
        wait.update(received: 1, now: 400_001)
        #expect(wait.limit(64, now: 500_000) == 1)
        wait.update(received: 1, now: 500_000 + EchoWait.queuedWithin)
        #expect(wait.alone)
    }
}
