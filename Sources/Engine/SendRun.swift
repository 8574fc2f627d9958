#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Reporting
import Synchronization

/// How to send: what `mpps send` and `udpsender` take from their command lines.
package struct SendOptions: Sendable {
    /// Where to send; each target gets its own threads and connected sockets.
    package var targets = [SocketAddress(ipv4: 127, 0, 0, 1, port: 4321)]
    /// Sending threads per target.
    package var threadsPerTarget = 1
    /// Flows per target: connected sockets, each with its own source port and flow id,
    /// so that SO_REUSEPORT and RSS hashes can spread them. Flow `j` of a target is
    /// sent by that target's thread `j % threadsPerTarget`. nil: one per thread.
    package var flowsPerTarget: Int? = nil
    /// Bind the sending sockets to source ports from this one (the article uses 65400):
    /// flow `j` of every target uses port `sourcePort + j`. nil lets the kernel choose.
    package var sourcePort: UInt16? = nil
    /// UDP payload bytes per datagram.
    package var payload = 32
    /// Datagrams per `sendmmsg` call (with ``segments`` > 1, a call carries
    /// `batch / segments` messages of `segments` datagrams, at least one).
    package var batch = 1024
    /// Datagrams per message with UDP GSO; 1 sends each datagram as its own message.
    package var segments = 1
    /// CPUs to pin thread `i` to (`cpus[i % count]`); nil leaves threads unpinned.
    package var cpus: CPUList? = nil
    /// Send exactly this many datagrams in total, then stop; nil for no limit.
    package var count: UInt64? = nil
    /// Total datagrams per second over all threads; nil sends as fast as possible.
    package var rate: Double? = nil
    /// Write a ``PacketIO/SequenceHeader`` into each payload of 16 bytes or more,
    /// and end each flow with end-of-flow datagrams; false sends all-zero payloads.
    package var stampsSequence = true
    /// Flow ids are this plus the flow's index in the run: random per run, so that
    /// two senders to one receiver do not share flow ids.
    package var flowBase = UInt32.random(in: 0...UInt32.max)

    /// The defaults of `mpps send`.
    package init() {}

    /// The number of sending threads.
    package var threadCount: Int { targets.count * threadsPerTarget }

    /// Flows per target as they will be: ``flowsPerTarget``, or one per thread.
    package var flowCountPerTarget: Int { flowsPerTarget ?? threadsPerTarget }

    /// The number of flows, each a connected socket.
    package var flowCount: Int { targets.count * flowCountPerTarget }

    /// Why the flows cannot be set up as asked, in one line; nil when they can.
    package var flowProblem: String? {
        let flows = flowCountPerTarget
        if flows < threadsPerTarget {
            return "--flows \(flows) is fewer than --threads \(threadsPerTarget): every sending thread needs a flow of its own"
        }
        if let port = sourcePort, Int(port) + flows - 1 > 65535 {
            return "--src-port \(port) with --flows \(flows) needs ports up to \(Int(port) + flows - 1), beyond 65535: "
                + "use --src-port \(65536 - flows) or lower, or fewer flows"
        }
        return nil
    }

    /// The thread that sends flow `flow` (0..<``flowCount``): flows of target `t`
    /// go round-robin to that target's threads.
    package func thread(ofFlow flow: Int) -> Int {
        let target = flow / flowCountPerTarget
        return target * threadsPerTarget + flow % flowCountPerTarget % threadsPerTarget
    }

    /// Thread `index`'s part of `total`: an even split, the remainder to the first threads.
    package static func share(of total: UInt64, thread index: Int, threads: Int) -> UInt64 {
        let count = UInt64(threads)
        return total / count + (UInt64(index) < total % count ? 1 : 0)
    }
}

/// Connected sockets (one per flow) and threads sending on them, counting what
/// the kernel accepted.
///
/// `init` opens, binds and connects every socket, so a bad target is reported
/// before any thread starts; ``start()`` starts the threads; ``stop()`` asks them
/// to finish and joins them; ``isFinished`` tells when all have finished a count.
package final class SendRun: @unchecked Sendable {
    /// What was asked for.
    package let options: SendOptions
    /// One slot per thread.
    package let counters: ThreadCounters
    /// The stop request and first failure.
    package let control: RunControl

    private let sockets: [SocketHolder]
    private var threads: [NativeThread] = []
    private let finished = FinishedThreads()

    /// How long a blocked send waits before checking for a stop request.
    static let blockedWakeMilliseconds = 100

    /// Opens and connects one socket per flow.
    package init(_ options: SendOptions, control: RunControl = RunControl()) throws(RunError) {
        var options = options
        if let problem = options.flowProblem { throw RunError(problem, status: RunError.usage) }
        if options.segments > 1 && !Offload.segmentationSupported {
            control.notice("mpps: this kernel refuses UDP GSO (setsockopt(UDP_SEGMENT), Linux 4.18 or later): sending one datagram per message")
            options.segments = 1
        }
        self.options = options
        self.control = control
        counters = ThreadCounters(count: options.threadCount)
        var holders: [SocketHolder] = []
        for index in 0..<options.flowCount {
            let target = options.targets[index / options.flowCountPerTarget]
            let sourcePort = options.sourcePort.map { UInt16(Int($0) + index % options.flowCountPerTarget) }
            do {
                let socket = try UDPSocket(family: target.family)
                try socket.setSendTimeout(milliseconds: Self.blockedWakeMilliseconds)
                if let port = sourcePort {
                    // Flows to different targets share source ports, which sockets may only as a reuseport group.
                    try socket.setReusePort(true)
                    try socket.bind(to: .wildcard(target.family, port: port))
                }
                try socket.connect(to: target)
                if options.segments > 1 { try socket.setSegmentSize(options.payload) }
                holders.append(SocketHolder(socket))
            } catch {
                throw RunError.sendSetupFailed(error, target: target, sourcePort: sourcePort)
            }
        }
        sockets = holders
    }

    /// The local address of each flow's socket (its source port, say), by flow index; nil if unreadable.
    package func sourceAddresses() -> [SocketAddress?] {
        sockets.map { try? $0.socket.localAddress() }
    }

    /// Starts the sending threads.
    package func start() throws(RunError) {
        let threadCount = options.threadCount
        let stamps = options.stampsSequence && options.payload >= SequenceHeader.size
        var flowsOfThread = Array(repeating: [Int](), count: threadCount)
        for flow in 0..<options.flowCount { flowsOfThread[options.thread(ofFlow: flow)].append(flow) }
        for index in 0..<threadCount {
            let flowIndexes = flowsOfThread[index]
            let holders = flowIndexes.map { sockets[$0] }
            let flows = flowIndexes.map { SendFlow(descriptor: sockets[$0].descriptor, id: options.flowBase &+ UInt32($0)) }
            let cpu = options.cpus.map { $0.cpus[index % $0.cpus.count] }
            let work = SendWork(flows: flows, batch: options.batch, payload: options.payload,
                                segments: options.segments, control: control,
                                hostTag: stamps ? HostTag.local : nil,
                                quota: options.count.map { SendOptions.share(of: $0, thread: index, threads: threadCount) },
                                rate: options.rate.map { $0 / Double(threadCount) }, slot: counters.slot(index), stop: control.flag)
            let control = self.control
            let finished = self.finished
            do {
                threads.append(try NativeThread(pinnedTo: cpu, pinFailed: { reason in
                    control.fail("cannot pin sending thread \(index) to CPU \(cpu ?? -1): \(reason)")
                    finished.count.add(1, ordering: .releasing)
                }) {
                    defer { finished.count.add(1, ordering: .releasing) }
                    do { try work.run() } catch { control.fail("sending thread \(index) failed: \(error)") }
                    withExtendedLifetime(holders) {}
                })
            } catch {
                control.requestStop()
                throw RunError("cannot start sending thread \(index): \(error)")
            }
        }
    }

    /// True when every thread has returned (its quota sent, a stop, or a failure).
    package var isFinished: Bool { finished.count.load(ordering: .acquiring) == threads.count }

    /// Asks the threads to stop and waits for them.
    package func stop() {
        control.requestStop()
        for thread in threads { thread.join() }
    }

    deinit { stop() }
}

/// How many sending threads have returned.
final class FinishedThreads: Sendable {
    let count = Atomic<Int>(0)
}
