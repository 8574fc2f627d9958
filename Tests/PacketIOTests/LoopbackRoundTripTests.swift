#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Testing

// Swift Testing's macros cannot capture noncopyable values, so results read
// from sockets and batches are taken into locals before they are checked.

@Suite("SendBatch → ReceiveBatch over loopback")
struct LoopbackRoundTripTests {
    /// The one helper both families go through: N stamped datagrams sent in
    /// chunks with sendmmsg, each chunk drained with recvmmsg before the next,
    /// so the receive queue never overflows.
    @Test("3000 datagrams arrive once each, byte-exact, in order, from the sender",
          arguments: [SocketAddress.Family.inet, .inet6])
    func roundTrip(_ family: SocketAddress.Family) throws {
        let total = 3000
        let chunk = 100
        let payloadSize = 200

        let receiver = try UDPSocket(family: family)
        try receiver.setReceiveBufferSize(4 << 20)
        try receiver.setReceiveTimeout(milliseconds: 2000)
        try receiver.bind(to: loopback(family))
        let target = try receiver.localAddress()
        let sender = try UDPSocket(family: family)
        try sender.connect(to: target)
        let source = try sender.localAddress()

        let outbound = SendBatch(capacity: chunk, payloadSize: payloadSize)
        // Smaller than a chunk, so a chunk takes several receives and slots are reused.
        var inbound = ReceiveBatch(capacity: 64, slotSize: 2048)

        var order: [Int] = []
        order.reserveCapacity(total)
        var badLengths = 0, badBytes = 0, badSources = 0, truncated = 0, badCounts = 0, badTotals = 0
        var sendCalls = 0, receiveCalls = 0
        var next = 0
        while next < total {
            let n = min(chunk, total - next)
            for i in 0..<n { outbound.withUnsafeMutablePayload(at: i) { stamp($0, index: next + i) } }
            var sent = 0
            for _ in 0..<100 where sent < n {
                sent += try outbound.send(on: sender, from: sent, to: n)
                sendCalls += 1
            }
            try #require(sent == n, "sendmmsg accepted \(sent) of \(n)")

            var received = 0
            for _ in 0..<100 where received < n {
                let count = try inbound.receive(from: receiver)
                if count == 0 { break }  // 2 s with nothing: the datagrams are lost
                receiveCalls += 1
                if inbound.count != count { badCounts += 1 }
                var bytes = 0
                for i in 0..<count {
                    let length = inbound.length(at: i)
                    bytes += length
                    if length != payloadSize { badLengths += 1 }
                    if inbound.isTruncated(at: i) { truncated += 1 }
                    if inbound.sourceAddress(at: i) != source { badSources += 1 }
                    let index = inbound.withUnsafeBytes(at: i) { stampedIndex($0) } ?? -1
                    order.append(index)
                    if !inbound.withUnsafeBytes(at: i, { isStamped($0, index: index, length: payloadSize) }) { badBytes += 1 }
                }
                if inbound.totalLength() != bytes { badTotals += 1 }
                received += count
            }
            try #require(received == n, "chunk at \(next): received \(received) of \(n)")
            next += n
        }

        #expect(order.count == total)
        #expect(order == Array(0..<total))
        #expect(badLengths == 0)
        #expect(badBytes == 0)
        #expect(badSources == 0)
        #expect(truncated == 0)
        #expect(badCounts == 0)
        #expect(badTotals == 0)
        #expect(sendCalls >= total / chunk)
        #expect(receiveCalls >= total / 64)

        // Nothing beyond the N datagrams is queued.
        try receiver.setReceiveTimeout(milliseconds: 20)
        let extra = try inbound.receive(from: receiver)
        let extraCount = inbound.count
        #expect(extra == 0)
        #expect(extraCount == 0)
    }

    @Test(arguments: [SocketAddress.Family.inet, .inet6])
    func receiveReturnsZeroAfterTheTimeoutWithNothingQueued(_ family: SocketAddress.Family) throws {
        let receiver = try boundLoopbackSocket(family)
        try receiver.setReceiveTimeout(milliseconds: 50)
        var batch = ReceiveBatch(capacity: 8)
        let clock = ContinuousClock()
        let start = clock.now
        let count = try batch.receive(from: receiver)
        let elapsed = clock.now - start
        let batchCount = batch.count
        #expect(count == 0)
        #expect(batchCount == 0)
        #expect(elapsed >= .milliseconds(40))
        #expect(elapsed < .seconds(5))
    }

    @Test func receiveHonoursTheLimit() throws {
        let receiver = try boundLoopbackSocket(.inet)
        try receiver.setReceiveTimeout(milliseconds: 1000)
        let sender = try UDPSocket(family: .inet)
        try sender.connect(to: try receiver.localAddress())
        let outbound = SendBatch(capacity: 10, payloadSize: 16)
        for i in 0..<10 { outbound.withUnsafeMutablePayload(at: i) { stamp($0, index: i) } }
        let sent = try outbound.send(on: sender, to: 10)
        #expect(sent == 10)

        var inbound = ReceiveBatch(capacity: 8, slotSize: 64)
        let first = try inbound.receive(from: receiver, limit: 3)
        let firstIDs = (0..<first).map { i in inbound.withUnsafeBytes(at: i) { stampedIndex($0) } }
        // The other 7 fit in the capacity of 8, so one call takes them all.
        let second = try inbound.receive(from: receiver)
        let secondIDs = (0..<second).map { i in inbound.withUnsafeBytes(at: i) { stampedIndex($0) } }
        #expect(first == 3)
        #expect(firstIDs == [0, 1, 2])
        #expect(second == 7)
        #expect(secondIDs == Array(3..<10))
    }

    @Test func longerDatagramsAreTruncatedToTheSlotAndFlagged() throws {
        let receiver = try boundLoopbackSocket(.inet6)
        try receiver.setReceiveTimeout(milliseconds: 1000)
        let sender = try UDPSocket(family: .inet6)
        try sender.connect(to: try receiver.localAddress())
        let outbound = SendBatch(capacity: 2, payloadSize: 300)
        for i in 0..<2 { outbound.withUnsafeMutablePayload(at: i) { stamp($0, index: i) } }
        let sent = try outbound.send(on: sender, to: 2)
        #expect(sent == 2)

        var inbound = ReceiveBatch(capacity: 2, slotSize: 100)
        var lengths: [Int] = [], flags: [Bool] = [], intact: [Bool] = []
        for _ in 0..<2 where lengths.count < 2 {
            let n = try inbound.receive(from: receiver)
            if n == 0 { break }
            for i in 0..<n {
                let index = lengths.count
                lengths.append(inbound.length(at: i))
                flags.append(inbound.isTruncated(at: i))
                // The first 100 bytes are intact.
                intact.append(inbound.withUnsafeBytes(at: i) { isStamped($0, index: index, length: 100) })
            }
        }
        #expect(lengths == [100, 100])
        #expect(flags == [true, true])
        #expect(intact == [true, true])
    }
}
