#if canImport(Glibc)
import Glibc
#endif
import PacketIO

/// The UDP rows of `/proc/net/snmp` (or `/proc/net/snmp6`): the counters
/// `netstat -s --udp` prints, by name (`InDatagrams`, `RcvbufErrors`, ...).
package struct UDPStatistics: Equatable, Sendable {
    /// Counter name to value. Names are the kernel's, without a prefix
    /// (`Udp6InDatagrams` in snmp6 becomes `InDatagrams`).
    package var counters: [String: UInt64]

    /// Creates statistics from a dictionary.
    package init(counters: [String: UInt64]) { self.counters = counters }

    /// A counter by name, 0 if the kernel does not report it.
    package subscript(_ name: String) -> UInt64 { counters[name] ?? 0 }

    /// Parses `/proc/net/snmp` text: a `Udp:` line of names followed by a `Udp:` line of values.
    package static func parseSNMP(_ text: String) -> UDPStatistics? {
        let rows = text.split(separator: "\n").filter { $0.hasPrefix("Udp: ") }
        guard rows.count >= 2 else { return nil }
        let names = rows[0].split(separator: " ").dropFirst()
        let values = rows[1].split(separator: " ").dropFirst()
        guard names.count == values.count else { return nil }
        var counters: [String: UInt64] = [:]
        for (name, value) in zip(names, values) {
            guard let number = UInt64(value) else { return nil }
            counters[String(name)] = number
        }
        return UDPStatistics(counters: counters)
    }

    /// Parses `/proc/net/snmp6` text: one `Udp6Name value` per line.
    package static func parseSNMP6(_ text: String) -> UDPStatistics? {
        var counters: [String: UInt64] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("Udp6") && !line.hasPrefix("UdpLite6") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count == 2, let value = UInt64(fields[1]) else { continue }
            counters[String(fields[0].dropFirst(4))] = value
        }
        return counters.isEmpty ? nil : UDPStatistics(counters: counters)
    }

    /// IPv4 and IPv6 UDP counters of this host (or of the tree `files` reads) added together (at most UInt64.max), read now.
    /// Nil when /proc/net/snmp cannot be read.
    package static func current(_ files: HostFiles = HostFiles()) -> UDPStatistics? {
        guard let v4 = (try? files.read("/proc/net/snmp")).flatMap(parseSNMP) else { return nil }
        guard let v6 = (try? files.read("/proc/net/snmp6")).flatMap(parseSNMP6) else { return v4 }
        // Saturating: two counters near 2⁶⁴ (a corrupt file) must not trap the monitor.
        return UDPStatistics(counters: v4.counters.merging(v6.counters) { $0.addingSaturating($1) })
    }

    /// Each counter's growth since `earlier` (counters that shrank, after a wrap or reset, give 0).
    package func since(_ earlier: UDPStatistics) -> UDPStatistics {
        UDPStatistics(counters: counters.reduce(into: [:]) { result, entry in
            let before = earlier.counters[entry.key] ?? 0
            result[entry.key] = entry.value >= before ? entry.value - before : 0
        })
    }
}
