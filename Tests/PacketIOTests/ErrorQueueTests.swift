#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Testing

/// A loopback port that was free a moment ago: bind, read it, close.
func closedPort(_ family: SocketAddress.Family) throws -> UInt16 {
    try { () throws(SocketError) -> UInt16 in try boundLoopbackSocket(family).localAddress().port }()
}

/// Whether `descriptor` reports POLLERR (an entry on its error queue) within `milliseconds`.
func errorArrives(_ descriptor: Int32, within milliseconds: Int32) throws -> Bool {
    var entries = [pollfd(fd: descriptor, events: 0, revents: 0)]
    _ = try Syscalls.poll(&entries, milliseconds: milliseconds)
    return entries[0].revents & Int16(POLLERR) != 0
}

/// Sends one datagram to `target` until an error is queued: the kernel rate-limits
/// ICMP errors host-wide (net.ipv4.icmp_msgs_per_sec), so one may not come.
func sendUntilRefused(_ sender: borrowing UDPSocket, to target: SocketAddress) throws -> Int {
    for attempt in 1...10 {
        if let failure = caught({ () throws(SocketError) in try sender.send([0x6d, 0x70, 0x70, 0x73], to: target) }) {
            guard failure.errno == .connectionRefused else { throw failure }
            return attempt  // the previous attempt's error, pending
        }
        if try errorArrives(sender.descriptor, within: 1000) { return attempt }
    }
    Issue.record("no ICMP error came back from \(target) in 10 attempts")
    return 0
}

/// The socket error queue on real loopback sockets: an unconnected sender with
/// IP_RECVERR / IPV6_RECVERR learns exactly which destination refused it.
@Suite("UDPSocket error queue")
struct ErrorQueueTests {
    @Test func anUnconnectedIPv4SenderLearnsOfTheClosedPortItSentTo() throws {
        let target = SocketAddress(ipv4: 127, 0, 0, 1, port: try closedPort(.inet))
        let sender = try UDPSocket(family: .inet)
        try sender.setReceiveErrors(true)
        let empty = try sender.nextQueuedError()
        #expect(empty == nil)
        let attempts = try sendUntilRefused(sender, to: target)
        #expect(attempts >= 1)
        let entry = try sender.nextQueuedError()
        #expect(entry == QueuedSocketError(errno: .connectionRefused, origin: .icmp, type: 3, code: 3, info: 0,
                                           destination: target, offender: SocketAddress(ipv4: 127, 0, 0, 1, port: 0)))
        #expect(entry?.description == "connection refused (icmp type 3 code 3) sending to \(target) (reported by 127.0.0.1)")
        try drain(sender)
    }

    @Test func anUnconnectedIPv6SenderLearnsOfTheClosedPortItSentTo() throws {
        let target = SocketAddress.ipv6Loopback(port: try closedPort(.inet6))
        let sender = try UDPSocket(family: .inet6)
        try sender.setReceiveErrors(true)
        let attempts = try sendUntilRefused(sender, to: target)
        #expect(attempts >= 1)
        let entry = try sender.nextQueuedError()
        #expect(entry == QueuedSocketError(errno: .connectionRefused, origin: .icmp6, type: 1, code: 4, info: 0,
                                           destination: target, offender: .ipv6Loopback(port: 0)))
        #expect(entry?.origin.description == "icmp6")
        try drain(sender)
    }

    /// Reading the entry clears the socket's pending error: the next send goes out and arrives.
    @Test func readingTheEntryLetsTheNextSendThrough() throws {
        let target = SocketAddress(ipv4: 127, 0, 0, 1, port: try closedPort(.inet))
        let receiver = try boundLoopbackSocket(.inet)
        try receiver.setReceiveTimeout(milliseconds: 5000)
        let sender = try UDPSocket(family: .inet)
        try sender.setReceiveErrors(true)
        let attempts = try sendUntilRefused(sender, to: target)
        #expect(attempts >= 1)
        try drain(sender)
        let sent = try sender.send(Array("after".utf8), to: try receiver.localAddress())
        #expect(sent == 5)
        var batch = ReceiveBatch(capacity: 4, slotSize: 64)
        let received = try batch.receive(from: receiver)
        #expect(received == 1)
        #expect(Array(batch.unsafeBytes(at: 0)) == Array("after".utf8))
    }

    /// Without the option an unconnected sender hears nothing, and its sends keep going out.
    @Test func withoutTheOptionTheQueueStaysEmpty() throws {
        let target = SocketAddress(ipv4: 127, 0, 0, 1, port: try closedPort(.inet))
        let sender = try UDPSocket(family: .inet)
        let first = try sender.send([1, 2, 3], to: target)
        let second = try sender.send([1, 2, 3], to: target)
        #expect(first == 3 && second == 3)
        let entry = try sender.nextQueuedError()
        #expect(entry == nil)
    }

    /// Reads every entry a retried send may have queued, then checks the queue is empty.
    func drain(_ sender: borrowing UDPSocket) throws {
        for _ in 0..<10 {
            guard let entry = try sender.nextQueuedError() else { return }
            #expect(entry.errno == .connectionRefused)
        }
        Issue.record("the error queue did not empty")
    }
}
