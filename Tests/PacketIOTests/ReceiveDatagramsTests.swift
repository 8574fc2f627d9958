#if canImport(Glibc)
import Glibc
#endif
import Testing
import PacketIO

// Swift Testing's macros cannot capture noncopyable values, so what a batch
// says is gathered into plain arrays before it is checked.

/// What `forEachDatagram` reported for one datagram.
struct SeenDatagram: Equatable {
    var index: Int
    var length: Int
    var intact: Bool
    var source: SocketAddress?
    var destination: SocketAddress?
    var message: Int
    var segment: Int
}

/// Receives until `expected` datagrams were seen or a call times out.
func receiveDatagrams(_ batch: inout ReceiveBatch, from socket: borrowing UDPSocket, expected: Int) throws(SocketError) -> [SeenDatagram] {
    var seen: [SeenDatagram] = []
    while seen.count < expected {
        if try batch.receive(from: socket) == 0 { break }
        batch.forEachDatagram { datagram in
            let index = stampedIndex(datagram.bytes) ?? -1
            seen.append(SeenDatagram(index: index, length: datagram.bytes.count,
                                     intact: isStamped(datagram.bytes, index: index, length: datagram.bytes.count),
                                     source: datagram.source, destination: datagram.destination,
                                     message: datagram.message, segment: datagram.segment))
        }
    }
    return seen
}

/// Sends `count` stamped datagrams of `length` bytes from `sender`, with GSO when `segments` > 1.
func sendStamped(_ count: Int, length: Int, segments: Int = 1, from sender: borrowing UDPSocket, firstIndex: Int = 0) throws(SocketError) {
    let messages = (count + segments - 1) / segments
    let batch = SendBatch(capacity: messages, payloadSize: length, segmentsPerMessage: segments)
    for datagram in 0..<count {
        batch.withUnsafeMutablePayload(at: datagram / segments, segment: datagram % segments) { stamp($0, index: firstIndex + datagram) }
    }
    batch.setMessageLength((count - (messages - 1) * segments) * length, at: messages - 1)
    var sent = 0
    while sent < messages { sent += try batch.send(on: sender, from: sent, to: messages) }
}

@Suite struct ReceiveDatagramsTests {
    @Test(arguments: [SocketAddress.Family.inet, .inet6])
    func coalescedMessagesAreSplitIntoTheirDatagrams(family: SocketAddress.Family) throws {
        let receiver = try boundLoopbackSocket(family)
        try receiver.setReceiveCoalescing(true)
        try receiver.setReceiveTimeout(milliseconds: 500)
        var sender = try UDPSocket(family: family)
        try sender.connect(to: try receiver.localAddress())
        try sender.setSegmentSize(100)
        // Two GSO messages: 10 datagrams of 100 bytes, then 5 of 100 and one of 37.
        try sendStamped(10, length: 100, segments: 10, from: sender)
        let tail = SendBatch(capacity: 1, payloadSize: 100, segmentsPerMessage: 6)
        for segment in 0..<6 { tail.withUnsafeMutablePayload(at: 0, segment: segment) { stamp($0, index: 10 + segment) } }
        tail.setMessageLength(537, at: 0)
        _ = try tail.send(on: sender, to: 1)

        var batch = ReceiveBatch(capacity: 8, slotSize: ReceiveBatch.coalescedSlotSize)
        let seen = try receiveDatagrams(&batch, from: receiver, expected: 16)
        let senderAddress = try sender.localAddress()
        #expect(seen.map(\.index) == Array(0..<16))
        #expect(seen.map(\.length) == Array(repeating: 100, count: 15) + [37])
        #expect(seen.allSatisfy { $0.intact })
        #expect(seen.allSatisfy { $0.source == senderAddress })
        #expect(seen.allSatisfy { $0.destination == nil })
        // On loopback each GSO message arrives coalesced, as one message.
        #expect(seen.map(\.message) == Array(repeating: 0, count: 10) + Array(repeating: 1, count: 6))
        #expect(seen.map(\.segment) == Array(0..<10) + Array(0..<6))
    }

    /// The bug this guards against: a batch made without control space on a GRO
    /// socket counted a 10-datagram message as one. Now the default batch has room,
    /// and a batch made without it refuses the call instead of undercounting.
    @Test func aGROSocketNeverHasItsDatagramsUndercounted() throws {
        let receiver = try boundLoopbackSocket(.inet)
        try receiver.setReceiveCoalescing(true)
        try receiver.setReceiveTimeout(milliseconds: 500)
        var sender = try UDPSocket(family: .inet)
        try sender.connect(to: try receiver.localAddress())
        try sender.setSegmentSize(64)

        // The default batch reserves room: 10 datagrams in one message, counted as 10.
        try sendStamped(10, length: 64, segments: 10, from: sender)
        var roomy = ReceiveBatch(capacity: 4, slotSize: ReceiveBatch.coalescedSlotSize)
        let messages = try roomy.receive(from: receiver)
        let (counted, perMessage, controlSize) = (roomy.totalDatagramCount(), roomy.datagramCount(at: 0), roomy.controlSize)
        #expect(messages == 1)
        #expect(perMessage == 10)
        #expect(counted == 10)
        #expect(controlSize == ReceiveBatch.standardControlSize)

        // Without room (0 bytes, or less than one header), the call that lost a segment size is refused.
        for size in [0, 8, 16] {
            try sendStamped(10, length: 64, segments: 10, from: sender, firstIndex: 100)
            var bare = ReceiveBatch(capacity: 4, slotSize: ReceiveBatch.coalescedSlotSize, controlSize: size)
            let error = caught { () throws(SocketError) in _ = try bare.receive(from: receiver) }
            let count = bare.count
            #expect(error == SocketError("recvmmsg (no room for control messages)", code: ENOBUFS), "control size \(size)")
            #expect(error?.description == "recvmmsg (no room for control messages): no buffer space available")
            #expect(count == 0)
            // The batch stays usable: a single datagram carries no segment size and is read as one.
            try sendStamped(1, length: 64, from: sender, firstIndex: 200)
            let single = try receiveDatagrams(&bare, from: receiver, expected: 1)
            #expect(single.map(\.index) == [200])
            #expect(single.map(\.length) == [64])
        }
    }

    @Test(arguments: [SocketAddress.Family.inet, .inet6])
    func aWildcardSocketLearnsEachDatagramsDestination(family: SocketAddress.Family) throws {
        let receiver = try UDPSocket(family: family)
        try receiver.bind(to: .wildcard(family, port: 0))
        try receiver.setReceiveDestinationAddress(true)
        try receiver.setReceiveTimeout(milliseconds: 500)
        let port = try receiver.localAddress().port
        let sender = try UDPSocket(family: family)
        try sender.connect(to: loopback(family, port: port))
        try sendStamped(3, length: 40, from: sender)

        var batch = ReceiveBatch(capacity: 8, recordsDestinations: true)
        let seen = try receiveDatagrams(&batch, from: receiver, expected: 3)
        let senderAddress = try sender.localAddress()
        #expect(batch.controlSize == ReceiveBatch.standardControlSize + ReceiveBatch.destinationControlSize)
        #expect(seen.map(\.index) == [0, 1, 2])
        #expect(seen.allSatisfy { $0.intact })
        #expect(seen.allSatisfy { $0.source == senderAddress })
        #expect(seen.allSatisfy { $0.destination == loopback(family, port: 0) })
        let perMessage = batch.destinationAddress(at: 0)
        #expect(perMessage == loopback(family, port: 0))
    }

    @Test func aDualStackSocketReportsAnIPv4Destination() throws {
        // An IPv6 wildcard socket also receives IPv4 (as ::ffff:a.b.c.d): IP_PKTINFO covers those.
        let receiver = try UDPSocket(family: .inet6)
        try receiver.bind(to: .wildcard(.inet6, port: 0))
        try receiver.setReceiveDestinationAddress(true)
        try receiver.setReceiveTimeout(milliseconds: 500)
        let port = try receiver.localAddress().port
        let sender = try UDPSocket(family: .inet)
        try sender.connect(to: loopback(.inet, port: port))
        try sendStamped(2, length: 40, from: sender)
        var batch = ReceiveBatch(capacity: 8, recordsDestinations: true)
        let seen = try receiveDatagrams(&batch, from: receiver, expected: 2)
        #expect(seen.map(\.index) == [0, 1])
        #expect(seen.allSatisfy { $0.destination == loopback(.inet, port: 0) })
        #expect(seen.allSatisfy { $0.source?.port == (try? sender.localAddress().port) })
    }

    @Test func withoutTheOptionOrTheRecordThereIsNoDestination() throws {
        let receiver = try boundLoopbackSocket(.inet)
        try receiver.setReceiveTimeout(milliseconds: 500)
        let sender = try UDPSocket(family: .inet)
        try sender.connect(to: try receiver.localAddress())
        try sendStamped(1, length: 40, from: sender)
        // The batch asks, the socket does not.
        var asking = ReceiveBatch(capacity: 8, recordsDestinations: true)
        let first = try receiveDatagrams(&asking, from: receiver, expected: 1)
        #expect(first.map(\.index) == [0])
        #expect(first.map(\.destination) == [nil])
        // The socket asks, the batch neither records sources nor destinations.
        try receiver.setReceiveDestinationAddress(true)
        try sendStamped(1, length: 40, from: sender, firstIndex: 5)
        var lean = ReceiveBatch(capacity: 8, recordsSources: false)
        let rest = try receiveDatagrams(&lean, from: receiver, expected: 1)
        #expect(rest.map(\.index) == [5])
        #expect(rest.map(\.source) == [nil])
        #expect(rest.map(\.destination) == [nil])
        // The per-message accessor still reads what the kernel attached.
        let direct = lean.destinationAddress(at: 0)
        #expect(direct == SocketAddress(ipv4: 127, 0, 0, 1, port: 0))
    }
}
