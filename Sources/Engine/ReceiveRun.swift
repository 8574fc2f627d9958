#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Reporting
import Synchronization

/// Sockets bound and threads receiving on them, counting into ``counters``.
///
/// `init` opens and binds every socket, so a bad address or a busy port is
/// reported before any thread starts; ``start()`` starts the threads; ``stop()``
/// asks them to finish and joins them.
package final class ReceiveRun: @unchecked Sendable {
    /// What was asked for.
    package let options: ReceiveOptions
    /// One slot per thread.
    package let counters: ThreadCounters
    /// One slot per thread: sequence totals and latencies, readable while the run goes on.
    package let sequenceCounters: SequenceCounters
    /// The host readings the monitor took: the first and the latest (for /metrics).
    package let hostReadings = PublishedHostReadings()
    /// The stop request and first failure.
    package let control: RunControl
    /// The address actually bound (the kernel's choice when port 0 was asked).
    package let boundAddress: SocketAddress
    /// The receive buffer the kernel granted each socket (`getsockopt(SO_RCVBUF)`).
    package let grantedReceiveBuffer: Int
    /// The CPU each thread is pinned to, by thread index; nil when unpinned.
    package let threadCPUs: [Int]?

    private let sockets: [SocketHolder]
    /// With `--xdp`: the program and the AF_XDP sockets, used instead of ``sockets``.
    private let xdp: XDPReceivers?
    private var threads: [NativeThread] = []
    private let results = ResultList()
    /// Which kernel thread each receiving thread is, for its CPU time.
    package let threadCPU: ThreadCPURegistry

    /// How often a receiving thread with no traffic checks for a stop request.
    static let idleWakeMilliseconds = 100

    /// Opens and binds the sockets, then attaches the steering program to the group.
    package init(_ options: ReceiveOptions, control: RunControl = RunControl()) throws(RunError) {
        var options = options
        if let problem = options.steeringProblem { throw RunError(problem, status: RunError.usage) }
        if options.coalescing && !Offload.receiveCoalescingSupported {
            control.notice("mpps: this kernel refuses UDP GRO (setsockopt(UDP_GRO), Linux 5.0 or later): receiving without it")
            options.coalescing = false
        }
        self.control = control
        counters = ThreadCounters(count: options.threads)
        sequenceCounters = SequenceCounters(count: options.threads)
        threadCPU = ThreadCPURegistry(count: options.threads)
        if let xdpOptions = options.xdp {
            let receivers = try XDPReceivers(options, xdpOptions, control: control)
            options.xdp?.zeroCopy = receivers.zeroCopy
            xdp = receivers
            threadCPUs = options.threadCPUs
            self.options = options
            sockets = []
            boundAddress = options.address
            grantedReceiveBuffer = 0
            return
        }
        xdp = nil
        var holders: [SocketHolder] = []
        var address = options.address
        var granted = 0
        for _ in 0..<(options.reusePort ? options.threads : 1) {
            let socket = try Self.openSocket(options, address: address)
            do {
                granted = try socket.receiveBufferSize
                // Later sockets of a reuseport group must join the port the first one got.
                address = try socket.localAddress()
            } catch {
                throw RunError("cannot read a receiving socket's settings: \(error)")
            }
            holders.append(SocketHolder(socket))
        }
        threadCPUs = options.threadCPUs
        if let steering = options.reusePortSteering {
            // After every bind, so the group's indexes are the threads' indexes.
            do {
                try steering.attach(descriptor: holders[0].descriptor, groupSize: holders.count)
            } catch {
                control.notice("mpps: the kernel refused to steer the SO_REUSEPORT group by \(steering) (\(error); Linux 4.5 or later): "
                    + "the kernel's 4-tuple hash spreads the datagrams instead")
                options.steering = .hash
            }
        }
        self.options = options
        sockets = holders
        boundAddress = address
        grantedReceiveBuffer = granted
    }

    /// Opens, sets up and binds one receiving socket as `options` ask (`mpps echo` uses it too).
    static func openSocket(_ options: ReceiveOptions, address: SocketAddress) throws(RunError) -> UDPSocket {
        let socket: UDPSocket
        do {
            socket = try UDPSocket(family: address.family)
        } catch {
            throw RunError("cannot open a receiving socket: \(error)")
        }
        do {
            if options.reusePort { try socket.setReusePort(true) }
            if let size = options.receiveBuffer { try socket.setReceiveBufferSize(size) }
            if options.coalescing { try socket.setReceiveCoalescing(true) }
            try socket.setReceiveTimeout(milliseconds: idleWakeMilliseconds)
        } catch {
            throw RunError("cannot set up a receiving socket: \(error)")
        }
        do {
            try socket.bind(to: address)
        } catch {
            throw RunError.bindFailed(error, address: address, reusePort: options.reusePort)
        }
        return socket
    }

    /// Starts one receiving thread per ``ReceiveOptions/threads`` and returns
    /// once each has pinned itself and allocated its batch, so that traffic sent
    /// after this returns meets a thread that is reading.
    package func start() throws(RunError) {
        let latch = StartLatch()
        for index in 0..<options.threads {
            if let xdp {
                let work = XDPReceiveWorker(socket: xdp.sockets[index], batch: options.batch, port: options.address.port,
                                            latch: latch, limit: options.count, slot: counters.slot(index),
                                            stop: control.flag, total: control.sharedTotal, flowKeys: options.flowKeys,
                                            pauseNanoseconds: UInt64(options.moderation) * 1000,
                                            sequenceSlot: sequenceCounters.slot(index))
                try startThread(index, latch: latch) { work.run() }
            } else {
                let holder = sockets[index % sockets.count]
                let work = ReceiveWorker(descriptor: holder.descriptor, batch: options.batch, latch: latch,
                                       slotSize: options.coalescing ? ReceiveBatch.coalescedSlotSize : options.slotSize,
                                       coalescing: options.coalescing,
                                       pauseNanoseconds: UInt64(options.moderation) * 1000,
                                       limit: options.count, slot: counters.slot(index),
                                       sequenceSlot: sequenceCounters.slot(index),
                                       stop: control.flag, total: control.sharedTotal, flowKeys: options.flowKeys)
                // The holder lives as long as the thread reads its descriptor.
                try startThread(index, latch: latch) { withExtendedLifetime(holder) { work.run() } }
            }
        }
        _ = latch.wait(for: options.threads, seconds: 10)
    }

    /// Starts receiving thread `index` on its CPU: it registers for its CPU time,
    /// runs `loop`, and keeps its counts and flows in the results even when the
    /// loop failed (the failure then ends the run).
    private func startThread(_ index: Int, latch: StartLatch,
                             _ loop: @escaping @Sendable () -> (result: ReceiveResult, failure: SocketError?)) throws(RunError) {
        let cpu = threadCPUs?[index]
        let control = self.control
        let results = self.results
        let registry = threadCPU
        do {
            threads.append(try NativeThread(pinnedTo: cpu, pinFailed: { reason in
                control.fail("cannot pin receiving thread \(index) to CPU \(cpu ?? -1): \(reason)")
                latch.arrive()
            }) {
                // Registered before it reads, so the latch's "ready" means its CPU time is known too.
                registry.register(index)
                defer { registry.finish(index) }
                let (result, failure) = loop()
                results.append(result)
                if let failure { control.fail("receiving thread \(index) failed: \(failure)") }
            })
        } catch {
            control.requestStop()
            throw RunError("cannot start receiving thread \(index): \(error)")
        }
    }

    /// The AF_XDP sockets' drop counters so far, summed; nil without `--xdp` or if unreadable.
    package func xdpStatistics() -> XDPStatistics? {
        xdp?.statistics()
    }

    /// Datagrams the kernel dropped at this run's sockets so far (SO_MEMINFO, or with
    /// `--xdp` the AF_XDP sockets' lost frames), summed; nil if unreadable.
    package func socketDrops() -> UInt64? {
        if let xdp { return xdp.statistics()?.lostFrames }
        var total: UInt64 = 0
        for holder in sockets {
            guard let drops = try? UDPSocket.dropCount(descriptor: holder.descriptor) else { return nil }
            total += drops
        }
        return total
    }

    /// Bytes waiting in this run's sockets' receive queues, summed; nil if unreadable.
    package func queuedBytes() -> UInt64? {
        var total: UInt64 = 0
        for holder in sockets {
            guard let bytes = try? UDPSocket.queuedBytes(descriptor: holder.descriptor) else { return nil }
            total = total.addingSaturating(bytes)
        }
        return total
    }

    /// Each socket's `SO_INCOMING_CPU`, in bind order (the group's index): the CPU
    /// that last delivered to it, -1 when unknown (Linux records it for connected
    /// UDP sockets only, so a receiver's sockets usually say -1).
    package func incomingCPUs() -> [Int] {
        sockets.map { (try? UDPSocket.incomingCPU(descriptor: $0.descriptor)) ?? -1 }
    }

    /// Reads the host's counters and this run's socket drops (and with
    /// `interface`, that interface's), for the monitor.
    package func sampler(interface: String? = nil) -> HostSampler {
        HostSampler(socketDrops: { [self] in socketDrops() }, xdp: xdp == nil ? nil : { [self] in xdpStatistics() },
                    interface: interface, published: hostReadings)
    }

    /// Reads every CPU's shares and the receiving threads' CPU time, for the monitor.
    package var cpuSampler: CPUSampler { CPUSampler(registry: threadCPU) }

    /// What the threads saw of flows and latencies, merged: complete once ``stop()`` returned.
    package func sequenceReport() -> SequenceReport {
        SequenceReport(results.all)
    }

    /// Asks the threads to stop and waits for them: each socket is shut down for reading,
    /// so a thread blocked in a receive wakes at once and reads what was queued before it
    /// ends (``ReceiveWorker/run()``). AF_XDP threads see the request within about 100 ms,
    /// and then take what their rings hold (``XDPReceiveWorker/run()``).
    package func stop() {
        control.requestStop()
        for holder in sockets { try? holder.socket.shutdownReceiving() }
        for thread in threads { thread.join() }
    }

    deinit { stop() }
}
