import PacketIO
import Reporting

/// An echo's sockets bound and its threads answering on them, counting into ``counters``.
///
/// The sockets are a receiver's (``ReceiveRun``'s set-up: one shared socket, or one
/// SO_REUSEPORT socket per thread, steered as asked); `init` binds them all, so a
/// bad address or a busy port is reported before any thread starts.
package final class EchoRun: @unchecked Sendable {
    /// What was asked for.
    package let options: EchoOptions
    /// One slot per thread, words by ``EchoCount``.
    package let counters: WordCounters
    /// The stop request and first failure.
    package let control: RunControl
    /// The address actually bound (the kernel's choice when port 0 was asked).
    package let boundAddress: SocketAddress
    /// The receive buffer the kernel granted each socket.
    package let grantedReceiveBuffer: Int
    /// The CPU each thread is pinned to, by thread index; nil when unpinned.
    package let threadCPUs: [Int]?
    /// Which kernel thread each echo thread is, for its CPU time.
    package let threadCPU: ThreadCPURegistry
    private let flowTables: EchoFlowTables
    private let sockets: [SocketHolder]
    private var threads: [NativeThread] = []

    /// How long a reply may wait for room in the send buffer before it is counted as not answered.
    static let sendTimeoutMilliseconds = 100

    /// Opens and binds the sockets, then attaches the steering program to the group.
    package init(_ options: EchoOptions, control: RunControl = RunControl()) throws(RunError) {
        var options = options
        if options.receive.coalescing && !Offload.receiveCoalescingSupported {
            control.notice("mpps: this kernel refuses UDP GRO (setsockopt(UDP_GRO), Linux 5.0 or later): echoing without it")
            options.receive.coalescing = false
        }
        if options.segmentation && (!options.receive.coalescing || options.sockperf) {
            // No coalesced requests to answer whole (GRO off or refused above), or sockperf's headers to change one by one.
            options.segmentation = false
        } else if options.segmentation && !Offload.segmentationSupported {
            control.notice("mpps echo: this kernel refuses UDP GSO (UDP_SEGMENT, Linux 4.18 or later): answering one datagram per message")
            options.segmentation = false
        }
        let receive = options.receive
        if let problem = receive.steeringProblem { throw RunError(problem, status: RunError.usage) }
        self.control = control
        counters = WordCounters(count: receive.threads, words: EchoCount.allCases.count)
        threadCPU = ThreadCPURegistry(count: receive.threads)
        flowTables = EchoFlowTables(count: receive.threads)
        var holders: [SocketHolder] = []
        var address = receive.address
        var granted = 0
        for _ in 0..<(receive.reusePort ? receive.threads : 1) {
            let socket = try ReceiveRun.openSocket(receive, address: address)
            do {
                // No receive timeout: ``stop()`` wakes a blocked receive by shutting the socket down,
                // and a blocking call with a timeout arms a timer each time (0.3 µs of a round trip here).
                try socket.setReceiveTimeout(milliseconds: 0)
                try socket.setSendTimeout(milliseconds: Self.sendTimeoutMilliseconds)
                granted = try socket.receiveBufferSize
                // Later sockets of a reuseport group must join the port the first one got.
                address = try socket.localAddress()
            } catch {
                throw RunError("cannot set up an echo socket: \(error)")
            }
            holders.append(SocketHolder(socket))
        }
        threadCPUs = receive.threadCPUs
        if let steering = receive.reusePortSteering {
            do {
                try steering.attach(descriptor: holders[0].descriptor, groupSize: holders.count)
            } catch {
                control.notice("mpps: the kernel refused to steer the SO_REUSEPORT group by \(steering) (\(error); Linux 4.5 or later): "
                    + "the kernel's 4-tuple hash spreads the requests instead")
                options.receive.steering = .hash
            }
        }
        self.options = options
        sockets = holders
        boundAddress = address
        grantedReceiveBuffer = granted
    }

    /// Starts one echo thread per ``ReceiveOptions/threads`` and returns once each is reading.
    package func start() throws(RunError) {
        let latch = StartLatch()
        let receive = options.receive
        for index in 0..<receive.threads {
            let holder = sockets[index % sockets.count]
            let work = EchoWorker(descriptor: holder.descriptor, batch: receive.batch, latch: latch, limit: receive.count,
                                  slot: counters.slot(index), stop: control.flag, total: control.sharedTotal,
                                  sockperf: options.sockperf, coalescing: receive.coalescing,
                                  segmentation: options.segmentation, control: control, flows: flowTables.slot(index))
            let cpu = threadCPUs?[index]
            let control = self.control
            let registry = threadCPU
            do {
                threads.append(try NativeThread(pinnedTo: cpu, pinFailed: { reason in
                    control.fail("cannot pin echo thread \(index) to CPU \(cpu ?? -1): \(reason)")
                    latch.arrive()
                }) {
                    registry.register(index)
                    defer { registry.finish(index) }
                    // The holder lives as long as the thread uses its descriptor.
                    let failure = withExtendedLifetime(holder) { work.run() }
                    if let failure { control.fail("echo thread \(index) failed: \(failure)") }
                })
            } catch {
                control.requestStop()
                throw RunError("cannot start echo thread \(index): \(error)")
            }
        }
        _ = latch.wait(for: receive.threads, seconds: 10)
    }

    /// Requests the kernel dropped at this echo's sockets so far (SO_MEMINFO), summed; nil if unreadable.
    package func socketDrops() -> UInt64? {
        var total: UInt64 = 0
        for holder in sockets {
            guard let drops = try? UDPSocket.dropCount(descriptor: holder.descriptor) else { return nil }
            total = total.addingSaturating(drops)
        }
        return total
    }

    /// What the threads counted of requests with `mpps ping`'s header, per flow. Call it after ``stop()``.
    package func pingFlows() -> EchoFlows {
        stop()
        return flowTables.result()
    }

    /// Asks the threads to stop, wakes any blocked in a receive by shutting the sockets down
    /// for reading (they answer what was queued, then end), and waits for them.
    package func stop() {
        control.requestStop()
        for holder in sockets { try? holder.socket.shutdownReceiving() }
        for thread in threads { thread.join() }
    }

    deinit { stop() }
}
