#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Reporting

/// One receiving thread's loop and everything it needs, as plain values.
struct ReceiveWorker: Sendable {
    let descriptor: Int32
    let batch: Int
    let latch: StartLatch
    let slotSize: Int
    let coalescing: Bool
    /// How long to wait after a call that emptied the socket; 0 reads again at once.
    let pauseNanoseconds: UInt64
    let limit: UInt64?
    let slot: CounterSlot
    /// Where the sequence totals and latencies are published for readers.
    let sequenceSlot: SequenceSlot
    let stop: StopFlag
    let total: SharedTotal
    let flowKeys: [FlowKey]

    /// Receives until a stop request or, with a limit, until the run's total
    /// of data datagrams reaches it. After a stop request it reads what is still queued
    /// (``ReceiveRun/stop()`` shuts the socket down for reading, so a blocked call wakes
    /// and an empty queue ends the read at once), for at most ``StopDrain/nanoseconds``: a
    /// datagram that arrived before the stop is counted, not left for the account to call
    /// lost. Sources are recorded only while a flow's account
    /// lacks one (``Tally/wantsSources``): the kernel's copy of every address would add
    /// about 15 % to the loop's CPU per datagram. Allocates once (batch, flow table, latency
    /// counters) before the loop and never inside it. A failed receive ends the
    /// loop too: what was counted until then is handed back with the error.
    func run() -> (result: ReceiveResult, failure: SocketError?) {
        var storage = ReceiveBatch(capacity: batch, slotSize: slotSize, recordsSources: false,
                                   controlSize: coalescing ? ReceiveBatch.standardControlSize : 0)
        var tally = Tally(hostTag: HostTag.local, flowKeys: flowKeys, live: sequenceSlot)
        var totals = CounterSnapshot()
        slot.publishCPU(CPUList.currentCPU())
        latch.arrive()
        var drain = StopDrain()
        while drain.mayRead(stopped: stop.isSet) {
            guard let want = total.nextRequest(batch: batch, limit: limit) else { stop.set(); break }
            let received: Int
            do throws(SocketError) { received = try storage.receive(descriptor: descriptor, limit: want) } catch {
                if error.code == ESHUTDOWN && stop.isSet { break }  // stopped, and nothing is left
                return (tally.result(), error)
            }
            if received == 0 {
                if stop.isSet { break }  // a stop without the shutdown: the receive waited and found nothing
                continue
            }
            tally.startBatch()
            let (packets, bytes, truncated) = coalescing
                ? Self.countCoalesced(storage, received: received, slotSize: slotSize, tally: &tally)
                : Self.countPlain(storage, received: received, slotSize: slotSize, tally: &tally)
            totals.packets &+= packets
            totals.bytes &+= bytes
            totals.calls &+= 1
            totals.truncated &+= truncated
            slot.publish(totals)
            tally.publish()
            storage.recordsSources = tally.wantsSources
            slot.publishCPU(CPUList.currentCPU())
            if let limit, total.add(packets) >= limit { stop.set() }
            if received < want && drain.isDraining { break }  // the queue was empty: drained
            // A short call emptied the socket. Blocking at once would have the kernel wake this
            // thread for the next datagram, and the next: each wake-up costs the CPU that
            // delivers (an inter-processor interrupt, a VM exit under a hypervisor). Waiting
            // first lets a batch gather, as a NIC's interrupt moderation does.
            if received < want && pauseNanoseconds > 0 { MonotonicClock.pause(nanoseconds: pauseNanoseconds) }
        }
        return (tally.result(), nil)
    }

    /// What a batch counted.
    typealias Counted = (packets: UInt64, bytes: UInt64, truncated: UInt64)

    /// Counts a batch of one-datagram messages. A function of its own, with few
    /// live values, so that the per-datagram loop runs in registers.
    @inline(never)
    static func countPlain(_ storage: borrowing ReceiveBatch, received: Int, slotSize: Int, tally: inout Tally) -> Counted {
        count(storage, received: received, slotSize: slotSize, tally: &tally, coalesced: false)
    }

    /// Counts a batch of messages that UDP GRO may have coalesced.
    @inline(never)
    static func countCoalesced(_ storage: borrowing ReceiveBatch, received: Int, slotSize: Int, tally: inout Tally) -> Counted {
        count(storage, received: received, slotSize: slotSize, tally: &tally, coalesced: true)
    }

    /// The loop of both: `coalesced` is a constant in each caller, so each has a
    /// loop of its own, and the plain one reads no segment size.
    @inline(__always)
    private static func count(_ storage: borrowing ReceiveBatch, received: Int, slotSize: Int,
                              tally: inout Tally, coalesced: Bool) -> Counted {
        var packets: UInt64 = 0
        var bytes: UInt64 = 0
        var truncated: UInt64 = 0
        var index = 0
        while index < received {
            let message = storage.unsafeBytes(at: index)
            // Only a message that filled its slot can have lost a tail: skip the flags otherwise.
            if message.count == slotSize && storage.isTruncated(at: index) { truncated &+= 1 }
            let size = coalesced ? storage.segmentSize(at: index) : 0
            if size == 0 || message.count <= size {
                if !tally.hasHeader(message) || tally.countHeader(message, source: storage.unsafeSourceAddress(at: index)) {
                    packets &+= 1
                    bytes &+= UInt64(message.count)
                }
            } else {
                let segments = countSegments(message, size: size, source: storage.unsafeSourceAddress(at: index), tally: &tally)
                packets &+= segments.packets
                bytes &+= segments.bytes
            }
            index &+= 1
        }
        return (packets, bytes, truncated)
    }

    /// The data datagrams (and their bytes) of a message GRO coalesced from
    /// datagrams of `size` bytes, the last maybe shorter.
    @inline(__always)
    private static func countSegments(_ message: UnsafeRawBufferPointer, size: Int, source: UnsafeRawPointer?,
                                      tally: inout Tally) -> (packets: UInt64, bytes: UInt64) {
        // Without headers: GRO joins datagrams of one flow only, and a sender stamps
        // all of its datagrams or none, so count them without looking at each.
        guard tally.hasHeader(message) else { return (UInt64((message.count &+ size &- 1) / size), UInt64(message.count)) }
        var packets: UInt64 = 0
        var bytes: UInt64 = 0
        var start = 0
        while start < message.count {
            let end = min(start &+ size, message.count)
            let datagram = UnsafeRawBufferPointer(rebasing: message[start..<end])
            if !tally.hasHeader(datagram) || tally.countHeader(datagram, source: source) {
                packets &+= 1
                bytes &+= UInt64(end &- start)
            }
            start = end
        }
        return (packets, bytes)
    }
}
