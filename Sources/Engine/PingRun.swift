import PacketIO
import Reporting
import Synchronization

/// A ping's sockets and threads: per flow (`--flows`, one per thread by default) one
/// unconnected socket (its own source port), sequence numbers, counter slot and window
/// of answered bits; per thread its flows' RTT histograms, and either one closed-loop thread or an open loop's sending
/// and receiving threads for its flows. A thread with several flows reads them through
/// non-blocking sockets and `poll` (``FlowReceiver``); one with one flow blocks in its
/// receive as before. `init` opens and binds every socket before any thread starts.
package final class PingRun: @unchecked Sendable {
    /// What was asked for.
    package let options: PingOptions
    /// One slot per flow: its counts, by ``PingCount`` (the words before the histograms).
    package let counters: WordCounters
    /// One slot per thread: its flows' RTT histograms, sums and maxima (``PingCount/words``), kept
    /// per thread so that a flow costs a few words, not two histograms.
    package let latencies: WordCounters
    /// The stop request (senders stop; receivers drain) and first failure.
    package let control: RunControl
    /// The random token this run's requests carry.
    package let token: UInt32
    /// Which kernel thread each thread is, for CPU time (senders, then receivers in an open loop).
    package let threadCPU: ThreadCPURegistry
    private let answered: WordCounters
    private let sockets: [SocketHolder]
    private var threads: [NativeThread] = []
    private let ended = Atomic<Int>(0)

    /// How often an idle receiving thread looks at the stop request and its deadlines.
    static let idleWakeMilliseconds = 20

    package init(_ options: PingOptions, control: RunControl = RunControl()) throws(RunError) {
        if let problem = options.flowProblem { throw RunError(problem, status: RunError.usage) }
        self.options = options
        self.control = control
        token = UInt32.random(in: 1...UInt32.max)
        counters = WordCounters(count: options.flowCount, words: PingCount.allCases.count)
        latencies = WordCounters(count: options.threads, words: PingCount.words)
        let window = PingTracker.windowWords(inflight: Self.mostInFlight(options))
        answered = WordCounters(count: options.flowCount, words: window)
        threadCPU = ThreadCPURegistry(count: options.threads * (options.rate == nil ? 1 : 2))
        var holders: [SocketHolder] = []
        for flow in 0..<options.flowCount {
            do {
                let socket = try UDPSocket(family: options.target.family)
                _ = try socket.setReceiveBufferSize(4 << 20)
                try socket.setReceiveTimeout(milliseconds: Self.idleWakeMilliseconds)
                try socket.setSendTimeout(milliseconds: 100)
                // A thread with several flows must not block on one of them (a full send buffer refuses at once).
                if options.flows(ofThread: flow % options.threads).count > 1 { try socket.setNonBlocking(true) }
                try socket.bind(to: .wildcard(options.target.family, port: 0))
                holders.append(SocketHolder(socket))
            } catch {
                throw RunError("cannot open a ping socket for \(options.target): \(error)")
            }
        }
        sockets = holders
    }

    /// The most requests one flow may have in flight, for the size of its window of answered bits.
    static func mostInFlight(_ options: PingOptions) -> UInt64 {
        guard let rate = options.rate else { return UInt64(options.inflight ?? 1) }
        return Units.saturating(rate / Double(options.flowCount) * options.timeoutSeconds) &+ UInt64(PingOptions.batch)
    }

    /// Starts every thread; an open loop's schedules all begin at one moment, shortly after.
    package func start() throws(RunError) {
        let begin = MonotonicClock.now() &+ 2_000_000
        for index in 0..<options.threads {
            let setups = setups(ofThread: index, begin: begin)
            let holders = options.flows(ofThread: index).map { sockets[$0] }
            let setup = setups[0]
            if options.rate == nil {
                try startThread(index, registry: index, name: "ping") {
                    withExtendedLifetime(holders) {
                        setups.count == 1 ? ClosedLoopWorker(setup: setup).run() : ClosedLoopFlows(setups: setups).run()
                    }
                }
            } else {
                try startThread(index, registry: options.threads + index, name: "receiving") {
                    withExtendedLifetime(holders) {
                        setups.count == 1 ? OpenLoopReceiver(setup: setup).run() : OpenLoopFlowsReceiver(setups: setups).run()
                    }
                }
                try startThread(index, registry: index, name: "sending") {
                    withExtendedLifetime(holders) {
                        if setups.count == 1 { OpenLoopSender(setup: setup).run() } else { OpenLoopFlowsSender(setups: setups).run() }
                    }
                    return nil
                }
            }
        }
    }

    /// What thread `index`'s loops are given for each of its flows; an open loop's schedules begin at `begin`.
    /// The sockets stay open as long as this run.
    func setups(ofThread index: Int, begin: UInt64) -> [PingFlowSetup] {
        options.flows(ofThread: index).map { flow in
            PingFlowSetup(descriptor: sockets[flow].descriptor, options: options, token: token,
                          flow: UInt16(truncatingIfNeeded: flow), quota: options.quota(of: flow),
                          schedule: options.rate.map {
                              Pacer(rate: $0 / Double(options.flowCount), maximumBurst: PingOptions.batch, start: begin)
                          },
                          slot: counters.slot(flow), latency: latencies.slot(index), answered: answered.slot(flow),
                          stop: control.flag)
        }
    }

    private func startThread(_ index: Int, registry slot: Int, name: String,
                             _ loop: @escaping @Sendable () -> SocketError?) throws(RunError) {
        let cpu = options.cpu(of: index)
        let control = self.control
        let registry = threadCPU
        do {
            threads.append(try NativeThread(pinnedTo: cpu, pinFailed: { reason in
                control.fail("cannot pin \(name) thread \(index) to CPU \(cpu ?? -1): \(reason)")
            }) { [self] in
                registry.register(slot)
                defer {
                    registry.finish(slot)
                    ended.add(1, ordering: .releasing)
                }
                if let failure = loop() { control.fail("\(name) thread \(index) failed: \(failure)") }
            })
        } catch {
            control.requestStop()
            throw RunError("cannot start \(name) thread \(index): \(error)")
        }
    }

    /// Whether every thread has ended (its count sent and its replies in, or its time up).
    package var isFinished: Bool { ended.load(ordering: .acquiring) == threads.count }

    /// Asks the senders to stop; the receivers end once their replies are in or `--timeout`
    /// passed; waits for all.
    package func stop() {
        control.requestStop()
        for thread in threads { thread.join() }
    }

    deinit { stop() }
}
