#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Testing

/// Sends of any Collection<UInt8> and Span views of received datagrams: the
/// exact bytes arrive, and are read back without unsafe pointers.
@Suite("Bytes without unsafe pointers")
struct SafeBytesTests {
    /// A collection with no contiguous storage: the copy path.
    struct Countdown: Collection {
        let from: Int
        var startIndex: Int { 0 }
        var endIndex: Int { from }
        func index(after index: Int) -> Int { index + 1 }
        subscript(position: Int) -> UInt8 { UInt8(truncatingIfNeeded: from - position) }
    }

    /// What `receiver` got in one receive: each datagram's bytes, read through `withSpan`.
    func received(_ receiver: borrowing UDPSocket, count expected: Int) throws -> [[UInt8]] {
        var batch = ReceiveBatch(capacity: 16, slotSize: 2048)
        var payloads: [[UInt8]] = []
        while payloads.count < expected {
            let count = try batch.receive(from: receiver)
            if count == 0 { break }  // the receive timeout passed
            batch.forEachDatagram { datagram in
                payloads.append(datagram.withSpan { span in
                    var copy: [UInt8] = []
                    for index in span.indices { copy.append(span[index]) }
                    return copy
                })
            }
        }
        return payloads
    }

    @Test(arguments: [SocketAddress.Family.inet, .inet6])
    func everyKindOfCollectionArrivesExactly(_ family: SocketAddress.Family) throws {
        let receiver = try boundLoopbackSocket(family)
        try receiver.setReceiveTimeout(milliseconds: 5000)
        let target = try receiver.localAddress()
        let connected = try UDPSocket(family: family)
        try connected.connect(to: target)
        let unconnected = try UDPSocket(family: family)

        let array: [UInt8] = [1, 2, 3, 250]
        var sent: [Int] = []
        sent.append(try connected.send(array))
        sent.append(try connected.send("mpps ✓".utf8))
        sent.append(try connected.send(array[1...2]))
        sent.append(try connected.send(Countdown(from: 5)))
        sent.append(try unconnected.send([UInt8](), to: target))
        sent.append(try unconnected.send(Countdown(from: 300), to: target))
        sent.append(try unconnected.send(ContiguousArray<UInt8>([9, 8]), to: target))
        #expect(sent == [4, 8, 2, 5, 0, 300, 2])

        let payloads = try received(receiver, count: 7)
        #expect(payloads.count == 7)
        // Datagrams of one socket arrive in order; those of the two sockets may interleave.
        let fromConnected = Array(payloads.filter { $0.count != 0 && $0.count != 300 && $0 != [9, 8] })
        #expect(fromConnected == [array, Array("mpps ✓".utf8), [2, 3], [5, 4, 3, 2, 1]])
        let fromUnconnected = payloads.filter { $0.isEmpty || $0.count == 300 || $0 == [9, 8] }
        #expect(fromUnconnected == [[], (0..<300).map { UInt8(truncatingIfNeeded: 300 - $0) }, [9, 8]])
    }

    /// The typed error survives both paths (in place and copied): a plain send on an
    /// unconnected socket is EDESTADDRREQ, caught as a SocketError with no cast.
    @Test func sendsKeepTheirTypedError() throws {
        let socket = try UDPSocket(family: .inet)
        do throws(SocketError) {
            try socket.send([1, 2, 3])
            Issue.record("send on an unconnected socket succeeded")
        } catch {
            #expect(error == SocketError("send", code: EDESTADDRREQ))
        }
        do throws(SocketError) {
            try socket.send(Countdown(from: 3))
            Issue.record("send on an unconnected socket succeeded")
        } catch {
            #expect(error.errno == Errno(rawValue: EDESTADDRREQ))
        }
    }

    /// A RawSpan reads wider values in place; its byte count is the payload's.
    @Test func aRawSpanReadsTheHeaderInPlace() throws {
        let receiver = try boundLoopbackSocket(.inet)
        try receiver.setReceiveTimeout(milliseconds: 5000)
        let sender = try UDPSocket(family: .inet)
        try sender.connect(to: try receiver.localAddress())
        try sender.send([0x78, 0x56, 0x34, 0x12, 0xff])
        var batch = ReceiveBatch(capacity: 4, slotSize: 64)
        let count = try batch.receive(from: receiver)
        #expect(count == 1)
        var read: [(bytes: Int, word: UInt32)] = []
        batch.forEachDatagram { datagram in
            read.append(datagram.withRawSpan { raw in
                (raw.byteCount, UInt32(littleEndian: raw.unsafeLoadUnaligned(fromByteOffset: 0, as: UInt32.self)))
            })
        }
        #expect(read.count == 1)
        #expect(read.first?.bytes == 5 && read.first?.word == 0x1234_5678)
    }

    @Test func familiesPrintTheirNames() {
        #expect("\(SocketAddress.Family.inet)" == "inet")
        #expect("\(SocketAddress.Family.inet6)" == "inet6")
        #expect(String(reflecting: SocketAddress.Family.inet6) == "inet6")
        #expect("\([SocketAddress.Family.inet, .inet6])" == "[inet, inet6]")
    }

    @Test func cpuSteeringTakesACPUList() throws {
        let list = try CPUList(parsing: "3,0-1")
        let steering = ReusePortSteering.cpu(cpus: list)
        #expect(steering == .cpu(cpus: [0, 1, 3]))
        #expect(steering.program(groupSize: 3) == ReusePortSteering.cpu(cpus: [0, 1, 3]).program(groupSize: 3))
    }
}
