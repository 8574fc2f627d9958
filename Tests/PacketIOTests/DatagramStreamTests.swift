#if canImport(Glibc)
import Glibc
#endif
import Testing
import PacketIO

/// The async/await bridge: every datagram arrives once, in order, with its
/// source; replies go out from the stream's port; a full queue makes the
/// kernel drop (and count) rather than the bridge; cancelling ends the thread.
@Suite struct DatagramStreamTests {
    @Test(arguments: [SocketAddress.Family.inet, .inet6])
    func everyDatagramArrivesOnceAndRepliesComeFromTheStreamsPort(family: SocketAddress.Family) async throws {
        let receiver = try roomyReceiver(family)
        try receiver.setReceiveTimeout(milliseconds: 0)
        let address = try receiver.localAddress()
        let stream = try DatagramStream(socket: receiver, batchCapacity: 16)
        let client = try roomyReceiver(family)
        let clientAddress = try client.localAddress()
        let total = 300
        for index in 0..<total {
            let bytes = (0..<(8 + index % 20)).map { UInt8(truncatingIfNeeded: index &+ $0) }
            try bytes.withUnsafeBytes { _ = try client.send($0, to: address) }
        }
        var seen = 0
        for try await batch in stream {
            for datagram in batch {
                let expected = (0..<(8 + seen % 20)).map { UInt8(truncatingIfNeeded: seen &+ $0) }
                #expect(Array(datagram.payload) == expected)
                #expect(datagram.source == clientAddress)
                #expect(!datagram.isTruncated)
                if seen % 100 == 0 { try stream.send(datagram.payload, to: datagram.source!) }
                seen += 1
            }
            // Ends the wait even if the kernel dropped some (the buffer is meant to hold them all).
            if seen + Int(try stream.dropCount) >= total { break }
        }
        #expect(seen == total)
        var replies = ReceiveBatch(capacity: 8)
        var replyLengths: [Int] = []
        while replyLengths.count < 3, try replies.receive(from: client) > 0 {
            replies.forEachDatagram { replyLengths.append($0.bytes.count); #expect($0.source == address) }
        }
        #expect(replyLengths == [8, 8, 8])
        #expect(try stream.dropCount == 0)
    }

    @Test func aFullQueueLeavesTheDropsToTheKernelAndTheyAddUp() async throws {
        let receiver = try boundLoopbackSocket(.inet)
        try receiver.setReceiveBufferSize(16 << 10, force: false)
        let address = try receiver.localAddress()
        let stream = try DatagramStream(socket: receiver, batchCapacity: 8, bufferedBatches: 1)
        let sender = try UDPSocket(family: .inet)
        try sender.connect(to: address)
        let total = 4000
        let batch = SendBatch(capacity: 100, payloadSize: 64)
        for _ in 0..<(total / 100) {
            var sent = 0
            while sent < 100 { sent += try batch.send(on: sender, from: sent, to: 100) }
        }
        var received = 0
        var iterator = stream.makeAsyncIterator()
        while received + Int(try stream.dropCount) < total, let next = try await iterator.next() {
            received += next.count
        }
        let drops = Int(try stream.dropCount)
        #expect(drops > 0, "a 32 KiB buffer and one waiting batch cannot hold 4000 datagrams")
        #expect(received + drops == total)
        stream.stop()
        let end = try await iterator.next()
        #expect(end == nil)
    }

    @Test func cancellingTheConsumerEndsTheStream() async throws {
        let stream = try DatagramStream(socket: try boundLoopbackSocket(.inet6))
        let consumer = Task {
            var batches = 0
            for try await _ in stream { batches += 1 }
            return batches
        }
        // Nothing is sent: the consumer waits, or has not started yet; either way a
        // cancel must end it (the pause only makes the waiting case the likely one).
        try await Task.sleep(nanoseconds: 20_000_000)
        consumer.cancel()
        let batches = try await consumer.value
        #expect(batches == 0)
        var iterator = stream.makeAsyncIterator()
        let end = try await iterator.next()
        #expect(end == nil)
    }
}
