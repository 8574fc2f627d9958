#if canImport(Glibc)
import Glibc
#endif
import HostStats
import PacketIO
import Testing

/// The bytes a receiver's socket still holds, from /proc/PID/net/udp{,6}.
@Suite struct UDPReceiveQueueTests {
    let table = """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
          12: 0100007F:10E1 00000000:0000 07 00000000:00000A00 00:00000000 00000000     0        0 4711 2 0000000000000000 0
          13: 00000000:10E1 00000000:0000 07 00000000:00000100 00:00000000 00000000     0        0 4712 2 0000000000000000 0
          14: 0100007F:10E2 00000000:0000 07 00000000:0000FFFF 00:00000000 00000000     0        0 4713 2 0000000000000000 0
          15: garbage
          16: 0100007F:10E1 00000000:0000 07 00000000:XYZ 00:00000000 00000000     0        0 4714 2 0000000000000000 0

        """

    @Test func sumsTheQueuesOfThePortsSockets() {
        #expect(UDPReceiveQueue.queued(in: table, port: 4321) == 0xA00 + 0x100)
        #expect(UDPReceiveQueue.queued(in: table, port: 4322) == 0xFFFF)
        #expect(UDPReceiveQueue.queued(in: table, port: 1) == 0)
        #expect(UDPReceiveQueue.queued(in: "", port: 4321) == 0)
    }

    @Test func aLiveSocketsQueueIsSeen() throws {
        let receiver = try UDPSocket(family: .inet)
        try receiver.bind(to: SocketAddress(ipv4: 127, 0, 0, 1, port: 0))
        let port = try receiver.localAddress().port
        #expect(UDPReceiveQueue.bytes(port: port, processID: getpid()) == 0)
        let sender = try UDPSocket(family: .inet)
        let payload = [UInt8](repeating: 1, count: 100)
        for _ in 0..<3 { try payload.withUnsafeBytes { _ = try sender.send($0, to: SocketAddress(ipv4: 127, 0, 0, 1, port: port)) } }
        // Each queued datagram is charged with its buffer's true size, more than its 100 bytes.
        #expect((UDPReceiveQueue.bytes(port: port, processID: getpid()) ?? 0) >= 300)
    }
}
