#if canImport(Glibc)
import Glibc
#endif
import Testing
import PacketIO

// The one owner of TCP for `mpps serve` and /metrics: a listener and its
// connections, non-blocking, every "would wait" the same `.wouldBlock`.
@Suite struct StreamSocketTests {
    static let loopback = SocketAddress(ipv4: 127, 0, 0, 1, port: 0)

    /// Accepts the connection `client` made, waiting at most 5 s for it.
    static func accepted(_ listener: borrowing StreamListener) throws -> StreamSocket {
        let deadline = StreamSocket.deadline(seconds: 5)
        while MonotonicClock.now() < deadline {
            _ = listener.waitForConnection(milliseconds: 100)
            switch try listener.accept() {
            case .done(let connection): return connection
            case .wouldBlock: continue
            }
        }
        throw SocketError("accept", code: ETIMEDOUT)
    }

    @Test func aListenerWithNoOneWaitingWouldBlock() throws {
        let listener = try StreamListener(listeningOn: Self.loopback, backlog: 4)
        #expect(listener.address.port != 0)
        let nothing: Bool
        switch try listener.accept() {
        case .done: nothing = false
        case .wouldBlock: nothing = true
        }
        #expect(nothing)
    }

    @Test func bytesGoBothWaysAndTheEndIsDoneZero() throws {
        let listener = try StreamListener(listeningOn: Self.loopback, backlog: 4)
        let client = try StreamSocket(connectingTo: listener.address, seconds: 5)
        let server = try Self.accepted(listener)
        let serverPeer = server.peer
        let clientAddress = try Syscalls.localAddress(client.descriptor)
        #expect(serverPeer == clientAddress)

        var chunk = [UInt8](repeating: 0, count: 64)
        let early = try server.receive(into: &chunk)
        #expect(early == .wouldBlock)
        let sent = client.sendAll(Array("hello\n".utf8), until: StreamSocket.deadline(seconds: 5))
        #expect(sent)
        let readable = try server.wait(for: Int16(POLLIN), until: StreamSocket.deadline(seconds: 5))
        #expect(readable)
        let line = try server.receive(into: &chunk)
        #expect(line == .done(6))
        #expect(Array(chunk[0..<6]) == Array("hello\n".utf8))
        client.shutdownWriting()
        let ended = try server.wait(for: Int16(POLLIN), until: StreamSocket.deadline(seconds: 5))
        #expect(ended)
        let end = try server.receive(into: &chunk)
        #expect(end == .done(0))
    }

    @Test func sendAllToAPeerThatNeverReadsEndsAtItsDeadline() throws {
        let listener = try StreamListener(listeningOn: Self.loopback, backlog: 4)
        let client = try StreamSocket(connectingTo: listener.address, seconds: 5)
        let server = try Self.accepted(listener)
        // Far more than both sockets' buffers hold: the peer never reads, so the sender must give up.
        let start = MonotonicClock.now()
        let sent = server.sendAll([UInt8](repeating: 0x61, count: 64 << 20), until: StreamSocket.deadline(seconds: 0.3))
        let seconds = Double(MonotonicClock.now() - start) / 1e9
        #expect(!sent)
        #expect(seconds >= 0.29 && seconds < 5, "gave up after \(seconds) s")
        _ = client.descriptor
    }

    @Test func sendAllGivesUpWhenAskedTo() throws {
        let listener = try StreamListener(listeningOn: Self.loopback, backlog: 4)
        let client = try StreamSocket(connectingTo: listener.address, seconds: 5)
        let server = try Self.accepted(listener)
        var asked = 0
        let sent = server.sendAll([UInt8](repeating: 0x61, count: 64 << 20), until: StreamSocket.deadline(seconds: 30),
                                  sliceMilliseconds: 10, giveUp: { asked += 1; return asked == 3 })
        #expect(!sent)
        #expect(asked == 3)
        _ = client.descriptor
    }

    @Test func aStoppedListenerRefusesAndItsAcceptFails() throws {
        let listener = try StreamListener(listeningOn: Self.loopback, backlog: 4)
        listener.stop()
        let start = MonotonicClock.now()
        let woke = listener.waitForConnection(milliseconds: 5000)
        #expect(woke && MonotonicClock.now() - start < 2_000_000_000, "wakes at once")
        #expect(throws: SocketError("accept", code: EINVAL)) { _ = try listener.accept() }
        let address = listener.address
        #expect(throws: SocketError("connect", code: ECONNREFUSED)) {
            _ = try StreamSocket(connectingTo: address, seconds: 5)
        }
    }

    @Test func aTakenPortIsOneLineWithTheCallersAdvice() throws {
        let first = try StreamListener(listeningOn: Self.loopback, backlog: 4)
        let taken = first.address
        let error = #expect(throws: SocketError.self) { _ = try StreamListener(listeningOn: taken, backlog: 4) }
        #expect(error?.code == EADDRINUSE)
        #expect(error.map { StreamListener.failureMessage($0, listening: taken, inUse: "choose another port") }
                == "cannot listen on \(taken): address already in use (choose another port)")
    }

    #if DEBUG
    @Test func anAcceptFailureIsAnErrorAndAnAbortedPeerWouldBlock() throws {
        let listener = try StreamListener(listeningOn: Self.loopback, backlog: 4)
        FaultInjection.fail(.accept, with: EMFILE, descriptor: listener.descriptor)
        #expect(throws: SocketError("accept", code: EMFILE)) { _ = try listener.accept() }
        FaultInjection.fail(.accept, with: ECONNABORTED, descriptor: listener.descriptor)
        let aborted: Bool
        switch try listener.accept() {
        case .done: aborted = false
        case .wouldBlock: aborted = true
        }
        #expect(aborted)
    }
    #endif
}
