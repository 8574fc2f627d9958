#if DEBUG  // FaultInjection exists in debug builds only.
import Testing
import Synchronization
import PacketIO
@testable import Engine
import Reporting

/// Remembers which descriptors a fault already hit, so each socket is refused once.
final class OncePerDescriptor: Sendable {
    private let seen = Mutex<Set<Int32>>([])
    /// True the first time `descriptor` is asked about.
    func first(_ descriptor: Int32) -> Bool { seen.withLock { $0.insert(descriptor).inserted } }
}

/// `mpps send --gso` on a route that refuses GSO: the run falls back through the
/// library (per socket), says so once, and every datagram is sent and received
/// exactly once.
@Suite(.serialized) struct GSOFallbackRunTests {
    @Test func aRunWhoseGSOIsRefusedSendsEveryDatagramOnceWithOneNotice() throws {
        var receive = ReceiveOptions()
        receive.address = SocketAddress(ipv4: 127, 0, 0, 1, port: 0)
        receive.receiveBuffer = 8 << 20
        receive.count = 10_001
        let receiver = try ReceiveRun(receive)
        try receiver.start()
        let port = receiver.boundAddress.port

        // The run's own sockets are the ones connected to this receiver: match them by peer,
        // and fail the first sendmmsg of each with EIO, as a device without checksum offload does.
        let once = OncePerDescriptor()
        let rule = FaultInjection.fail(.sendmmsg, with: Errno.ioError.rawValue, times: 2, where: { descriptor in
            guard (try? Syscalls.peerAddress(descriptor))?.port == port else { return false }
            return once.first(descriptor)
        })
        defer { FaultInjection.remove(rule) }

        var send = SendOptions()
        send.targets = [receiver.boundAddress]
        send.flowsPerTarget = 2  // two sockets on one thread: each falls back on its own
        send.segments = 16
        send.count = 10_001      // 625 full messages and one of 1
        send.rate = 200_000
        let sender = try SendRun(send)
        try sender.start()
        #expect(waitUntil(seconds: 10) { sender.isFinished })
        #expect(waitUntil(seconds: 5) { receiver.counters.total().packets >= 10_001 })
        sender.stop()
        receiver.stop()

        #expect(FaultInjection.remaining(rule) == 0, "both sockets met the refusal")
        let sent = sender.counters.total()
        #expect(sent.packets == 10_001)
        #expect(sent.bytes == 320_032)
        #expect(sent.refused == 0)
        #expect(sent.noBuffers == 0)
        let received = receiver.counters.total()
        #expect(received.packets == 10_001)
        #expect(received.bytes == 320_032)
        #expect(received.truncated == 0)
        #expect(sender.control.noticesGiven
                == ["mpps send: the kernel refused a GSO send (input/output error): sending one datagram per message from now on"])
        #expect(sender.control.failureMessage == nil)
        #expect(receiver.control.failureMessage == nil)
        let report = receiver.sequenceReport()
        #expect(report.flows.count == 2)
        #expect(report.flows.map(\.unique).reduce(0, +) == 10_001)
        #expect(report.duplicates == 0)
    }
}
#endif
