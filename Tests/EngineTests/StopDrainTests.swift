import Testing
@testable import Engine
import PacketIO
import Reporting

/// A receiving thread reads what is queued when the stop comes: the datagrams that
/// arrived before a stop are counted, not left for the account to call lost, and a
/// limit is never read past. The worker runs on this thread with its stop already
/// requested, over datagrams queued beforehand.
@Suite struct StopDrainTests {
    /// A socket on 127.0.0.1 with `count` datagrams of 32 bytes queued (and room for them).
    static func queued(_ count: Int) throws -> UDPSocket {
        let socket = try UDPSocket(family: .inet)
        try socket.setReceiveBufferSize(8 << 20)
        try socket.setReceiveTimeout(milliseconds: ReceiveRun.idleWakeMilliseconds)
        try socket.bind(to: SocketAddress(ipv4: 127, 0, 0, 1, port: 0))
        var sender = try UDPSocket(family: .inet)
        try sender.connect(to: try socket.localAddress())
        let batch = SendBatch(capacity: 64, payloadSize: 32)
        var sent = 0
        while sent < count { sent += batch.sendAll(to: min(64, count - sent), on: &sender).datagrams }
        return socket
    }

    /// Runs a receiving loop over `socket` whose stop was requested before it began; returns its count.
    static func drain(_ socket: borrowing UDPSocket, limit: UInt64? = nil) -> (packets: UInt64, failure: SocketError?) {
        let control = RunControl()
        control.requestStop()
        let counters = ThreadCounters(count: 1)
        let sequences = SequenceCounters(count: 1)  // the slot points into it: it must outlive the loop
        let work = ReceiveWorker(descriptor: socket.descriptor, batch: 64, latch: StartLatch(), slotSize: 2048,
                                 coalescing: false, pauseNanoseconds: 0, limit: limit, slot: counters.slot(0),
                                 sequenceSlot: sequences.slot(0), stop: control.flag,
                                 total: control.sharedTotal, flowKeys: [])
        let (_, failure) = withExtendedLifetime(sequences) { work.run() }
        return (counters.read(0).packets, failure)
    }

    @Test func whatWasQueuedAtTheStopIsCounted() throws {
        let socket = try Self.queued(1000)
        let (packets, failure) = Self.drain(socket)
        #expect(failure == nil)
        #expect(packets == 1000)
        #expect(try UDPSocket.queuedBytes(descriptor: socket.descriptor) == 0)
    }

    @Test func aShutDownSocketIsReadToItsEndWithoutAFailure() throws {
        let socket = try Self.queued(700)
        try socket.shutdownReceiving()
        let (packets, failure) = Self.drain(socket)
        #expect(failure == nil, "the end a shutdown makes is the stop's, not a failure")
        #expect(packets == 700)
    }

    @Test func aLimitIsNotReadPastWhileDraining() throws {
        let socket = try Self.queued(500)
        let (packets, failure) = Self.drain(socket, limit: 130)
        #expect(failure == nil)
        #expect(packets == 130)
    }
}
