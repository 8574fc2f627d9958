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
        let payloadSize = 203  // odd, so a length off by any bit shows

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
}
