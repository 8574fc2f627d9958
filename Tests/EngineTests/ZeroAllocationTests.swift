import Testing
import AllocationCounter
import PacketIO
@testable import Engine
import Reporting

/// The hot loops allocate once, before the first batch, and never per batch:
/// running 50 times as many batches must not make a single extra allocation.
/// Counted with a malloc replacement that counts the calling thread only, so
/// tests running in parallel do not disturb the count. Under AddressSanitizer
/// or ThreadSanitizer the counter replaces no malloc (their runtimes own it),
/// so the suite is skipped there and runs in every plain build.
@Suite(.serialized, .enabled(if: AllocationCounter_isCounting(),
                             "built with a sanitizer that owns malloc (ASan, TSan): allocations are not counted"))
struct ZeroAllocationTests {
    /// A bound receiving socket on 127.0.0.1 with room for every datagram we queue.
    func receiver(coalescing: Bool = false) throws -> UDPSocket {
        let socket = try UDPSocket(family: .inet)
        try socket.setReceiveBufferSize(16 << 20)
        if coalescing { try socket.setReceiveCoalescing(true) }
        try socket.bind(to: SocketAddress(ipv4: 127, 0, 0, 1, port: 0))
        return socket
    }

    /// Queues `count` datagrams of 32 bytes on `socket` (with `segments` > 1, as
    /// GSO messages), each with a sequence header of flow 9 and a send time, so
    /// that the receiving loop's flow and latency accounting run too.
    func fill(_ socket: borrowing UDPSocket, count: Int, segments: Int = 1) throws {
        let sender = try UDPSocket(family: .inet)
        try sender.connect(to: try socket.localAddress())
        if segments > 1 { try sender.setSegmentSize(32) }
        let batch = SendBatch(capacity: 64, payloadSize: 32, segmentsPerMessage: segments)
        var queued = 0
        while queued < count {
            let messages = min(64, (count - queued) / segments)
            SequenceStamp(flow: 9, hostTag: HostTag.local).write(
                into: batch, count: messages * segments, segments: segments,
                firstSequence: UInt64(queued), time: MonotonicClock.now())
            var done = 0
            while done < messages { done += try batch.send(on: sender, from: done, to: messages) }
            queued += messages * segments
        }
    }

    /// Allocations made on this thread while `work` receives `count` datagrams.
    func receiveAllocations(count: Int, coalescing: Bool = false, segments: Int = 1) throws -> UInt {
        let socket = try receiver(coalescing: coalescing)
        try fill(socket, count: count, segments: segments)
        let control = RunControl()
        let counters = ThreadCounters(count: 1)
        let work = ReceiveWork(descriptor: socket.descriptor, batch: 4 * segments, latch: StartLatch(),
                               slotSize: coalescing ? ReceiveBatch.coalescedSlotSize : 2048, coalescing: coalescing,
                               pauseNanoseconds: 20_000, limit: UInt64(count), slot: counters.slot(0), stop: control.flag, total: control.sharedTotal)
        let before = AllocationCounter_thisThread()
        let result = try work.run()
        let after = AllocationCounter_thisThread()
        #expect(counters.read(0).packets == UInt64(count))
        #expect(result.flows == [FlowSummary(flow: 9, unique: UInt64(count), duplicates: 0, reordered: 0,
                                             highest: UInt64(count - 1), sent: nil)])
        #expect(result.latency.total == UInt64(count))
        return after - before
    }

    @Test(arguments: [false, true])
    func receivingAllocatesNothingPerBatch(coalescing: Bool) throws {
        let segments = coalescing ? 8 : 1
        _ = try receiveAllocations(count: 80 * segments, coalescing: coalescing, segments: segments)  // warm-up
        let few = try receiveAllocations(count: 80 * segments, coalescing: coalescing, segments: segments)     // 20 batches
        let many = try receiveAllocations(count: 4000 * segments, coalescing: coalescing, segments: segments)  // 1000 batches
        #expect(few == many, "20 batches allocated \(few) times, 1000 batches \(many) times")
        // Set-up only: the batch's five arrays, the flow table's two, the latency counters,
        // and the two arrays of the result handed back after the loop.
        #expect(few <= 10, "set-up allocations: \(few)")
    }

    /// Allocations made on this thread while `work` sends `batches` full batches.
    func sendAllocations(batches: Int, segments: Int) throws -> UInt {
        let sink = try receiver()  // never read: the kernel drops what does not fit, silently for the sender
        let socket = try UDPSocket(family: .inet)
        try socket.connect(to: try sink.localAddress())
        if segments > 1 { try socket.setSegmentSize(32) }
        let control = RunControl()
        let counters = ThreadCounters(count: 1)
        let work = SendWork(descriptor: socket.descriptor, batch: 64, payload: 32, segments: segments, control: control,
                            stamp: SequenceStamp(flow: 7, hostTag: HostTag.local),
                            quota: UInt64(batches * 64), rate: nil, slot: counters.slot(0), stop: control.flag)
        let before = AllocationCounter_thisThread()
        try work.run()
        let after = AllocationCounter_thisThread()
        #expect(counters.read(0).packets == UInt64(batches * 64))
        return after - before
    }

    @Test(arguments: [1, 16])
    func sendingAllocatesNothingPerBatch(segments: Int) throws {
        _ = try sendAllocations(batches: 20, segments: segments)
        let few = try sendAllocations(batches: 20, segments: segments)
        let many = try sendAllocations(batches: 1000, segments: segments)
        #expect(few == many, "20 batches allocated \(few) times, 1000 batches \(many) times")
        #expect(few <= 8, "set-up allocations: \(few)")
    }

    @Test func theCounterSeesAllocations() {
        // The meter itself must move, or the tests above prove nothing.
        let before = AllocationCounter_thisThread()
        let array = Array(repeating: UInt8(1), count: 1000 + Int(before % 7))
        let after = AllocationCounter_thisThread()
        #expect(array.count >= 1000)
        #expect(after - before >= 1)
    }
}
