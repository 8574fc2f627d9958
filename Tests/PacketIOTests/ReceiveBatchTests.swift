#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Testing

// Swift Testing's macros cannot capture noncopyable values, so results read
// from sockets and batches are taken into locals before they are checked.

@Suite("ReceiveBatch timeouts, limits and truncation")
struct ReceiveBatchTests {
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
        var lengths: [Int] = [], originals: [Int] = [], flags: [Bool] = [], intact: [Bool] = []
        for _ in 0..<2 where lengths.count < 2 {
            let n = try inbound.receive(from: receiver)
            if n == 0 { break }
            for i in 0..<n {
                let index = lengths.count
                lengths.append(inbound.length(at: i))
                originals.append(inbound.originalLength(at: i))
                flags.append(inbound.isTruncated(at: i))
                // The first 100 bytes are intact.
                intact.append(inbound.withUnsafeBytes(at: i) { isStamped($0, index: index, length: 100) })
            }
        }
        #expect(lengths == [100, 100])
        #expect(originals == [300, 300])
        #expect(flags == [true, true])
        #expect(intact == [true, true])
    }

    @Test func aNegativeLimitStopsTheProcessInsteadOfOverrunningTheBatch() async {
        await #expect(processExitsWith: .failure) {
            // With 10 datagrams queued and room for 8, an unchecked limit of -1
            // would ask the kernel for up to 1024 messages.
            let receiver = try! boundLoopbackSocket(.inet)
            try! receiver.setReceiveTimeout(milliseconds: 200)
            let sender = try! UDPSocket(family: .inet)
            try! sender.connect(to: try! receiver.localAddress())
            let outbound = SendBatch(capacity: 10, payloadSize: 8)
            _ = try! outbound.send(on: sender, to: 10)
            var inbound = ReceiveBatch(capacity: 8, slotSize: 64)
            _ = try? inbound.receive(from: receiver, limit: -1)
        }
    }
}
