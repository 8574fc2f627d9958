#if canImport(Glibc)
import Glibc
#endif
import Testing
import PacketIO

/// Receives on `socket` until `expected` datagrams arrived or a call times out;
/// returns (stamp index, length, intact) per datagram, in arrival order.
func stampsReceived(on socket: borrowing UDPSocket, expected: Int) throws(SocketError) -> [SeenDatagram] {
    var batch = ReceiveBatch(capacity: 64, slotSize: ReceiveBatch.coalescedSlotSize)
    return try receiveDatagrams(&batch, from: socket, expected: expected)
}

/// A receiver on loopback with room for everything a test queues.
func roomyReceiver(_ family: SocketAddress.Family) throws(SocketError) -> UDPSocket {
    let socket = try boundLoopbackSocket(family)
    try socket.setReceiveBufferSize(8 << 20)
    try socket.setReceiveTimeout(milliseconds: 300)
    return socket
}

/// A batch of `count` datagrams of `payload` bytes stamped 0..<count, `segments` per message.
func stampedBatch(count: Int, payload: Int, segments: Int) -> SendBatch {
    let messages = (count + segments - 1) / segments
    let batch = SendBatch(capacity: messages, payloadSize: payload, segmentsPerMessage: segments)
    for datagram in 0..<count {
        batch.withUnsafeMutablePayload(at: datagram / segments, segment: datagram % segments) { stamp($0, index: datagram) }
    }
    batch.setMessageLength((count - (messages - 1) * segments) * payload, at: messages - 1)
    return batch
}

/// One unconnected `sendmmsg` answers many peers; messages carry their own GSO
/// segment sizes; `sendAll` counts datagrams exactly.
@Suite struct SendAllTests {
    @Test(arguments: [SocketAddress.Family.inet, .inet6])
    func oneCallReachesEveryPeerOfItsMessages(family: SocketAddress.Family) throws {
        var sender = try UDPSocket(family: family)
        try sender.bind(to: loopback(family))
        let peers = try (0..<3).map { _ throws(SocketError) in SocketBox(try boundLoopbackSocket(family)) }
        for peer in peers { try peer.socket.setReceiveTimeout(milliseconds: 500) }
        let addresses = try peers.map { box throws(SocketError) in try box.socket.localAddress() }

        // Message i goes to peer i % 3 and carries stamp i, 30 + i bytes long.
        let batch = SendBatch(capacity: 9, payloadSize: 64, perMessageDestinations: true)
        for i in 0..<9 {
            batch.withUnsafeMutablePayload(at: i) { stamp($0, index: i) }
            batch.setMessageLength(30 + i, at: i)
            batch.setDestination(addresses[i % 3], at: i)
        }
        let destinations = (0..<9).map { batch.destination(at: $0) }
        let outcome = batch.sendAll(to: 9, on: &sender)
        #expect(destinations == (0..<9).map { addresses[$0 % 3] })
        #expect(outcome.messages == 9)
        #expect(outcome.datagrams == 9)
        #expect(outcome.calls == 1)
        #expect(outcome.error == nil)
        #expect(outcome.segmentationRefused == nil)
        let senderAddress = try sender.localAddress()
        for (p, peer) in peers.enumerated() {
            let seen = try stampsReceived(on: peer.socket, expected: 3)
            let indexes = [p, p + 3, p + 6]
            #expect(seen.map(\.index) == indexes)
            #expect(seen.map(\.length) == indexes.map { 30 + $0 })
            #expect(seen.allSatisfy { $0.intact })
            #expect(seen.allSatisfy { $0.source == senderAddress })
        }
    }

    @Test func aMessageWithoutADestinationOnAnUnconnectedSocketIsAnError() throws {
        var sender = try UDPSocket(family: .inet)
        let peer = try boundLoopbackSocket(.inet)
        try peer.setReceiveTimeout(milliseconds: 500)
        let batch = SendBatch(capacity: 3, payloadSize: 16, perMessageDestinations: true)
        for i in 0..<3 { batch.withUnsafeMutablePayload(at: i) { stamp($0, index: i) } }
        batch.setDestination(try peer.localAddress(), at: 0)
        batch.setDestination(try peer.localAddress(), at: 1)
        batch.setDestination(try peer.localAddress(), at: 2)
        batch.setDestination(nil, at: 1)
        let cleared = batch.destination(at: 1)
        let outcome = batch.sendAll(to: 3, on: &sender)
        #expect(cleared == nil)
        // The first message went; the second has nowhere to go, and the send stops there with the count exact.
        #expect(outcome.messages == 1)
        #expect(outcome.datagrams == 1)
        #expect(outcome.error == SocketError("sendmmsg", code: EDESTADDRREQ))
        let seen = try stampsReceived(on: peer, expected: 1)
        #expect(seen.map(\.index) == [0])
    }

    @Test(arguments: [SocketAddress.Family.inet, .inet6])
    func eachMessageIsCutAtItsOwnSegmentSize(family: SocketAddress.Family) throws {
        // The socket itself has no GSO setting: the control message alone does it.
        let receiver = try boundLoopbackSocket(family)
        try receiver.setReceiveTimeout(milliseconds: 500)
        var sender = try UDPSocket(family: family)
        let batch = SendBatch(capacity: 3, payloadSize: 400, perMessageDestinations: true, perMessageSegmentSizes: true)
        let layout: [(length: Int, segment: Int)] = [(250, 100), (80, 0), (200, 50)]
        var index = 0
        for (m, message) in layout.enumerated() {
            batch.setDestination(try receiver.localAddress(), at: m)
            batch.setSegmentSize(message.segment, at: m)
            batch.setMessageLength(message.length, at: m)
            // Stamp each datagram of the message at its offset.
            let size = message.segment == 0 ? message.length : message.segment
            batch.withUnsafeMutableMessage(at: m) { buffer in
                var offset = 0
                while offset < message.length {
                    let piece = min(size, message.length - offset)
                    stamp(UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<offset + piece]), index: index)
                    index += 1
                    offset += piece
                }
            }
        }
        let counts = (0..<3).map { batch.datagramCount(at: $0) }
        let sizes = (0..<3).map { batch.segmentSize(at: $0) }
        let (carries, capacity) = (batch.carriesSegmentation, batch.messageCapacity)
        let outcome = batch.sendAll(to: 3, on: &sender)
        #expect(counts == [3, 1, 4])
        #expect(sizes == [100, 0, 50])
        #expect(carries)
        #expect(capacity == 400)
        #expect(outcome.messages == 3)
        #expect(outcome.datagrams == 8)
        #expect(outcome.segmentedMessages == 2, "the first and the last went as GSO sends, the middle one alone")
        #expect(outcome.calls == 1)
        #expect(outcome.error == nil)
        let seen = try stampsReceived(on: receiver, expected: 8)
        #expect(seen.map(\.index) == Array(0..<8))
        #expect(seen.map(\.length) == [100, 100, 50, 80, 50, 50, 50, 50])
        #expect(seen.allSatisfy { $0.intact })
        let state = sender.sendState
        #expect(state == SendState())
    }

    @Test func aRangeIsSentFromItsStartAndCopiedMessagesAreExact() throws {
        let receiver = try boundLoopbackSocket(.inet)
        try receiver.setReceiveTimeout(milliseconds: 500)
        var sender = try UDPSocket(family: .inet)
        try sender.connect(to: try receiver.localAddress())
        let batch = SendBatch(capacity: 5, payloadSize: 32)
        for i in 0..<5 {
            let bytes = (0..<(10 + i)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ i) }
            bytes.withUnsafeBytes { batch.setMessage(copying: $0, at: i) }
        }
        let lengths = (0..<5).map { batch.messageLength(at: $0) }
        let outcome = batch.sendAll(from: 2, to: 5, on: &sender)
        let empty = batch.sendAll(from: 5, to: 5, on: &sender)
        #expect(lengths == [10, 11, 12, 13, 14])
        #expect(outcome.messages == 3)
        #expect(outcome.datagrams == 3)
        #expect(empty == SendOutcome())
        var inbound = ReceiveBatch(capacity: 8)
        var received: [[UInt8]] = []
        while received.count < 3 {
            if try inbound.receive(from: receiver) == 0 { break }
            inbound.forEachDatagram { received.append(Array($0.bytes)) }
        }
        #expect(received == (2..<5).map { i in (0..<(10 + i)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ i) } })
    }

    /// A class holding a socket is Sendable without `@unchecked`, because the socket is:
    /// one thread opens it, another owns it and sends on it.
    final class SocketOwner: Sendable {
        let socket: UDPSocket
        init(_ socket: consuming UDPSocket) { self.socket = socket }
    }

    @Test func aSocketCanBeHandedToAnotherThread() throws {
        let receiver = try roomyReceiver(.inet)
        let sender = try UDPSocket(family: .inet)
        try sender.connect(to: try receiver.localAddress())
        let owner = SocketOwner(sender)
        let sent = onFreshThread { () -> Int in
            let batch = stampedBatch(count: 5, payload: 16, segments: 1)
            return (try? batch.send(on: owner.socket, to: 5)) ?? -1
        }
        #expect(sent == 5)
        let seen = try stampsReceived(on: receiver, expected: 5)
        #expect(seen.map(\.index) == Array(0..<5))
    }

    @Test func sendStateStartsAllowingSegmentation() {
        let state = SendState()
        #expect(state.allowsSegmentation)
        #expect(state.maximumSegments == SendBatch.maximumSegments)
        #expect(state.segmentationRefusal == nil)
        let plain = SendBatch(capacity: 2, payloadSize: 8)
        let gso = SendBatch(capacity: 2, payloadSize: 8, segmentsPerMessage: 2)
        let (plainCarries, gsoCarries) = (plain.carriesSegmentation, gso.carriesSegmentation)
        #expect(!plainCarries)
        #expect(gsoCarries)
    }
}
