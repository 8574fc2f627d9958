#if canImport(Glibc)
import Glibc
#endif
import Testing
import PacketIO
@testable import Engine
import Reporting

/// Polls `condition` every 10 ms for at most `seconds` (shared by the BenchTests suites).
func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = MonotonicClock.now() + UInt64(seconds * 1e9)
    while MonotonicClock.now() < deadline {
        if condition() { return true }
        MonotonicClock.sleep(until: MonotonicClock.now() + 10_000_000)
    }
    return condition()
}

/// Starts a receiver with `receive`, then a sender with `send` aimed at the receiver's bound
/// address; waits until the sender has finished and the receiver has counted `expected`
/// datagrams; stops both and hands them back for their counters and notices.
func runReceiverAndSender(_ receive: ReceiveOptions, _ send: SendOptions, expected: UInt64) throws -> (receiver: ReceiveRun, sender: SendRun) {
    let receiver = try ReceiveRun(receive)
    try receiver.start()
    var send = send
    send.targets = [receiver.boundAddress]
    let sender = try SendRun(send)
    try sender.start()
    #expect(waitUntil(seconds: 10) { sender.isFinished })
    #expect(waitUntil(seconds: 5) { receiver.counters.total().packets >= expected })
    sender.stop()
    receiver.stop()
    return (receiver, sender)
}

/// Runs a receiver and a sender in this process over loopback and checks that
/// every datagram is counted exactly once on each side.
@Suite(.serialized) struct RunTests {
    @Test(arguments: ["127.0.0.1:0", "[::1]:0"])
    func countedRunsMatchExactly(listen: String) throws {
        var receive = ReceiveOptions()
        receive.address = try SocketAddress(parsing: listen)
        receive.count = 20_000
        receive.receiveBuffer = 16 << 20  // holds all 20,000 (see the reuseport test below)
        let receiver = try ReceiveRun(receive)
        try receiver.start()
        var send = SendOptions()
        send.targets = [receiver.boundAddress]
        send.count = 20_000
        send.rate = 200_000
        send.payload = 48
        let sender = try SendRun(send)
        try sender.start()
        #expect(waitUntil(seconds: 10) { sender.isFinished })
        #expect(waitUntil(seconds: 5) { receiver.control.isStopRequested })
        sender.stop()
        receiver.stop()
        #expect(sender.counters.total() == CounterSnapshot(packets: 20_000, bytes: 960_000, calls: sender.counters.total().calls))
        let received = receiver.counters.total()
        #expect(received.packets == 20_000)
        #expect(received.bytes == 960_000)
        #expect(received.truncated == 0)
        #expect(receiver.control.failureMessage == nil)
    }

    @Test func reuseportThreadsShareTheWorkAndTheCount() throws {
        var receive = ReceiveOptions()
        receive.address = SocketAddress(ipv4: 127, 0, 0, 1, port: 0)
        receive.threads = 2
        receive.reusePort = true
        // 16 MiB holds about 40,000 datagrams of 32 bytes on loopback (4 MiB about 10,000),
        // so the count stays exact even when a receiving thread gets no CPU for a while
        // (a loaded machine, or a sanitizer's slower loop): the hash may give one socket most flows.
        receive.receiveBuffer = 16 << 20
        let receiver = try ReceiveRun(receive)
        try receiver.start()
        var send = SendOptions()
        send.targets = [receiver.boundAddress]
        send.threadsPerTarget = 8  // eight source ports: the reuseport hash spreads flows, not datagrams
        send.count = 16_001
        send.rate = 160_000
        let sender = try SendRun(send)
        try sender.start()
        #expect(waitUntil(seconds: 10) { sender.isFinished })
        #expect(waitUntil(seconds: 5) { receiver.counters.total().packets == 16_001 })
        sender.stop()
        receiver.stop()
        #expect((0..<8).map { sender.counters.read($0).packets } == [2001, 2000, 2000, 2000, 2000, 2000, 2000, 2000])
        #expect(receiver.counters.total().packets == 16_001)
        #expect(receiver.counters.total().bytes == 16_001 * 32)
    }

    @Test func theCountIsSplitEvenly() {
        #expect((0..<3).map { SendOptions.share(of: 10, thread: $0, threads: 3) } == [4, 3, 3])
        #expect((0..<4).map { SendOptions.share(of: 2, thread: $0, threads: 4) } == [1, 1, 0, 0])
    }

    @Test func aBusyPortIsExplained() throws {
        var receive = ReceiveOptions()
        receive.address = SocketAddress(ipv4: 127, 0, 0, 1, port: 0)
        let first = try ReceiveRun(receive)
        receive.address = first.boundAddress
        #expect(throws: RunError("cannot listen on \(first.boundAddress): address already in use (another program holds it: give every receiver --reuseport, or choose another port)")) {
            _ = try ReceiveRun(receive)
        }
        // A reuseport receiver cannot join a socket that did not set SO_REUSEPORT either.
        receive.reusePort = true
        #expect(throws: RunError("cannot listen on \(first.boundAddress): address already in use (another program holds it without SO_REUSEPORT, or as another user: stop it, or choose another port)")) {
            _ = try ReceiveRun(receive)
        }
    }

    @Test func refusedSendsAreCountedNotFatal() throws {
        // Find a port nobody listens on: bind one, note it, close it.
        let port: UInt16 = try {
            let probe = try UDPSocket(family: .inet)
            try probe.bind(to: SocketAddress(ipv4: 127, 0, 0, 1, port: 0))
            return try probe.localAddress().port
        }()
        var send = SendOptions()
        send.targets = [SocketAddress(ipv4: 127, 0, 0, 1, port: port)]
        send.count = 100
        send.batch = 1
        let sender = try SendRun(send)
        try sender.start()
        #expect(waitUntil(seconds: 10) { sender.isFinished })
        sender.stop()
        let total = sender.counters.total()
        #expect(total.packets == 100)
        #expect(total.refused >= 1)
        #expect(sender.control.failureMessage == nil)
    }
}

/// GSO senders and GRO receivers count datagrams, never messages.
@Suite(.serialized) struct OffloadRunTests {
    @Test func moderationDefaultsByGRO() {
        var options = ReceiveOptions()
        #expect(options.moderation == 0)
        options.coalescing = true
        #expect(options.moderation == 50)
        options.moderationMicroseconds = 0
        #expect(options.moderation == 0)
        options.coalescing = false
        options.moderationMicroseconds = 200
        #expect(options.moderation == 200)
    }

    /// (GRO, GSO segments, receive moderation in µs; nil: the default, 50 with GRO, 0 without).
    @Test(arguments: [(false, 64, nil), (true, 64, nil), (true, 1, nil), (false, 64, 2000), (true, 64, 0)] as [(Bool, Int, Int?)])
    func countsAreExactWithOffloads(coalescing: Bool, segments: Int, moderation: Int?) throws {
        var receive = ReceiveOptions()
        receive.address = SocketAddress(ipv4: 127, 0, 0, 1, port: 0)
        receive.coalescing = coalescing
        receive.moderationMicroseconds = moderation
        receive.receiveBuffer = 8 << 20
        var send = SendOptions()
        send.segments = segments
        send.count = 10_001  // 156 full messages of 64 and one of 17
        send.rate = 200_000
        let (receiver, sender) = try runReceiverAndSender(receive, send, expected: 10_001)
        let sent = sender.counters.total()
        #expect(sent.packets == 10_001)
        #expect(sent.bytes == 320_032)
        let received = receiver.counters.total()
        #expect(received.packets == 10_001)
        #expect(received.bytes == 320_032)
        #expect(received.truncated == 0)
        if segments > 1 {
            // Far fewer calls than datagrams: the offload really carried several per trip.
            #expect(sent.calls < 10_001 / 8, "\(sent.calls) send calls")
        }
        #expect(sender.control.noticesGiven == [])
        #expect(receiver.control.noticesGiven == [])
    }
}

/// `--rx-usecs`: a receiver that waits after emptying its socket reads the same datagrams in far fewer calls.
@Suite(.serialized) struct ModerationRunTests {
    /// 20,000 datagrams trickling in over 0.2 s, a few at a time (a sender with batch 1 at 100k/s).
    /// Read at once, they take thousands of calls; waiting 2 ms after each call that emptied the
    /// socket, at most one such call per 2 ms (about 100) plus full batches. Load on the machine
    /// only makes batches fuller, so the bound holds however busy it is.
    @Test(arguments: [2000, 0])
    func waitingGathersBatches(moderation: Int) throws {
        var receive = ReceiveOptions()
        receive.address = SocketAddress(ipv4: 127, 0, 0, 1, port: 0)
        receive.moderationMicroseconds = moderation
        receive.receiveBuffer = 8 << 20
        var send = SendOptions()
        send.count = 20_000
        send.batch = 1
        send.rate = 100_000
        let (receiver, _) = try runReceiverAndSender(receive, send, expected: 20_000)
        let received = receiver.counters.total()
        #expect(received.packets == 20_000)
        if moderation > 0 {
            #expect(received.calls <= 300, "\(received.calls) calls for 20000 datagrams")
        } else {
            print("waitingGathersBatches: without a wait, \(received.calls) calls for 20000 datagrams")
        }
    }
}
