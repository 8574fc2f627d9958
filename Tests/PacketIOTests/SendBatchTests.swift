#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Testing

@Suite("SendBatch ranges and errors")
struct SendBatchTests {
    @Test func emptyRangeSendsNothingAndMakesNoCall() throws {
        let batch = SendBatch(capacity: 4, payloadSize: 8)
        // An unconnected socket would fail any real sendmmsg with EDESTADDRREQ.
        let unconnected = try UDPSocket(family: .inet)
        let sentAtStart = try batch.send(on: unconnected, from: 0, to: 0)
        let sentInMiddle = try batch.send(on: unconnected, from: 3, to: 3)
        let sentAtEnd = try batch.send(on: unconnected, from: 4, to: 4)
        #expect(sentAtStart == 0)
        #expect(sentInMiddle == 0)
        #expect(sentAtEnd == 0)
        // One message goes with sendto, more with sendmmsg: each error names its call.
        let error = caught { () throws(SocketError) in _ = try batch.send(on: unconnected, from: 0, to: 1) }
        #expect(error == SocketError("sendto", code: EDESTADDRREQ))
        let errorOfTwo = caught { () throws(SocketError) in _ = try batch.send(on: unconnected, from: 0, to: 2) }
        #expect(errorOfTwo == SocketError("sendmmsg", code: EDESTADDRREQ))
    }

    @Test func partialRangeSendsExactlyThoseMessages() throws {
        let receiver = try boundLoopbackSocket(.inet)
        try receiver.setReceiveTimeout(milliseconds: 1000)
        let sender = try UDPSocket(family: .inet)
        try sender.connect(to: try receiver.localAddress())
        let batch = SendBatch(capacity: 6, payloadSize: 25)
        for i in 0..<6 { batch.withUnsafeMutablePayload(at: i) { stamp($0, index: 100 + i) } }
        let sent = try batch.send(on: sender, from: 2, to: 5)
        #expect(sent == 3)

        var inbound = ReceiveBatch(capacity: 8, slotSize: 64)
        var ids: [Int] = [], lengths: [Int] = [], intact: [Bool] = []
        for _ in 0..<3 where ids.count < 3 {
            let n = try inbound.receive(from: receiver)
            if n == 0 { break }
            for i in 0..<n {
                let id = inbound.withUnsafeBytes(at: i) { stampedIndex($0) } ?? -1
                lengths.append(inbound.length(at: i))
                intact.append(inbound.withUnsafeBytes(at: i) { isStamped($0, index: id, length: 25) })
                ids.append(id)
            }
        }
        #expect(ids == [102, 103, 104])
        #expect(lengths == [25, 25, 25])
        #expect(intact == [true, true, true])
        try receiver.setReceiveTimeout(milliseconds: 20)
        let extra = try inbound.receive(from: receiver)
        #expect(extra == 0)
    }

    @Test func payloadsStartZeroedAndHaveTheirSize() {
        let batch = SendBatch(capacity: 3, payloadSize: 5)
        let (capacity, payloadSize) = (batch.capacity, batch.payloadSize)
        let initial = (0..<3).map { i in batch.withUnsafeMutablePayload(at: i) { Array($0) } }
        batch.withUnsafeMutablePayload(at: 1) { $0.copyBytes(from: [1, 2, 3, 4, 5]) }
        let written = (0..<3).map { i in batch.withUnsafeMutablePayload(at: i) { Array($0) } }
        let empty = SendBatch(capacity: 1, payloadSize: 0)
        let emptyCount = empty.withUnsafeMutablePayload(at: 0) { $0.count }
        #expect(capacity == 3)
        #expect(payloadSize == 5)
        #expect(initial == [[0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]])
        #expect(written == [[0, 0, 0, 0, 0], [1, 2, 3, 4, 5], [0, 0, 0, 0, 0]])
        #expect(emptyCount == 0)
    }

    @Test(arguments: [SocketAddress.Family.inet, .inet6])
    func sendingToAPortNobodyListensOnIsRefused(_ family: SocketAddress.Family) throws {
        // A port that was free a moment ago: bind, read it, close.
        let port = try { () throws(SocketError) -> UInt16 in try boundLoopbackSocket(family).localAddress().port }()
        let sender = try UDPSocket(family: family)
        try sender.connect(to: loopback(family, port: port))
        let batch = SendBatch(capacity: 1, payloadSize: 16)

        // The ICMP port-unreachable from one send is reported by a later one.
        var refusal: SocketError?
        var accepted = 0
        for _ in 0..<10 {
            do throws(SocketError) {
                accepted += try batch.send(on: sender, to: 1)
            } catch {
                refusal = error
                break
            }
            usleep(10_000)
        }
        #expect(accepted >= 1)
        #expect(refusal == SocketError("sendto", code: ECONNREFUSED))
        #expect(refusal?.description == "sendto: connection refused")
    }
}
