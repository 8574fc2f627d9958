import PacketIO
import Reporting
import Synchronization

/// A ping's sockets and threads: per `--threads`, one unconnected socket (its own
/// source port) and either one closed-loop thread or an open loop's sending and
/// receiving threads. `init` opens and binds every socket before any thread starts.
package final class PingRun: @unchecked Sendable {
    /// What was asked for.
    package let options: PingOptions
    /// One slot per ping thread, by ``PingCount``.
    package let counters: WordCounters
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
        self.options = options
        self.control = control
        token = UInt32.random(in: 1...UInt32.max)
        counters = WordCounters(count: options.threads, words: PingCount.words)
        let window = PingTracker.windowWords(inflight: Self.mostInFlight(options))
        answered = WordCounters(count: options.threads, words: window)
        threadCPU = ThreadCPURegistry(count: options.threads * (options.rate == nil ? 1 : 2))
        var holders: [SocketHolder] = []
        for _ in 0..<options.threads {
            do {
                let socket = try UDPSocket(family: options.target.family)
                _ = try socket.setReceiveBufferSize(4 << 20)
                try socket.setReceiveTimeout(milliseconds: Self.idleWakeMilliseconds)
                try socket.setSendTimeout(milliseconds: 100)
                try socket.bind(to: .wildcard(options.target.family, port: 0))
                holders.append(SocketHolder(socket))
            } catch {
                throw RunError("cannot open a ping socket for \(options.target): \(error)")
            }
        }
        sockets = holders
    }

    /// The most requests one thread may have in flight, for the size of its window of answered bits.
    static func mostInFlight(_ options: PingOptions) -> UInt64 {
        guard let rate = options.rate else { return UInt64(options.inflight ?? 1) }
        return Units.saturating(rate / Double(options.threads) * options.timeoutSeconds) &+ UInt64(PingOptions.batch)
    }

    /// Starts every thread; an open loop's schedules all begin at one moment, shortly after.
    package func start() throws(RunError) {
        let begin = MonotonicClock.now() &+ 2_000_000
        for index in 0..<options.threads {
            let schedule = options.rate.map { Pacer(rate: $0 / Double(options.threads), maximumBurst: PingOptions.batch, start: begin) }
            let setup = PingThreadSetup(descriptor: sockets[index].descriptor, options: options, token: token,
                                        thread: UInt16(truncatingIfNeeded: index), quota: options.quota(of: index),
                                        schedule: schedule, slot: counters.slot(index), answered: answered.slot(index),
                                        stop: control.flag)
            let holder = sockets[index]
            if options.rate == nil {
                try startThread(index, registry: index, name: "ping") {
                    withExtendedLifetime(holder) { ClosedLoopWorker(setup: setup).run() }
                }
            } else {
                try startThread(index, registry: options.threads + index, name: "receiving") {
                    withExtendedLifetime(holder) { OpenLoopReceiver(setup: setup).run() }
                }
                try startThread(index, registry: index, name: "sending") {
                    withExtendedLifetime(holder) { OpenLoopSender(setup: setup).run() }
                    return nil
                }
            }
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
