#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Reporting
import Synchronization

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
    /// Which kernel thread each sending thread is, for its CPU time.
    package let threadCPU: ThreadCPURegistry
    var threads: [NativeThread] = []
    let finished = FinishedThreads()
    /// With `--xdp`: the transmit sockets and frame templates the threads send with instead of `sockets`.
    var xdpSenders: XDPSenders?

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
        threadCPU = ThreadCPURegistry(count: options.threadCount)
        var holders: [SocketHolder] = []
        for index in 0..<options.flowCount {
            let target = options.targets[index / options.flowCountPerTarget]
            let sourcePort = options.sourcePort.map { UInt16(Int($0) + index % options.flowCountPerTarget) }
            do {
                var socket = try UDPSocket(family: target.family)
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
        if let xdp = options.xdp { xdpSenders = try Self.xdpSenders(options, xdp, sockets: holders, control: control) }
    }

    /// The local address of each flow's socket (its source port, say), by flow index; nil if unreadable.
    package func sourceAddresses() -> [SocketAddress?] {
        sockets.map { try? $0.socket.localAddress() }
    }

    /// Starts the sending threads.
    package func start() throws(RunError) {
        if let xdpSenders { return try startXDP(xdpSenders) }
        let threadCount = options.threadCount
        let stamps = options.stampsSequence && options.payload >= SequenceHeader.size
        var flowsOfThread = Array(repeating: [Int](), count: threadCount)
        for flow in 0..<options.flowCount { flowsOfThread[options.thread(ofFlow: flow)].append(flow) }
        for index in 0..<threadCount {
            let flowIndexes = flowsOfThread[index]
            let holders = flowIndexes.map { sockets[$0] }
            let flows = flowIndexes.map { SendFlow(descriptor: sockets[$0].descriptor, id: options.flowKey.flowID(index: UInt16(truncatingIfNeeded: $0))) }
            let work = SendWorker(flows: flows, batch: options.batch, payload: options.payload,
                                segments: options.segments, control: control,
                                hostTag: stamps ? HostTag.local : nil,
                                quota: options.count.map { SendOptions.share(of: $0, thread: index, threads: threadCount) },
                                rate: options.rate.map { $0 / Double(threadCount) }, slot: counters.slot(index), stop: control.flag)
            try startThread(index) { () throws(SocketError) in
                defer { withExtendedLifetime(holders) {} }
                try work.run()
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
