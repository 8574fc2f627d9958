import PacketIO

/// Bytes waiting in the receive queues of the UDP sockets bound to one port,
/// from `/proc/PID/net/udp` and `udp6`: the table of that process's network
/// namespace, so a receiver inside `ip netns exec` is seen as it sees itself.
package enum UDPReceiveQueue {
    /// The bytes queued on `port` as `/proc/PROCESS/net/udp{,6}` show them; nil
    /// when neither table can be read.
    package static func bytes(port: UInt16, processID: Int32, files: HostFiles = HostFiles()) -> UInt64? {
        let tables = ["udp", "udp6"].compactMap { try? files.read("/proc/\(processID)/net/\($0)") }
        guard !tables.isEmpty else { return nil }
        return tables.map { queued(in: $0, port: port) }.saturatingSum()
    }

    /// The sum of `rx_queue` over the rows of one table whose local port is
    /// `port`. A row that does not have the kernel's shape is passed over.
    package static func queued(in table: String, port: UInt16) -> UInt64 {
        var total: UInt64 = 0
        for line in table.split(separator: "\n").dropFirst() {
            // "  12: 0100007F:10E1 00000000:0000 07 00000000:00000000 00:00000000 ..."
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 4,
                  let local = fields[1].split(separator: ":").last, UInt16(local, radix: 16) == port,
                  let receive = fields[4].split(separator: ":").last, let bytes = UInt64(receive, radix: 16)
            else { continue }
            total = total.addingSaturating(bytes)
        }
        return total
    }
}
