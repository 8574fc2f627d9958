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
    /// What `measure` counted, measured while no fault rule was armed. A fault test
    /// in another suite arms rules whose predicate runs on every thread's calls of
    /// that kind (and may allocate there): a measurement during which a rule was
    /// armed is taken again, after the rules are gone.
    func withoutFaults(_ measure: () throws -> UInt) throws -> UInt {
        #if DEBUG
        for _ in 0..<50 {
            _ = waitUntil(seconds: 30) { !FaultInjection.anyArmed }
            let armed = FaultInjection.armedSoFar
            let allocations = try measure()
            if !FaultInjection.anyArmed && FaultInjection.armedSoFar == armed { return allocations }
        }
        Issue.record("fault rules were armed during 50 measurements in a row")
        #endif
        return try measure()
    }

    /// A bound receiving socket on 127.0.0.1 with room for every datagram we queue.
    func receiver(coalescing: Bool = false) throws -> UDPSocket {
        let socket = try UDPSocket(family: .inet)
        try socket.setReceiveBufferSize(16 << 20)
        if coalescing { try socket.setReceiveCoalescing(true) }
        try socket.bind(to: SocketAddress(ipv4: 127, 0, 0, 1, port: 0))
        return socket
    }

    /// The key the queued flow's id is made with; the receiving loop checks it.
    static let key = FlowKey(0x0123_4567_89ab_cdef)
    /// The queued flow: number 9 of ``key``.
    static let flow = key.flowID(index: 9)

    /// Queues `count` datagrams of 32 bytes on `socket` (with `segments` > 1, as
    /// GSO messages), each with a sequence header of ``flow`` and a send time, so
    /// that the receiving loop's key check, flow and latency accounting run too.
    /// Returns the address they come from.
    @discardableResult
    func fill(_ socket: borrowing UDPSocket, count: Int, segments: Int = 1) throws -> SocketAddress {
        var sender = try UDPSocket(family: .inet)
        try sender.connect(to: try socket.localAddress())
        if segments > 1 { try sender.setSegmentSize(32) }
        let batch = SendBatch(capacity: 64, payloadSize: 32, segmentsPerMessage: segments)
        var queued = 0
        while queued < count {
            let messages = min(64, (count - queued) / segments)
            batch.stampDataHeaders(flow: Self.flow, hostTag: HostTag.local, firstSequence: UInt64(queued),
                                   sendTime: MonotonicClock.now(), count: messages * segments)
            var done = 0
            while done < messages { done += try batch.send(on: sender, from: done, to: messages) }
            queued += messages * segments
        }
        return SocketAddress(ipv4: 127, 0, 0, 1, port: try sender.localAddress().port)
    }

    /// Allocations made on this thread while `work` receives `count` datagrams.
    func receiveAllocations(count: Int, coalescing: Bool = false, segments: Int = 1) throws -> UInt {
        let socket = try receiver(coalescing: coalescing)
        let source = try fill(socket, count: count, segments: segments)
        let control = RunControl()
        let counters = ThreadCounters(count: 1)
        let sequences = SequenceCounters(count: 1)
        let work = ReceiveWorker(descriptor: socket.descriptor, batch: 4 * segments, latch: StartLatch(),
                               slotSize: coalescing ? ReceiveBatch.coalescedSlotSize : 2048, coalescing: coalescing,
                               pauseNanoseconds: 20_000, limit: UInt64(count), slot: counters.slot(0),
                               sequenceSlot: sequences.slot(0), stop: control.flag, total: control.sharedTotal,
                               flowKeys: [Self.key])
        let before = AllocationCounter_thisThread()
        let (result, failure) = work.run()
        let after = AllocationCounter_thisThread()
        #expect(failure == nil)
        #expect(counters.read(0).packets == UInt64(count))
        #expect(result.flows == [FlowSummary(flow: Self.flow, unique: UInt64(count), duplicates: 0, reordered: 0,
                                             highest: UInt64(count - 1), sent: nil, source: source)])
        #expect(result.latency.total == UInt64(count))
        // What /metrics reads while the run goes on: the same counts, published by the loop.
        let live = sequences.read(0)
        #expect(live.totals.unique == UInt64(count))
        #expect(live.totals.expected == UInt64(count))
        #expect(live.latencyBuckets.reduce(0, +) == UInt64(count))
        return after - before
    }

    @Test(arguments: [false, true])
    func receivingAllocatesNothingPerBatch(coalescing: Bool) throws {
        let segments = coalescing ? 8 : 1
        _ = try withoutFaults { try receiveAllocations(count: 80 * segments, coalescing: coalescing, segments: segments) }  // warm-up
        let few = try withoutFaults { try receiveAllocations(count: 80 * segments, coalescing: coalescing, segments: segments) }     // 20 batches
        let many = try withoutFaults { try receiveAllocations(count: 4000 * segments, coalescing: coalescing, segments: segments) }  // 1000 batches
        #expect(few == many, "20 batches allocated \(few) times, 1000 batches \(many) times")
        // Set-up only: the batch's five arrays, the flow table's two, the latency counters,
        // the flow keys, and the two arrays of the result handed back after the loop.
        #expect(few <= 11, "set-up allocations: \(few)")
    }

    /// Allocations made on this thread while `work` sends `batches` full batches.
    func sendAllocations(batches: Int, segments: Int) throws -> UInt {
        let sink = try receiver()  // never read: the kernel drops what does not fit, silently for the sender
        var socket = try UDPSocket(family: .inet)
        try socket.connect(to: try sink.localAddress())
        if segments > 1 { try socket.setSegmentSize(32) }
        let control = RunControl()
        let counters = ThreadCounters(count: 1)
        let work = SendWorker(descriptor: socket.descriptor, batch: 64, payload: 32, segments: segments, control: control,
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
        _ = try withoutFaults { try sendAllocations(batches: 20, segments: segments) }
        let few = try withoutFaults { try sendAllocations(batches: 20, segments: segments) }
        let many = try withoutFaults { try sendAllocations(batches: 1000, segments: segments) }
        #expect(few == many, "20 batches allocated \(few) times, 1000 batches \(many) times")
        #expect(few <= 8, "set-up allocations: \(few)")
    }

    /// Allocations made on this thread while the echo's loop answers `count` queued requests
    /// (with `segments` > 1, GSO messages the echo's GRO socket coalesces, answered with GSO),
    /// each with ping's header so that the flow table counts it (without GSO).
    func echoAllocations(count: Int, segments: Int = 1) throws -> UInt {
        let socket = try receiver(coalescing: segments > 1)
        if segments > 1 {
            _ = try fill(socket, count: count, segments: segments)
        } else {
            let client = try receiver()  // the replies land here, unread
            try client.connect(to: try socket.localAddress())
            let batch = SendBatch(capacity: 64, payloadSize: 32)
            var queued = 0
            while queued < count {
                for index in 0..<64 {
                    let header = PingHeader(flow: 0, token: 7, sequence: UInt64(queued + index), intended: 0, actual: 0)
                    _ = batch.withUnsafeMutablePayload(at: index) { header.write(to: $0) }
                }
                queued += try batch.send(on: client, to: min(64, count - queued))
            }
        }
        let control = RunControl()
        let counters = WordCounters(count: 1, words: EchoCount.allCases.count)
        let tables = EchoFlowTables(count: 1)
        let work = EchoWorker(descriptor: socket.descriptor, batch: 4, latch: StartLatch(), limit: UInt64(count),
                              slot: counters.slot(0), stop: control.flag, total: control.sharedTotal, sockperf: false,
                              coalescing: segments > 1, segmentation: segments > 1, control: control, flows: tables.slot(0))
        let before = AllocationCounter_thisThread()
        let failure = work.run()
        let after = AllocationCounter_thisThread()
        #expect(failure == nil)
        let totals = EchoTotals(words: counters.slot(0).read())
        #expect(totals[.requests] == UInt64(count))
        #expect(totals[.replies] == UInt64(count))
        #expect(totals[.gsoMessages] == (segments > 1 ? UInt64(count / segments) : 0))
        if segments == 1 { #expect(tables.result().requests == UInt64(count)) }
        return after - before
    }

    @Test(arguments: [1, 8])
    func echoingAllocatesNothingPerBatch(segments: Int) throws {
        _ = try withoutFaults { try echoAllocations(count: 80 * segments, segments: segments) }
        let few = try withoutFaults { try echoAllocations(count: 80 * segments, segments: segments) }      // 20 batches
        let many = try withoutFaults { try echoAllocations(count: 4000 * segments, segments: segments) }   // 1000 batches
        #expect(few == many, "20 batches allocated \(few) times, 1000 batches \(many) times")
    }

    /// Allocations made on this thread by the library's own receive loop: `rounds`
    /// calls of `ReceiveBatch.receive` and `forEachDatagram` over datagrams queued
    /// beforehand (with `segments` > 1, as GSO messages a GRO socket coalesces).
    func iterationAllocations(count: Int, segments: Int) throws -> UInt {
        let socket = try receiver(coalescing: segments > 1)
        try socket.setReceiveTimeout(milliseconds: 500)
        try fill(socket, count: count, segments: segments)
        var batch = ReceiveBatch(capacity: 16, slotSize: segments > 1 ? ReceiveBatch.coalescedSlotSize : 2048)
        var datagrams = 0
        var bytes = 0
        var headers = 0
        let before = AllocationCounter_thisThread()
        while datagrams < count {
            if try batch.receive(from: socket) == 0 { break }
            batch.forEachDatagram { datagram in
                datagrams &+= 1
                bytes &+= datagram.bytes.count
                if SequenceHeader(reading: datagram.bytes)?.flow == Self.flow && datagram.source != nil { headers &+= 1 }
            }
        }
        let after = AllocationCounter_thisThread()
        #expect(datagrams == count)
        #expect(bytes == count * 32)
        #expect(headers == count)
        return after - before
    }

    @Test(arguments: [1, 8])
    func iteratingDatagramsAllocatesNothing(segments: Int) throws {
        let few = try withoutFaults { try iterationAllocations(count: 160 * segments, segments: segments) }
        let many = try withoutFaults { try iterationAllocations(count: 4000 * segments, segments: segments) }
        #expect(few == 0, "\(few) allocations for \(160 * segments) datagrams")
        #expect(many == 0, "\(many) allocations for \(4000 * segments) datagrams")
    }

    /// Allocations made on this thread by an echo loop built from the library alone:
    /// receive from several peers, copy each datagram into a reply addressed to its
    /// source, send the replies with one `sendAll`, `rounds` times.
    func echoAllocations(rounds: Int) throws -> UInt {
        var server = try receiver()
        try server.setReceiveTimeout(milliseconds: 500)
        let address = try server.localAddress()
        final class Peer { let socket: UDPSocket; init(_ socket: consuming UDPSocket) { self.socket = socket } }
        var peers: [Peer] = []
        for _ in 0..<4 {
            let peer = try UDPSocket(family: .inet)
            try peer.connect(to: address)
            peers.append(Peer(peer))
        }
        // Queue every request first: 16 from each peer per round.
        let requests = SendBatch(capacity: 16, payloadSize: 32)
        for _ in 0..<rounds {
            for peer in peers {
                var sent = 0
                while sent < 16 { sent += try requests.send(on: peer.socket, from: sent, to: 16) }
            }
        }
        var inbound = ReceiveBatch(capacity: 64)
        let replies = SendBatch(capacity: 64, payloadSize: 2048, perMessageDestinations: true)
        var echoed = 0
        let total = rounds * 64
        let before = AllocationCounter_thisThread()
        while echoed < total {
            if try inbound.receive(from: server) == 0 { break }
            var count = 0
            inbound.forEachDatagram { datagram in
                replies.setMessage(copying: datagram.bytes, at: count)
                replies.setDestination(datagram.source, at: count)
                count &+= 1
            }
            let outcome = replies.sendAll(to: count, on: &server)
            if outcome.error != nil || outcome.messages != count { break }
            echoed &+= outcome.datagrams
        }
        let after = AllocationCounter_thisThread()
        #expect(echoed == total)
        return after - before
    }

    @Test func echoingWithPerMessageDestinationsAllocatesNothing() throws {
        let few = try withoutFaults { try echoAllocations(rounds: 5) }
        let many = try withoutFaults { try echoAllocations(rounds: 100) }
        #expect(few == 0, "\(few) allocations echoing 320 datagrams")
        #expect(many == 0, "\(many) allocations echoing 6400 datagrams")
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
