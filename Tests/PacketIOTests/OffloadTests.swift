#if canImport(Glibc)
import Glibc
#endif
import Testing
import CMPPSLinux
import PacketIO

/// UDP GSO on send and GRO on receive, on loopback, with exact lengths and bytes.
@Suite struct OffloadTests {
    /// Two GSO messages of 100-byte segments: one of 4 full segments, one of
    /// 250 bytes (two full segments and a 50-byte tail). Segment `s` of message
    /// `m` is stamped with index `m * 4 + s`.
    func sendTwoGSOMessages(to address: SocketAddress) throws {
        var sender = try UDPSocket(family: address.family)
        try sender.connect(to: address)
        try sender.setSegmentSize(100)
        let batch = SendBatch(capacity: 2, payloadSize: 100, segmentsPerMessage: 4)
        for message in 0..<2 {
            for segment in 0..<4 {
                batch.withUnsafeMutablePayload(at: message, segment: segment) { stamp($0, index: message * 4 + segment) }
            }
        }
        batch.setMessageLength(250, at: 1)
        #expect(batch.messageLength(at: 0) == 400)
        #expect(batch.messageLength(at: 1) == 250)
        var sent = 0
        while sent < 2 { sent += try batch.send(on: sender, from: sent, to: 2) }
    }

    /// What each datagram should be: (stamp index, length).
    static let expected = [(0, 100), (1, 100), (2, 100), (3, 100), (4, 100), (5, 100), (6, 50)]

    @Test func theProbesFindBothOffloadsOnThisKernel() throws {
        // Kernel 4.18+ has GSO and 5.0+ GRO; CI runs on 6.x. Where missing, the CLI degrades instead.
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let major = Int(release.prefix { $0.isNumber }) ?? 0
        try #require(major >= 5, "kernel \(release) predates UDP GRO")
        #expect(Offload.segmentationSupported)
        #expect(Offload.receiveCoalescingSupported)
    }

    @Test(arguments: [SocketAddress.Family.inet, .inet6])
    func aGSOSendArrivesAsSeparateDatagramsWithAShortLastSegment(family: SocketAddress.Family) throws {
        let receiver = try boundLoopbackSocket(family)
        try receiver.setReceiveTimeout(milliseconds: 200)
        try sendTwoGSOMessages(to: try receiver.localAddress())
        var batch = ReceiveBatch(capacity: 16)
        var seen: [(Int, Int)] = []
        while seen.count < Self.expected.count {
            let n = try batch.receive(from: receiver)
            if n == 0 { break }
            for i in 0..<n {
                #expect(batch.segmentSize(at: i) == 0)
                #expect(batch.datagramCount(at: i) == 1)
                let length = batch.length(at: i)
                let index = batch.withUnsafeBytes(at: i) { stampedIndex($0) } ?? -1
                #expect(batch.withUnsafeBytes(at: i) { isStamped($0, index: index, length: length) })
                seen.append((index, length))
            }
        }
        #expect(seen.map(\.0) == Self.expected.map(\.0))
        #expect(seen.map(\.1) == Self.expected.map(\.1))
    }

    @Test(arguments: [SocketAddress.Family.inet, .inet6])
    func aGROReceiverGetsCoalescedMessagesAndSplitsThemExactly(family: SocketAddress.Family) throws {
        let receiver = try boundLoopbackSocket(family)
        try receiver.setReceiveCoalescing(true)
        try receiver.setReceiveTimeout(milliseconds: 200)
        try sendTwoGSOMessages(to: try receiver.localAddress())
        var batch = ReceiveBatch(capacity: 16, slotSize: ReceiveBatch.coalescedSlotSize,
                                 controlSize: ReceiveBatch.standardControlSize)
        var seen: [(Int, Int)] = []
        var messages: [(length: Int, segmentSize: Int)] = []
        while seen.count < Self.expected.count {
            let n = try batch.receive(from: receiver)
            if n == 0 { break }
            for i in 0..<n {
                let length = batch.length(at: i)
                let size = batch.segmentSize(at: i)
                messages.append((length, size))
                let step = size > 0 ? size : length
                let count = batch.datagramCount(at: i)
                batch.withUnsafeBytes(at: i) { bytes in
                    for segment in 0..<count {
                        let start = segment * step
                        let piece = UnsafeRawBufferPointer(rebasing: bytes[start..<min(start + step, bytes.count)])
                        let index = stampedIndex(piece) ?? -1
                        #expect(isStamped(piece, index: index, length: piece.count))
                        seen.append((index, piece.count))
                    }
                }
            }
        }
        // On loopback each GSO message travels as one packet and arrives as one message.
        #expect(messages.map(\.length) == [400, 250])
        #expect(messages.map(\.segmentSize) == [100, 100])
        #expect(seen.map(\.0) == Self.expected.map(\.0))
        #expect(seen.map(\.1) == Self.expected.map(\.1))
    }

    @Test func controlMessageLayoutMatchesTheCMacros() {
        #expect(ControlMessages.headerSize == Int(CMPPSLinux_CMSG_LEN(0)))
        #expect(ControlMessages.align(ControlMessages.headerSize + 4) == Int(CMPPSLinux_CMSG_SPACE(4)))
        #expect(ReceiveBatch.standardControlSize == 2 * Int(CMPPSLinux_CMSG_SPACE(4)))

        // Build two control messages with the C macros and read them back in Swift.
        let space = 2 * Int(CMPPSLinux_CMSG_SPACE(4))
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: space, alignment: 8)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: space)
        var header = msghdr()
        header.msg_control = buffer
        header.msg_controllen = space
        let first = CMPPSLinux_CMSG_FIRSTHDR(&header)!
        first.pointee.cmsg_len = CMPPSLinux_CMSG_LEN(4)
        first.pointee.cmsg_level = SOL_SOCKET
        first.pointee.cmsg_type = CMPPSLinux_SO_RXQ_OVFL
        CMPPSLinux_CMSG_DATA(first).withMemoryRebound(to: UInt32.self, capacity: 1) { $0.pointee = 7 }
        let second = CMPPSLinux_CMSG_NXTHDR(&header, first)!
        second.pointee.cmsg_len = CMPPSLinux_CMSG_LEN(4)
        second.pointee.cmsg_level = CMPPSLinux_SOL_UDP
        second.pointee.cmsg_type = CMPPSLinux_UDP_GRO
        CMPPSLinux_CMSG_DATA(second).withMemoryRebound(to: UInt32.self, capacity: 1) { $0.pointee = 1400 }

        let control = UnsafeRawBufferPointer(start: buffer, count: space)
        #expect(ControlMessages.value(in: control, level: CMPPSLinux_SOL_UDP, type: CMPPSLinux_UDP_GRO) == 1400)
        #expect(ControlMessages.value(in: control, level: SOL_SOCKET, type: CMPPSLinux_SO_RXQ_OVFL) == 7)
        #expect(ControlMessages.value(in: control, level: SOL_SOCKET, type: 99) == nil)
        // A truncated area (the kernel reports only what it wrote) ends the walk safely.
        #expect(ControlMessages.value(in: UnsafeRawBufferPointer(start: buffer, count: 20),
                                      level: CMPPSLinux_SOL_UDP, type: CMPPSLinux_UDP_GRO) == nil)
    }
}
