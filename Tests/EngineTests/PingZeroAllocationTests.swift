import Synchronization
import Testing
import AllocationCounter
import PacketIO
@testable import Engine
import Reporting

/// Ping's loops allocate nothing per request: each loop runs against a running echo,
/// closed and open, with one flow and with three, for 50 and then 2000 requests per
/// flow, and both runs cost the same set-up. The open loop's receiving thread counts
/// its own allocations, as the sending loop on this thread does.
extension ZeroAllocationTests {
    /// A started echo on 127.0.0.1 (4 MiB of receive buffer: room for every request here).
    static func runningEcho() throws -> EchoRun {
        var options = EchoOptions()
        options.receive.address = SocketAddress(ipv4: 127, 0, 0, 1, port: 0)
        let echo = try EchoRun(options)
        try echo.start()
        return echo
    }

    /// A ping of `flows` flows on one thread, `perFlow` requests each, to `echo`: closed
    /// (`--inflight 8`) without `rate`, open at `rate` otherwise (capped at 64 in flight
    /// with one flow, so the cap's bookkeeping runs too). A reply may take 30 s.
    static func ping(_ echo: EchoRun, flows: Int, perFlow: Int, rate: Double?) throws -> PingRun {
        var options = PingOptions()
        options.target = echo.boundAddress
        options.flows = flows
        options.count = UInt64(flows * perFlow)
        options.rate = rate
        options.inflight = rate == nil ? 8 : (flows == 1 ? 64 : nil)
        options.timeoutSeconds = 30
        return try PingRun(options)
    }

    /// Expects every flow of `run` to have sent and had answered exactly `perFlow` requests.
    static func expectEveryRequestAnswered(_ run: PingRun, flows: Int, perFlow: Int) {
        for flow in 0..<flows {
            let slot = run.counters.slot(flow)
            #expect(slot.load(at: PingCount.sent.rawValue) == UInt64(perFlow), "flow \(flow)")
            #expect(slot.load(at: PingCount.replies.rawValue) == UInt64(perFlow), "flow \(flow)")
        }
    }

    /// Allocations made on this thread by the closed loop of `flows` flows.
    func closedLoopAllocations(_ echo: EchoRun, flows: Int, perFlow: Int) throws -> UInt {
        let run = try Self.ping(echo, flows: flows, perFlow: perFlow, rate: nil)
        let setups = run.setups(ofThread: 0, begin: MonotonicClock.now())
        let before = AllocationCounter_thisThread()
        let failure = flows == 1 ? ClosedLoopWorker(setup: setups[0]).run() : ClosedLoopFlows(setups: setups).run()
        let after = AllocationCounter_thisThread()
        #expect(failure == nil)
        Self.expectEveryRequestAnswered(run, flows: flows, perFlow: perFlow)
        return after - before
    }

    /// Allocations made by the open loop of `flows` flows at 50k requests/s: its sending loop on
    /// this thread, and its receiving loop on a thread of its own.
    func openLoopAllocations(_ echo: EchoRun, flows: Int, perFlow: Int) throws -> (sending: UInt, receiving: UInt) {
        let run = try Self.ping(echo, flows: flows, perFlow: perFlow, rate: 50_000)
        let setups = run.setups(ofThread: 0, begin: MonotonicClock.now() &+ 2_000_000)
        let receiving = Atomic<UInt>(0)
        let receiver = try NativeThread {
            let before = AllocationCounter_thisThread()
            let failure = flows == 1 ? OpenLoopReceiver(setup: setups[0]).run() : OpenLoopFlowsReceiver(setups: setups).run()
            receiving.store(AllocationCounter_thisThread() - before, ordering: .releasing)
            #expect(failure == nil)
        }
        let before = AllocationCounter_thisThread()
        if flows == 1 { OpenLoopSender(setup: setups[0]).run() } else { OpenLoopFlowsSender(setups: setups).run() }
        let after = AllocationCounter_thisThread()
        receiver.join()
        Self.expectEveryRequestAnswered(run, flows: flows, perFlow: perFlow)
        return (after - before, receiving.load(ordering: .acquiring))
    }

    @Test(arguments: [1, 3])
    func pingsClosedLoopAllocatesNothingPerRequest(flows: Int) throws {
        let echo = try Self.runningEcho()
        _ = try withoutFaults { try closedLoopAllocations(echo, flows: flows, perFlow: 50) }
        let few = try withoutFaults { try closedLoopAllocations(echo, flows: flows, perFlow: 50) }
        let many = try withoutFaults { try closedLoopAllocations(echo, flows: flows, perFlow: 2000) }
        #expect(few == many, "50 requests per flow allocated \(few) times, 2000 requests \(many) times")
    }

    @Test(arguments: [1, 3])
    func pingsOpenLoopAllocatesNothingPerRequest(flows: Int) throws {
        let echo = try Self.runningEcho()
        _ = try openLoopAllocations(echo, flows: flows, perFlow: 50)
        var few = (sending: UInt(0), receiving: UInt(0))
        var many = few
        _ = try withoutFaults { few = try openLoopAllocations(echo, flows: flows, perFlow: 50); return 0 }
        _ = try withoutFaults { many = try openLoopAllocations(echo, flows: flows, perFlow: 2000); return 0 }
        #expect(few.sending == many.sending, "sending 50 requests per flow allocated \(few.sending) times, 2000 \(many.sending)")
        #expect(few.receiving == many.receiving,
                "receiving 50 replies per flow allocated \(few.receiving) times, 2000 \(many.receiving)")
    }
}
