import PacketIO
import Reporting

/// One AF_XDP receiving thread's loop (`mpps recv --xdp`): frames from its
/// socket's RX ring, the UDP datagram found in each, counted as ``ReceiveWorker``
/// counts datagrams (bytes, sequence headers, flows, latency) through a ``Tally``.
struct XDPReceiveWorker: Sendable {
    /// The socket this thread reads.
    let socket: XDPSocketBox
    /// Frames per receive at most.
    let batch: Int
    /// The destination port the program redirects; a frame for another is not counted.
    let port: UInt16
    /// Arrived at once the loop is about to read.
    let latch: StartLatch
    /// The run's datagram limit (`--count`), if any.
    let limit: UInt64?
    /// This thread's counters.
    let slot: CounterSlot
    /// The run's stop request.
    let stop: StopFlag
    /// The run's total of data datagrams, for the limit.
    let total: SharedTotal
    /// The senders' keys whose flows count (`--flow-key`).
    let flowKeys: [FlowKey]
    /// How long to wait after a receive that emptied the ring; 0 reads again at once.
    var pauseNanoseconds: UInt64 = 0
    /// Where the sequence totals and latencies are published for readers (/metrics); nil keeps them private.
    var sequenceSlot: SequenceSlot? = nil

    /// How long an empty ring waits in poll before the stop flag is looked at again.
    static let idleWaitMilliseconds: Int32 = 100

    /// Receives until a stop request or, with a limit, until the run's total
    /// reaches it. After a stop request it takes what the ring already holds, without
    /// waiting, for at most ``StopDrain/nanoseconds`` (as the socket loop does).
    /// Allocates before the loop (tally) and never inside it.
    func run() -> (result: ReceiveResult, failure: SocketError?) {
        var tally = Tally(hostTag: HostTag.local, flowKeys: flowKeys, live: sequenceSlot)
        var totals = CounterSnapshot()
        var unparsed: UInt64 = 0
        slot.publishCPU(CPUList.currentCPU())
        latch.arrive()
        let failure: SocketError? = socket.withSocket { socket in
            var drain = StopDrain()
            while drain.mayRead(stopped: stop.isSet) {
                guard let want = total.nextRequest(batch: batch, limit: limit) else { stop.set(); break }
                let received: Int
                do throws(SocketError) {
                    received = try socket.receive(limit: want, waitMilliseconds: drain.isDraining ? 0 : Self.idleWaitMilliseconds)
                } catch {
                    return error
                }
                if received == 0 {
                    if drain.isDraining { break }  // stopped, and the ring is empty
                    continue
                }
                tally.startBatch()
                let counted = Self.count(socket, received: received, port: port, tally: &tally)
                totals.packets &+= counted.packets
                totals.bytes &+= counted.bytes
                totals.calls &+= 1
                unparsed &+= counted.unparsed
                slot.publish(totals)
                tally.publish()
                self.socket.unparsed.store(unparsed, ordering: .relaxed)
                slot.publishCPU(CPUList.currentCPU())
                if let limit, total.add(counted.packets) >= limit { stop.set() }
                if received < want && drain.isDraining { break }  // the ring was empty: drained
                // The ring was emptied: waking for the next frame would cost a poll and a wake-up
                // (paid by the delivering CPU) per few frames. Waiting lets the ring gather a batch,
                // and it holds thousands of frames: milliseconds at a million per second.
                if received < want && pauseNanoseconds > 0 { MonotonicClock.pause(nanoseconds: pauseNanoseconds) }
            }
            return nil
        }
        return (tally.result(), failure)
    }

    /// Frames are prefetched in groups of this many, one group ahead of the one being read.
    static let prefetchGroup = 8

    /// Counts the datagrams of a batch of frames. A function of its own, so that the
    /// per-frame loop runs in registers.
    @inline(never)
    static func count(_ socket: borrowing XDPSocket, received: Int, port: UInt16,
                      tally: inout Tally) -> (packets: UInt64, bytes: UInt64, unparsed: UInt64) {
        var packets: UInt64 = 0
        var bytes: UInt64 = 0
        var unparsed: UInt64 = 0
        // Frames come from another CPU's cache: ask for the next group ahead, so their misses overlap.
        socket.prefetchFrames(from: 0, count: Self.prefetchGroup)
        var index = 0
        while index < received {
            if index & (Self.prefetchGroup &- 1) == 0 {
                socket.prefetchFrames(from: index &+ Self.prefetchGroup, count: Self.prefetchGroup)
            }
            if let frame = UDPFrame(parsing: socket.frame(at: index)), frame.destinationPort == port {
                let datagram = frame.payload
                if !tally.hasHeader(datagram) || tally.countHeader(datagram) {
                    packets &+= 1
                    bytes &+= UInt64(datagram.count)
                }
            } else {
                unparsed &+= 1
            }
            index &+= 1
        }
        return (packets, bytes, unparsed)
    }
}
