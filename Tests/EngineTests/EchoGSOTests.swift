#if canImport(Glibc)
import Glibc
#endif
import Testing
import PacketIO
@testable import Engine
import Reporting

/// `mpps echo --gro --gso`: coalesced requests answered with GSO sends, and the account exact
/// when the kernel refuses a GSO reply (a real refusal here; injected ones below, in debug builds).
@Suite struct EchoGSOAccountTests {
    /// A bound IPv4 loopback socket that waits at most half a second for a datagram.
    static func peer() throws -> UDPSocket {
        let socket = try UDPSocket(family: .inet)
        try socket.setReceiveTimeout(milliseconds: 500)
        try socket.bind(to: SocketAddress(ipv4: 127, 0, 0, 1, port: 0))
        return socket
    }

    /// Reply messages `(length, segment size, to the peer or to 127.255.255.255)`: the second is a
    /// GSO message to a broadcast address, which the kernel refuses (`EACCES`: the socket has no
    /// SO_BROADCAST) after taking the first, so `sendmmsg` returns 1 and the next call fails.
    @Test func aGSOReplyRefusedInsideABatchCountsEachOfItsSegments() throws {
        let peer = try Self.peer()
        let echo = try UDPSocket(family: .inet)
        try echo.bind(to: SocketAddress(ipv4: 127, 0, 0, 1, port: 0))
        let broadcast = SocketAddress(ipv4: 127, 255, 255, 255, port: 9)
        let target = try peer.localAddress()
        let layout: [(length: Int, segment: Int, refused: Bool)] = [(400, 100, false), (350, 100, true), (77, 0, false), (199, 100, false)]
        let replies = SendBatch(capacity: 4, payloadSize: EchoOptions.largestReply, perMessageDestinations: true,
                                perMessageSegmentSizes: true)
        for (index, message) in layout.enumerated() {
            let bytes = (0..<message.length).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ index) }
            bytes.withUnsafeBytes { replies.setMessage(copying: $0, at: index) }
            replies.setSegmentSize(message.segment, at: index)
            replies.setDestination(message.refused ? broadcast : target, at: index)
        }
        var state = SendState()
        var counts = EchoWorker.Counts()
        EchoWorker.answer(replies, count: 4, descriptor: echo.descriptor, state: &state, counts: &counts)
        #expect(counts.replies == 4 + 1 + 2)
        #expect(counts.replyBytes == 400 + 77 + 199)
        #expect(counts.sendErrors == 4, "all four segments of the refused GSO reply")
        #expect(counts.gsoMessages == 2)
        #expect(counts.sendCalls == 2)
        #expect(counts.gsoFallbacks == 0)
        #expect(state.allowsSegmentation, "EACCES is no refusal of GSO")

        var inbound = ReceiveBatch(capacity: 8, slotSize: 2048)
        var seen: [[UInt8]] = []
        while seen.count < 7, try inbound.receive(from: peer) > 0 {
            inbound.forEachDatagram { seen.append(Array($0.bytes)) }
        }
        let expected = [0, 2, 3].flatMap { index -> [[UInt8]] in
            let message = layout[index]
            let bytes = (0..<message.length).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ index) }
            let size = message.segment == 0 ? message.length : message.segment
            return stride(from: 0, to: message.length, by: size).map { Array(bytes[$0..<min($0 + size, message.length)]) }
        }
        #expect(seen == expected)
    }
}

#if DEBUG  // FaultInjection exists in debug builds only.
/// An echo run with `--gro --gso` whose GSO replies the kernel refuses, as injected faults.
@Suite(.serialized) struct EchoGSOFaultTests {
    /// An echo with GRO and GSO replies on 127.0.0.1, started.
    static func startEcho() throws -> EchoRun {
        var options = EchoOptions()
        options.receive.address = SocketAddress(ipv4: 127, 0, 0, 1, port: 0)
        options.receive.coalescing = true
        options.segmentation = true
        let run = try EchoRun(options)
        try run.start()
        return run
    }

    /// The bytes of segment `segment` of request message `message`: 32 of them, unlike any other's.
    static func segment(_ message: Int, _ segment: Int) -> [UInt8] {
        (0..<32).map { UInt8(truncatingIfNeeded: message &* 64 &+ segment &+ $0 &* 7) }
    }

    /// Sends `messages` GSO messages of 64 segments of 32 bytes to `target`, one at a time, and
    /// collects the replies to each until 64 came or `skipped(message)` says none will.
    static func exchange(with target: SocketAddress, messages: Int, skipped: (Int) -> Bool) throws -> [[UInt8]] {
        var client = try UDPSocket(family: .inet)
        try client.bind(to: SocketAddress(ipv4: 127, 0, 0, 1, port: 0))
        try client.setReceiveTimeout(milliseconds: 5000)
        let requests = SendBatch(capacity: 1, payloadSize: 32, segmentsPerMessage: 64, perMessageDestinations: true)
        requests.setDestination(target, at: 0)
        var replies = ReceiveBatch(capacity: 64, slotSize: 2048)
        var seen: [[UInt8]] = []
        for message in 0..<messages {
            for index in 0..<64 { requests.withUnsafeMutablePayload(at: 0, segment: index) { $0.copyBytes(from: segment(message, index)) } }
            #expect(requests.sendAll(to: 1, on: &client).datagrams == 64)
            if skipped(message) { continue }
            var received = 0
            while received < 64, try replies.receive(from: client) > 0 {
                replies.forEachDatagram { seen.append(Array($0.bytes)); received += 1 }
            }
        }
        return seen
    }

    /// Fails the next sendmmsg of the socket bound to `port` with `code`.
    static func failNextSend(port: UInt16, with code: Int32) -> Int {
        FaultInjection.fail(.sendmmsg, with: code, where: { descriptor in
            (try? Syscalls.localAddress(descriptor))?.port == port
        })
    }

    @Test func aRefusalOfGSOSendsTheSameRepliesOneByOneAndIsCountedOnce() throws {
        let run = try Self.startEcho()
        let rule = Self.failNextSend(port: run.boundAddress.port, with: EIO)
        defer { FaultInjection.remove(rule) }
        let seen = try Self.exchange(with: run.boundAddress, messages: 5) { _ in false }
        #expect(waitUntil(seconds: 10) { EchoTotals(words: run.counters.sum())[.replies] >= 320 })
        run.stop()
        let totals = EchoTotals(words: run.counters.sum())
        #expect(FaultInjection.remaining(rule) == 0)
        #expect(seen == (0..<5).flatMap { message in (0..<64).map { Self.segment(message, $0) } })
        #expect(totals[.requests] == 320)
        #expect(totals[.replies] == 320)
        #expect(totals.notAnswered == 0)
        #expect(totals[.replyBytes] == 320 * 32)
        #expect(totals[.gsoFallbacks] == 1)
        #expect(totals[.gsoMessages] == 0, "the refused reply went one datagram at a time, and every later one")
        #expect(run.control.noticesGiven
                == ["mpps echo: the kernel refused a GSO reply (input/output error): answering one datagram per message from now on"])
        #expect(run.control.failureMessage == nil)
    }

    @Test func aFailedGSOReplyCountsAllItsSegmentsAsSendErrors() throws {
        let run = try Self.startEcho()
        let rule = Self.failNextSend(port: run.boundAddress.port, with: EPERM)
        defer { FaultInjection.remove(rule) }
        let seen = try Self.exchange(with: run.boundAddress, messages: 5) { $0 == 0 }
        #expect(waitUntil(seconds: 10) { EchoTotals(words: run.counters.sum())[.replies] >= 256 })
        run.stop()
        let totals = EchoTotals(words: run.counters.sum())
        #expect(FaultInjection.remaining(rule) == 0)
        #expect(seen == (1..<5).flatMap { message in (0..<64).map { Self.segment(message, $0) } })
        #expect(totals[.requests] == 320)
        #expect(totals[.replies] == 256)
        #expect(totals[.sendErrors] == 64, "one GSO reply refused: all 64 of its requests unanswered")
        #expect(totals.notAnswered == 64)
        #expect(totals[.replyBytes] == 256 * 32)
        #expect(totals[.gsoMessages] == 4)
        #expect(totals[.gsoFallbacks] == 0)
        #expect(run.control.noticesGiven.isEmpty)
    }
}
#endif
