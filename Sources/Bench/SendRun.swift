#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Synchronization

/// How to send: what `mpps send` and `udpsender` take from their command lines.
public struct SendOptions: Sendable {
    /// Where to send; each target gets its own threads and connected sockets.
    public var targets = [SocketAddress(ipv4: 127, 0, 0, 1, port: 4321)]
    /// Sending threads per target.
    public var threadsPerTarget = 1
    /// Bind every sending socket to this source port (the article uses 65400); nil lets the kernel choose.
    public var sourcePort: UInt16? = nil
    /// UDP payload bytes per datagram.
    public var payload = 32
    /// Datagrams per `sendmmsg` call (with ``segments`` > 1, a call carries
    /// `batch / segments` messages of `segments` datagrams, at least one).
    public var batch = 1024
    /// Datagrams per message with UDP GSO; 1 sends each datagram as its own message.
    public var segments = 1
    /// CPUs to pin thread `i` to (`cpus[i % count]`); nil leaves threads unpinned.
    public var cpus: CPUList? = nil
    /// Send exactly this many datagrams in total, then stop; nil for no limit.
    public var count: UInt64? = nil
    /// Total datagrams per second over all threads; nil sends as fast as possible.
    public var rate: Double? = nil

    /// The defaults of `mpps send`.
    public init() {}

    /// The number of sending threads.
    public var threadCount: Int { targets.count * threadsPerTarget }

    /// Thread `index`'s part of `total`: an even split, the remainder to the first threads.
    public static func share(of total: UInt64, thread index: Int, threads: Int) -> UInt64 {
        let count = UInt64(threads)
        return total / count + (UInt64(index) < total % count ? 1 : 0)
    }
}

/// Connected sockets and threads sending on them, counting what the kernel accepted.
///
/// `init` opens, binds and connects every socket, so a bad target is reported
/// before any thread starts; ``start()`` starts the threads; ``stop()`` asks them
/// to finish and joins them; ``isFinished`` tells when all have finished a count.
public final class SendRun: @unchecked Sendable {
    /// What was asked for.
    public let options: SendOptions
    /// One slot per thread.
    public let counters: ThreadCounters
    /// The stop request and first failure.
    public let control: RunControl

    private let sockets: [SocketHolder]
    private var threads: [NativeThread] = []
    private let finished = FinishedThreads()

    /// How long a blocked send waits before checking for a stop request.
    static let blockedWakeMilliseconds = 100

    /// Opens and connects one socket per thread.
    public init(_ options: SendOptions, control: RunControl = RunControl()) throws(RunError) {
        var options = options
        if options.segments > 1 && !Offload.segmentationSupported {
            control.notice("mpps: this kernel refuses UDP GSO (setsockopt(UDP_SEGMENT), Linux 4.18 or later): sending one datagram per message")
            options.segments = 1
        }
        self.options = options
        self.control = control
        counters = ThreadCounters(count: options.threadCount)
        var holders: [SocketHolder] = []
        for index in 0..<options.threadCount {
            let target = options.targets[index / options.threadsPerTarget]
            do {
                let socket = try UDPSocket(family: target.family)
                try socket.setSendTimeout(milliseconds: Self.blockedWakeMilliseconds)
                if let port = options.sourcePort {
                    // Several sockets may share the article's fixed source port only as a reuseport group.
                    try socket.setReusePort(true)
                    try socket.bind(to: .wildcard(target.family, port: port))
                }
                try socket.connect(to: target)
                if options.segments > 1 { try socket.setSegmentSize(options.payload) }
                holders.append(SocketHolder(socket))
            } catch {
                throw RunError.sendSetupFailed(error, target: target, sourcePort: options.sourcePort)
            }
        }
        sockets = holders
    }

    /// Starts the sending threads.
    public func start() throws(RunError) {
        let threadCount = options.threadCount
        for index in 0..<threadCount {
            let holder = sockets[index]
            let cpu = options.cpus.map { $0.cpus[index % $0.cpus.count] }
            let work = SendWork(descriptor: holder.descriptor, batch: options.batch, payload: options.payload,
                                segments: options.segments, control: control,
                                quota: options.count.map { SendOptions.share(of: $0, thread: index, threads: threadCount) },
                                rate: options.rate.map { $0 / Double(threadCount) }, slot: counters.slot(index), stop: control.flag)
            let control = self.control
            let finished = self.finished
            do {
                threads.append(try NativeThread {
                    defer { finished.count.add(1, ordering: .releasing) }
                    if let cpu {
                        do throws(SocketError) { try CPUList([cpu]).pinCurrentThread() } catch {
                            control.fail("cannot pin sending thread \(index) to CPU \(cpu): \(error.reason)")
                            return
                        }
                    }
                    do { try work.run() } catch { control.fail("sending thread \(index) failed: \(error)") }
                    withExtendedLifetime(holder) {}
                })
            } catch {
                control.requestStop()
                throw RunError("cannot start sending thread \(index): \(error)")
            }
        }
    }

    /// True when every thread has returned (its quota sent, a stop, or a failure).
    public var isFinished: Bool { finished.count.load(ordering: .acquiring) == threads.count }

    /// Asks the threads to stop and waits for them.
    public func stop() {
        control.requestStop()
        for thread in threads { thread.join() }
    }

    deinit { stop() }
}

/// How many sending threads have returned.
final class FinishedThreads: Sendable {
    let count = Atomic<Int>(0)
}

/// One sending thread's loop and everything it needs, as plain values.
struct SendWork: Sendable {
    let descriptor: Int32
    let batch: Int
    let payload: Int
    let segments: Int
    let control: RunControl
    let quota: UInt64?
    /// This thread's datagrams per second; nil for as fast as possible.
    let rate: Double?
    let slot: CounterSlot
    let stop: StopFlag

    /// The longest a paced sender sleeps before looking at the stop request again.
    static let longestSleepNanoseconds: UInt64 = 50_000_000

    /// Sends until the quota is met or a stop is requested. Counts a datagram
    /// when the kernel accepted it. Allocates once (the batch) before the loop,
    /// and once more only if the kernel refuses GSO mid-run.
    func run() throws(SocketError) {
        var segments = self.segments
        var storage = SendBatch(capacity: Self.messagesPerCall(batch: batch, segments: segments),
                                payloadSize: payload, segmentsPerMessage: segments)
        var totals = CounterSnapshot()
        slot.publishCPU(CPUList.currentCPU())
        // The schedule starts once the batch is ready, so set-up time is not made up in a burst.
        let pacer = rate.map { Pacer(rate: $0, maximumBurst: batch, start: MonotonicClock.now()) }
        while !stop.isSet {
            var want = storage.capacity &* segments
            if let quota {
                if totals.packets >= quota { break }
                want = Int(min(UInt64(want), quota - totals.packets))
            }
            if let pacer {
                let now = MonotonicClock.now()
                let released = pacer.release(sent: totals.packets, wanted: want, now: now)
                if released == 0 {
                    MonotonicClock.sleep(until: min(pacer.wakeTime(sent: totals.packets, wanted: want),
                                                    now &+ Self.longestSleepNanoseconds))
                    continue
                }
                want = released
            }
            // `want` datagrams: full messages, then one with the remainder.
            let messages = (want &+ segments &- 1) / segments
            let lastSegments = want &- (messages &- 1) &* segments
            if segments > 1 { storage.setSegments(lastSegments, at: messages &- 1) }
            var done = 0
            while done < messages && !stop.isSet {
                do {
                    let sent = try storage.send(descriptor: descriptor, from: done, to: messages)
                    if sent > 0 {
                        done &+= sent
                        totals.calls &+= 1
                    }
                } catch where error.code == ECONNREFUSED {
                    // An ICMP port unreachable from an earlier datagram: nobody listens (yet). The
                    // message this call was about to send was not sent; count the refusal and go on.
                    totals.refused &+= 1
                } catch where error.code == ENOBUFS {
                    totals.noBuffers &+= 1
                } catch where segments > 1 && (error.code == EIO || error.code == EINVAL) {
                    // The route refuses GSO (no checksum offload on the device, say): degrade, once.
                    control.notice("mpps send: the kernel refused a GSO send (\(error.reason)): sending one datagram per message from now on")
                    try UDPSocket.setSegmentSize(0, descriptor: descriptor)
                    break
                }
            }
            let sentDatagrams = done == messages ? want : done &* segments
            totals.packets &+= UInt64(sentDatagrams)
            totals.bytes &+= UInt64(sentDatagrams &* payload)
            slot.publish(totals)
            if segments > 1 { storage.setSegments(segments, at: messages &- 1) }
            if done < messages && !stop.isSet {
                segments = 1
                storage = SendBatch(capacity: Self.messagesPerCall(batch: batch, segments: 1), payloadSize: payload)
            }
        }
        slot.publish(totals)
    }

    /// Messages per `sendmmsg` call: `batch` datagrams' worth, at least one message.
    static func messagesPerCall(batch: Int, segments: Int) -> Int {
        max(1, batch / segments)
    }
}
