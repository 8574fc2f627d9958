#if canImport(Glibc)
import Glibc
#endif
import Testing
import PacketIO
import SeededRandom

/// What PacketIO reports is what the kernel did: no datagram counted that the
/// kernel did not cut, no address it did not give, no drop count that claims
/// more than it measures.
@Suite struct HonestResultsTests {
    /// A batch of eight 100-byte segments per message, sent on a socket that was
    /// never given a segment size: the batch carries its own, so eight datagrams
    /// leave and eight are counted.
    @Test(arguments: [SocketAddress.Family.inet, .inet6])
    func aSegmentedBatchCutsItsMessagesWithoutTheSocketsSegmentSize(family: SocketAddress.Family) throws {
        let receiver = try roomyReceiver(family)
        var sender = try UDPSocket(family: family)
        try sender.connect(to: try receiver.localAddress())
        let batch = SendBatch(capacity: 1, payloadSize: 100, segmentsPerMessage: 8)
        for segment in 0..<8 { batch.withUnsafeMutablePayload(at: 0, segment: segment) { stamp($0, index: segment) } }
        #expect(batch.segmentSize(at: 0) == 100)
        #expect(batch.datagramCount(at: 0) == 8)
        let outcome = batch.sendAll(to: 1, on: &sender)
        #expect(outcome.datagrams == 8)
        #expect(outcome.messages == 1)
        #expect(outcome.error == nil)
        let seen = try stampsReceived(on: receiver, expected: 8)
        #expect(seen.map(\.index) == Array(0..<8))
        #expect(seen.map(\.length) == Array(repeating: 100, count: 8))
    }

    /// A plain batch (one datagram per message) on a socket whose own segment
    /// size is shorter than its messages: the kernel cuts each message, and the
    /// count says so.
    @Test func aSocketsOwnSegmentSizeIsCountedForAPlainBatch() throws {
        let receiver = try roomyReceiver(.inet)
        var sender = try UDPSocket(family: .inet)
        try sender.connect(to: try receiver.localAddress())
        try sender.setSegmentSize(50)
        let batch = SendBatch(capacity: 2, payloadSize: 120)
        let outcome = batch.sendAll(to: 2, on: &sender)
        #expect(outcome.datagrams == 6)  // 50 + 50 + 20, twice
        #expect(outcome.messages == 2)
        let seen = try stampsReceived(on: receiver, expected: 6)
        #expect(seen.map(\.length) == [50, 50, 20, 50, 50, 20])
    }

    /// After `shutdown(SHUT_RD)` the kernel answers a receive with empty messages
    /// that have no address: they are not datagrams, and no slot takes the
    /// previous sender's address. The queue drains first, then the socket reads
    /// as shut down.
    @Test(arguments: [SocketAddress.Family.inet, .inet6], [true, false])
    func aShutDownSocketDrainsThenSaysSoAndInventsNoSource(family: SocketAddress.Family, recordsSources: Bool) throws {
        let receiver = try roomyReceiver(family)
        let sender = try UDPSocket(family: family)
        try sender.connect(to: try receiver.localAddress())
        var batch = ReceiveBatch(capacity: 8, recordsSources: recordsSources)
        try sender.send([UInt8](repeating: 7, count: 5))
        #expect(try batch.receive(from: receiver) == 1)
        let senderAddress = try sender.localAddress()
        #expect(batch.sourceAddress(at: 0) == (recordsSources ? senderAddress : nil))

        try sender.send([UInt8](repeating: 8, count: 3))
        try waitForQueuedBytes(on: receiver)
        try receiver.shutdownReceiving()
        #expect(try batch.receive(from: receiver) == 1)
        #expect(batch.length(at: 0) == 3)
        #expect(batch.sourceAddress(at: 0) == (recordsSources ? senderAddress : nil))
        let error = caught { () throws(SocketError) in _ = try batch.receive(from: receiver) }
        #expect(error?.errno == .shutDown)
        #expect(error?.description == "recvmmsg: the socket was shut down for reading")
        #expect(batch.count == 0)
    }

    /// `recordsSources` may change between calls: a call answers with the sources
    /// it was made with, never with an address an earlier call left in the slot.
    @Test(arguments: [SocketAddress.Family.inet, .inet6])
    func sourcesAreRecordedOnlyByTheCallsThatAskForThem(family: SocketAddress.Family) throws {
        let receiver = try roomyReceiver(family)
        let sender = try UDPSocket(family: family)
        try sender.connect(to: try receiver.localAddress())
        let senderAddress = try sender.localAddress()
        var batch = ReceiveBatch(capacity: 4, recordsSources: false)
        var seen: [SocketAddress?] = []
        for recording in [false, true, true, false, true] {
            batch.recordsSources = recording
            try sender.send([UInt8](repeating: 9, count: 7))
            #expect(try batch.receive(from: receiver) == 1)
            #expect(batch.length(at: 0) == 7)
            seen.append(batch.sourceAddress(at: 0))
        }
        #expect(seen == [nil, senderAddress, senderAddress, nil, senderAddress])
    }

    /// `UDPSocket.dropCount` counts what the kernel drops: with UDP GRO on, a
    /// coalesced message of 64 datagrams is dropped, and counted, once.
    @Test func dropCountCountsCoalescedPacketsNotDatagrams() throws {
        let receiver = try boundLoopbackSocket(.inet)
        try receiver.setReceiveCoalescing(true)
        try receiver.setReceiveBufferSize(4096, force: false)
        try receiver.setReceiveTimeout(milliseconds: 100)
        var sender = try UDPSocket(family: .inet)
        try sender.connect(to: try receiver.localAddress())
        let messages = 200
        let batch = SendBatch(capacity: messages, payloadSize: 32, segmentsPerMessage: 64)
        let outcome = batch.sendAll(to: messages, on: &sender)
        #expect(outcome.datagrams == messages * 64)
        var received = ReceiveBatch(capacity: 64, slotSize: ReceiveBatch.coalescedSlotSize)
        var datagrams = 0
        var coalesced = 0
        while try received.receive(from: receiver) > 0 {
            datagrams += received.totalDatagramCount()
            for index in 0..<received.count where received.datagramCount(at: index) == 64 { coalesced += 1 }
        }
        let lost = messages * 64 - datagrams
        #expect(lost > 0, "an 8 KiB buffer should not hold 12800 datagrams")
        #expect(coalesced * 64 == datagrams, "loopback GRO should keep each GSO message whole")
        #expect(try receiver.dropCount == UInt64(lost / 64))
    }
}

/// Waits (bounded) until `socket` has something queued, so a shutdown comes after the datagram.
func waitForQueuedBytes(on socket: borrowing UDPSocket) throws {
    for _ in 0..<2000 {
        if try UDPSocket.queuedBytes(descriptor: socket.descriptor) > 0 { return }
        usleep(1000)
    }
    Issue.record("nothing was queued within 2 s")
}

/// A property of sendAll's counts, checked on random batches against what a
/// receiver really gets: every datagram counted arrived, with the length the
/// count implies, whatever the payload size, segments, message lengths, message
/// segment sizes and the socket's own segment size.
@Suite struct SendCountPropertyTests {
    struct Case: CustomStringConvertible {
        var payload: Int, segments: Int, messages: Int, socketSize: Int
        var lengths: [Int], ownSizes: [Int?]
        var description: String {
            "payload \(payload), segments \(segments), socket size \(socketSize), lengths \(lengths), own \(ownSizes)"
        }
    }

    /// The case for `seed`: up to 6 messages, payloads 1...300, 1...8 segments.
    static func randomCase(seed: UInt64) -> Case {
        var generator = SplitMix(seed: seed)
        let payload = Int.random(in: 1...300, using: &generator)
        let segments = Int.random(in: 1...8, using: &generator)
        let messages = Int.random(in: 1...6, using: &generator)
        let socketSize = Bool.random(using: &generator) ? 0 : Int.random(in: 1...400, using: &generator)
        let lengths = (0..<messages).map { _ in Int.random(in: 0...(payload * segments), using: &generator) }
        let ownSizes: [Int?] = (0..<messages).map { _ in
            Bool.random(using: &generator) ? nil : Int.random(in: 1...400, using: &generator)
        }
        return Case(payload: payload, segments: segments, messages: messages, socketSize: socketSize,
                    lengths: lengths, ownSizes: ownSizes)
    }

    /// The datagram lengths the kernel should cut a message of `length` bytes into at `size` (0: whole).
    static func expectedLengths(length: Int, size: Int) -> [Int] {
        guard size > 0, length > size else { return [length] }
        return stride(from: 0, to: length, by: size).map { min(size, length - $0) }
    }

    @Test(arguments: 0..<40)
    func everyCountedDatagramArrivesWithItsLength(seed: Int) throws {
        let test = Self.randomCase(seed: UInt64(seed))
        let receiver = try roomyReceiver(.inet)
        try receiver.setReceiveTimeout(milliseconds: 100)
        var sender = try UDPSocket(family: .inet)
        try sender.connect(to: try receiver.localAddress())
        if test.socketSize > 0 { try sender.setSegmentSize(test.socketSize) }
        let batch = SendBatch(capacity: test.messages, payloadSize: test.payload, segmentsPerMessage: test.segments,
                              perMessageSegmentSizes: true)
        var expected: [Int] = []
        for index in 0..<test.messages {
            batch.setMessageLength(test.lengths[index], at: index)
            if let own = test.ownSizes[index] { batch.setSegmentSize(own, at: index) }
            let size = test.ownSizes[index] ?? (test.segments > 1 ? test.payload : test.socketSize)
            expected += Self.expectedLengths(length: test.lengths[index], size: size)
        }
        let outcome = batch.sendAll(to: test.messages, on: &sender)
        // A message of more than 128 segments is refused; none is here (≤ 2400 bytes at ≥ 1).
        #expect(outcome.error == nil, "\(test)")
        #expect(outcome.messages == test.messages, "\(test)")
        #expect(outcome.datagrams == expected.count, "\(test)")
        var inbound = ReceiveBatch(capacity: 64, slotSize: 4096)
        var arrived: [Int] = []
        while try inbound.receive(from: receiver) > 0 { inbound.forEachDatagram { arrived.append($0.bytes.count) } }
        #expect(arrived == expected, "\(test)")
    }
}
