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
    /// Datagrams per `sendmmsg` call.
    public var batch = 1024
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
        let startTime = MonotonicClock.now()
        for index in 0..<threadCount {
            let holder = sockets[index]
            let cpu = options.cpus.map { $0.cpus[index % $0.cpus.count] }
            let pacer = options.rate.map {
                Pacer(rate: $0 / Double(threadCount), maximumBurst: options.batch, start: startTime)
            }
            let work = SendWork(descriptor: holder.descriptor, batch: options.batch, payload: options.payload,
                                quota: options.count.map { SendOptions.share(of: $0, thread: index, threads: threadCount) },
                                pacer: pacer, slot: counters.slot(index), stop: control.flag)
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
    let quota: UInt64?
    let pacer: Pacer?
    let slot: CounterSlot
    let stop: StopFlag

    /// The longest a paced sender sleeps before looking at the stop request again.
    static let longestSleepNanoseconds: UInt64 = 50_000_000

    /// Sends until the quota is met or a stop is requested. Counts a datagram
    /// when the kernel accepted it. Allocates once (the batch) before the loop.
    func run() throws(SocketError) {
        let storage = SendBatch(capacity: batch, payloadSize: payload)
        var totals = CounterSnapshot()
        slot.publishCPU(CPUList.currentCPU())
        while !stop.isSet {
            var want = batch
            if let quota {
                if totals.packets >= quota { break }
                want = Int(min(UInt64(want), quota - totals.packets))
            }
            if let pacer {
                let now = MonotonicClock.now()
                let allowed = pacer.allowance(sent: totals.packets, now: now)
                if allowed == 0 {
                    MonotonicClock.sleep(until: min(pacer.dueTime(of: totals.packets), now &+ Self.longestSleepNanoseconds))
                    continue
                }
                want = min(want, allowed)
            }
            var done = 0
            while done < want && !stop.isSet {
                do {
                    let sent = try storage.send(descriptor: descriptor, from: done, to: want)
                    if sent > 0 {
                        done &+= sent
                        totals.calls &+= 1
                    }
                } catch where error.code == ECONNREFUSED {
                    // An ICMP port unreachable from an earlier datagram: nobody listens (yet). The
                    // datagram this call was about to send was not sent; count the refusal and go on.
                    totals.refused &+= 1
                } catch where error.code == ENOBUFS {
                    totals.noBuffers &+= 1
                }
            }
            totals.packets &+= UInt64(done)
            totals.bytes &+= UInt64(done &* payload)
            slot.publish(totals)
        }
        slot.publish(totals)
    }
}
