#if DEBUG  // FaultInjection exists in debug builds only.
#if canImport(Glibc)
import Glibc
#endif
import Testing
import Synchronization
import CMPPSLinux
import PacketIO

// The errno paths no loopback run reaches, through the syscall layer's fault
// injection (debug builds only). Every rule matches one test's own descriptor
// or thread, so tests running in parallel never see each other's faults. Counts
// are exact on both sides: what the library says it sent is what arrived.

/// The socket's own `UDP_SEGMENT` setting, as the kernel reports it.
func socketSegmentSize(_ socket: borrowing UDPSocket) throws(SocketError) -> Int32 {
    try Syscalls.intOption(socket.descriptor, CMPPSLinux_SOL_UDP, CMPPSLinux_UDP_SEGMENT, "getsockopt(UDP_SEGMENT)")
}

/// Counts calls of one descriptor as a rule's predicate sees them, to fire on the nth.
final class CallCounter: Sendable {
    let calls = Atomic<Int>(0)
    /// True on the `nth` call (from 1) and only then.
    func isCall(_ nth: Int) -> Bool { calls.add(1, ordering: .relaxed).newValue == nth }
}

@Suite struct FaultInjectionTests {
    @Test func eagainOnSendmmsgSendsNothingAndTheNextCallSendsAll() throws {
        let receiver = try roomyReceiver(.inet)
        var sender = try UDPSocket(family: .inet)
        try sender.connect(to: try receiver.localAddress())
        let batch = stampedBatch(count: 20, payload: 24, segments: 1)

        FaultInjection.fail(.sendmmsg, with: EAGAIN, descriptor: sender.descriptor)
        let single = try batch.send(on: sender, to: 20)
        FaultInjection.fail(.sendmmsg, with: EAGAIN, descriptor: sender.descriptor)
        let blocked = batch.sendAll(to: 20, on: &sender)
        let rest = batch.sendAll(to: 20, on: &sender)

        #expect(single == 0)
        var expectedBlocked = SendOutcome()
        expectedBlocked.wouldBlock = true
        #expect(blocked == expectedBlocked)
        #expect(rest.messages == 20)
        #expect(rest.datagrams == 20)
        #expect(rest.calls == 1)
        #expect(!rest.wouldBlock)
        let seen = try stampsReceived(on: receiver, expected: 20)
        #expect(seen.map(\.index) == Array(0..<20))
        #expect(seen.map(\.length) == Array(repeating: 24, count: 20))
        #expect(seen.allSatisfy { $0.intact })
    }

    @Test func enobufsIsAnErrorForOneCallAndACountForSendAll() throws {
        let receiver = try roomyReceiver(.inet6)
        var sender = try UDPSocket(family: .inet6)
        try sender.connect(to: try receiver.localAddress())
        let batch = stampedBatch(count: 12, payload: 16, segments: 1)

        // One call: the error, with its operation.
        FaultInjection.fail(.sendmmsg, with: ENOBUFS, descriptor: sender.descriptor)
        let error = caught { () throws(SocketError) in _ = try batch.send(on: sender, to: 12) }
        #expect(error == SocketError("sendmmsg", code: ENOBUFS))
        #expect(error?.errno == .noBufferSpace)

        // sendAll: 5 messages go, then the queue is full; the count says 5 and the rest waits.
        let first = batch.sendAll(to: 5, on: &sender)
        FaultInjection.fail(.sendmmsg, with: ENOBUFS, descriptor: sender.descriptor)
        let stopped = batch.sendAll(from: 5, to: 12, on: &sender)
        let resumed = batch.sendAll(from: 5 + stopped.messages, to: 12, on: &sender)
        #expect(first.messages == 5)
        #expect(stopped.messages == 0)
        #expect(stopped.datagrams == 0)
        #expect(stopped.noBuffers == 1)
        #expect(stopped.calls == 0)
        #expect(stopped.error == nil)
        #expect(resumed.messages == 7)
        #expect(resumed.noBuffers == 0)
        let seen = try stampsReceived(on: receiver, expected: 12)
        #expect(seen.map(\.index) == Array(0..<12))
        #expect(seen.allSatisfy { $0.intact })
        try receiver.setReceiveTimeout(milliseconds: 20)
        let extra = try stampsReceived(on: receiver, expected: 1)
        #expect(extra.isEmpty)
    }

    @Test func refusalsAreCountedAndTheirMessagesSentAgain() throws {
        let receiver = try roomyReceiver(.inet)
        var sender = try UDPSocket(family: .inet)
        try sender.connect(to: try receiver.localAddress())
        let batch = stampedBatch(count: 10, payload: 16, segments: 1)
        FaultInjection.fail(.sendmmsg, with: ECONNREFUSED, times: 3, descriptor: sender.descriptor)
        let outcome = batch.sendAll(to: 10, on: &sender)
        #expect(outcome.refused == 3)
        #expect(outcome.messages == 10)
        #expect(outcome.datagrams == 10)
        #expect(outcome.calls == 1)
        let seen = try stampsReceived(on: receiver, expected: 10)
        #expect(seen.map(\.index) == Array(0..<10))
    }

    /// The kernel refuses a GSO send: the socket falls back once, says so once,
    /// and every datagram arrives exactly once, at a receiver counting datagrams and bytes.
    @Test(arguments: [(EIO, SocketAddress.Family.inet), (EINVAL, .inet), (EIO, .inet6), (EINVAL, .inet6)])
    func aRefusedGSOSendFallsBackOnceAndSendsEveryDatagramOnce(code: Int32, family: SocketAddress.Family) throws {
        let receiver = try roomyReceiver(family)
        var sender = try UDPSocket(family: family)
        try sender.connect(to: try receiver.localAddress())
        try sender.setSegmentSize(100)
        // 4 messages of 8 segments of 100 bytes, the last one 5 segments: 29 datagrams.
        let batch = stampedBatch(count: 29, payload: 100, segments: 8)

        FaultInjection.fail(.sendmmsg, with: code, descriptor: sender.descriptor)
        let first = batch.sendAll(to: 4, on: &sender)
        let stateAfter = sender.sendState
        let segmentSetting = try socketSegmentSize(sender)
        #expect(first.segmentationRefused == Errno(rawValue: code))
        #expect(first.messages == 4)
        #expect(first.datagrams == 29)
        #expect(first.resumeSegment == 0)
        #expect(first.calls == 1)  // the 29 single datagrams fit one call
        #expect(first.error == nil)
        #expect(stateAfter.maximumSegments == 1)
        #expect(!stateAfter.allowsSegmentation)
        #expect(stateAfter.segmentationRefusal == Errno(rawValue: code))
        #expect(segmentSetting == 0)
        let seen = try stampsReceived(on: receiver, expected: 29)
        #expect(seen.count == 29)
        #expect(seen.map(\.index) == Array(0..<29))
        #expect(seen.map(\.length).reduce(0, +) == 2900)
        #expect(seen.allSatisfy { $0.length == 100 && $0.intact })

        // Later sends remember: no fault now, no second notice, the same exact counts.
        let second = batch.sendAll(to: 4, on: &sender)
        #expect(second.segmentationRefused == nil)
        #expect(second.messages == 4)
        #expect(second.datagrams == 29)
        let again = try stampsReceived(on: receiver, expected: 29)
        #expect(again.map(\.index) == Array(0..<29))
        try receiver.setReceiveTimeout(milliseconds: 20)
        let extra = try stampsReceived(on: receiver, expected: 1)
        #expect(extra.isEmpty)
    }

    /// After a refusal a GSO message goes out one datagram at a time, so a call can
    /// end inside it: the outcome says where, and resuming there sends the rest once.
    @Test func aSendThatEndsInsideASplitMessageResumesExactly() throws {
        let receiver = try roomyReceiver(.inet)
        var sender = try UDPSocket(family: .inet)
        try sender.connect(to: try receiver.localAddress())
        try sender.setSegmentSize(16)
        // 200 messages of 7 datagrams: 1400, more than the 1024 one split call carries.
        let batch = stampedBatch(count: 1400, payload: 16, segments: 7)
        let descriptor = sender.descriptor
        FaultInjection.fail(.sendmmsg, with: EIO, descriptor: descriptor)
        // Call 1 is the refused GSO send, call 2 the first split one; fail call 3 with ENOBUFS.
        let counter = CallCounter()
        FaultInjection.fail(.sendmmsg, with: ENOBUFS, where: { $0 == descriptor && counter.isCall(2) })
        let first = batch.sendAll(to: 200, on: &sender)
        let second = batch.sendAll(from: first.messages, firstSegment: first.resumeSegment, to: 200, on: &sender)
        #expect(first.segmentationRefused == .ioError)
        #expect(first.datagrams == 1024)
        #expect(first.messages == 146)       // 146 × 7 = 1022 datagrams
        #expect(first.resumeSegment == 2)    // and 2 of the next message
        #expect(first.segmentedMessages == 0, "none went as a GSO send")
        #expect(first.noBuffers == 1)
        #expect(first.calls == 1)
        #expect(second.segmentationRefused == nil)
        #expect(second.datagrams == 376)
        #expect(second.messages == 54)
        #expect(second.resumeSegment == 0)
        #expect(second.noBuffers == 0)
        let seen = try stampsReceived(on: receiver, expected: 1400)
        #expect(seen.count == 1400)
        #expect(seen.map(\.index) == Array(0..<1400))
        #expect(seen.allSatisfy { $0.length == 16 && $0.intact })
    }

    /// The echo server's case: an unconnected socket, per-message destinations
    /// and segment sizes; after the refusal each datagram still reaches its own peer.
    @Test func aFallbackKeepsEachMessagesDestination() throws {
        var sender = try UDPSocket(family: .inet)
        let peers = try (0..<2).map { _ throws(SocketError) in SocketBox(try roomyReceiver(.inet)) }
        let batch = SendBatch(capacity: 4, payloadSize: 300, perMessageDestinations: true, perMessageSegmentSizes: true)
        var index = 0
        for m in 0..<4 {
            batch.setDestination(try peers[m % 2].socket.localAddress(), at: m)
            batch.setSegmentSize(100, at: m)
            batch.setMessageLength(300, at: m)
            for segment in 0..<3 {
                batch.withUnsafeMutableMessage(at: m) { stamp(UnsafeMutableRawBufferPointer(rebasing: $0[segment * 100..<segment * 100 + 100]), index: index) }
                index += 1
            }
        }
        FaultInjection.fail(.sendmmsg, with: EINVAL, descriptor: sender.descriptor)
        let outcome = batch.sendAll(to: 4, on: &sender)
        #expect(outcome.segmentationRefused == .invalidArgument)
        #expect(outcome.messages == 4)
        #expect(outcome.datagrams == 12)
        let even = try stampsReceived(on: peers[0].socket, expected: 6)
        let odd = try stampsReceived(on: peers[1].socket, expected: 6)
        #expect(even.map(\.index) == [0, 1, 2, 6, 7, 8])
        #expect(odd.map(\.index) == [3, 4, 5, 9, 10, 11])
        #expect((even + odd).allSatisfy { $0.length == 100 && $0.intact })
    }

    @Test func eioOnABatchWithoutGSOIsAnErrorNotAFallback() throws {
        let receiver = try roomyReceiver(.inet)
        var sender = try UDPSocket(family: .inet)
        try sender.connect(to: try receiver.localAddress())
        let batch = stampedBatch(count: 4, payload: 16, segments: 1)
        FaultInjection.fail(.sendmmsg, with: EIO, descriptor: sender.descriptor)
        let outcome = batch.sendAll(to: 4, on: &sender)
        let state = sender.sendState
        #expect(outcome.error == SocketError("sendmmsg", code: EIO))
        #expect(outcome.messages == 0)
        #expect(outcome.segmentationRefused == nil)
        #expect(state == SendState())
    }

    @Test func enomemOnRecvmmsgIsSurfacedAndNothingIsMiscounted() throws {
        let receiver = try roomyReceiver(.inet)
        let sender = try UDPSocket(family: .inet)
        try sender.connect(to: try receiver.localAddress())
        let batch = stampedBatch(count: 6, payload: 20, segments: 1)
        _ = try batch.send(on: sender, to: 6)

        var inbound = ReceiveBatch(capacity: 16)
        FaultInjection.fail(.recvmmsg, with: ENOMEM, descriptor: receiver.descriptor)
        let error = caught { () throws(SocketError) in _ = try inbound.receive(from: receiver) }
        let (count, datagrams) = (inbound.count, inbound.totalDatagramCount())
        #expect(error == SocketError("recvmmsg", code: ENOMEM))
        #expect(error?.description == "recvmmsg: cannot allocate memory")
        #expect(count == 0)
        #expect(datagrams == 0)
        // Nothing was taken from the socket: the next call reads all six, once.
        let seen = try receiveDatagrams(&inbound, from: receiver, expected: 6)
        #expect(seen.map(\.index) == Array(0..<6))
        #expect(seen.allSatisfy { $0.intact })
    }

    @Test func emfileOnSocketNamesTheOperation() {
        let (message, code, operation) = onFreshThread { () -> (String?, Int32?, String?) in
            FaultInjection.failOnThisThread(.socket, with: EMFILE)
            let error = caught { () throws(SocketError) in _ = try UDPSocket(family: .inet) }
            return (error?.description, error?.code, error.map { "\($0.operation)" })
        }
        #expect(message == "socket: too many open files")
        #expect(code == EMFILE)
        #expect(operation == "socket")
        // The rule fired once: the next socket on any thread opens.
        let next = caught { () throws(SocketError) in _ = try UDPSocket(family: .inet) }
        #expect(next == nil)
    }
}
#endif
