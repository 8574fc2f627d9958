#if canImport(Glibc)
import Glibc
#endif
import CMPPSLinux
import PacketIO

/// Requests to a network driver through `ioctl(SIOCETHTOOL)` on an AF_INET datagram
/// socket, as the `ethtool` program makes them: its statistics (`ethtool -S`),
/// its RSS hash fields (`ethtool -n IF rx-flow-hash udp4`) and its channels (`ethtool -l`).
///
/// None of these need privileges on current kernels. A driver that does not
/// implement a request (loopback, veth for RSS) gives a ``HostReadError`` of kind
/// ``HostReadError/Kind/unsupported``, never a crash.
package enum Ethtool {
    /// The statistic names the driver reports (`ETHTOOL_GSSET_INFO` for `ETH_SS_STATS`,
    /// then `ETHTOOL_GSTRINGS`). They change only when the driver is reconfigured
    /// (channels added, for example), so a reader polling values can keep them (``EthtoolReader``).
    /// The corresponding C call is `ioctl(fd, SIOCETHTOOL, &ifreq)`, twice.
    package static func statisticNames(interface: String) throws(HostReadError) -> [String] {
        let subject = "ethtool -S \(interface)"
        let count = try statisticCount(interface: interface, subject: subject)
        let stride = Int(CMPPSLinux_ETH_GSTRING_LEN)
        let header = Int(CMPPSLinux_ETHTOOL_GSTRINGS_DATA_OFFSET)
        // The kernel asks the driver for the count again and writes that many names:
        // room for more than we were told keeps a driver reconfigured in between from
        // writing past the buffer; a count beyond it fails the read instead.
        let capacity = count * 2 + 64
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: header + capacity * stride, alignment: 8)
        defer { buffer.deallocate() }
        // Safety: the header is written before the call; the kernel fills `len` names after it.
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: header + capacity * stride)
        let request = buffer.bindMemory(to: CMPPSLinux_ethtool_gstrings.self, capacity: 1)
        request.pointee = CMPPSLinux_ethtool_gstrings(cmd: CMPPSLinux_ETHTOOL_GSTRINGS, string_set: CMPPSLinux_ETH_SS_STATS, len: UInt32(count))
        try call(interface: interface, subject: subject, operation: "ETHTOOL_GSTRINGS", buffer)
        guard let names = statisticNames(reply: UnsafeRawBufferPointer(start: buffer, count: header + capacity * stride)) else {
            throw .malformed(subject, "the driver's statistic count changed from \(count) to \(request.pointee.len) during the read: read again")
        }
        return names
    }

    /// The names in an `ETHTOOL_GSTRINGS` reply as the kernel left it: the header's `len`,
    /// then `len` names of `ETH_GSTRING_LEN` bytes each, a name ending at its first NUL
    /// (one that fills all its bytes has none). Nil when `reply` is shorter than the header
    /// or than the names it announces. A pure function of the bytes, so it can be fuzzed.
    package static func statisticNames(reply: UnsafeRawBufferPointer) -> [String]? {
        let header = Int(CMPPSLinux_ETHTOOL_GSTRINGS_DATA_OFFSET)
        let stride = Int(CMPPSLinux_ETH_GSTRING_LEN)
        guard reply.count >= header, let lengthOffset = MemoryLayout<CMPPSLinux_ethtool_gstrings>.offset(of: \.len) else { return nil }
        let count = Int(reply.loadUnaligned(fromByteOffset: lengthOffset, as: UInt32.self))
        // Division, not multiplication: a count the table cannot hold is refused without overflow.
        guard count <= (reply.count - header) / stride else { return nil }
        var names: [String] = []
        names.reserveCapacity(count)
        for index in 0..<count {
            let start = header + index * stride
            let bytes = UnsafeRawBufferPointer(rebasing: reply[start..<start + stride])
            names.append(String(decoding: bytes.prefix(while: { $0 != 0 }), as: UTF8.self))
        }
        return names
    }

    /// The statistic values, in the order of ``statisticNames(interface:)`` (`ETHTOOL_GSTATS`).
    /// `expectedCount` is the number of names; a different count from the driver is an error
    /// (kind ``HostReadError/Kind/malformed``): read the names again.
    /// The corresponding C call is `ioctl(fd, SIOCETHTOOL, &ifreq)`.
    package static func statisticValues(interface: String, expectedCount: Int) throws(HostReadError) -> [UInt64] {
        let subject = "ethtool -S \(interface)"
        let header = Int(CMPPSLinux_ETHTOOL_STATS_DATA_OFFSET)
        let capacity = expectedCount * 2 + 64
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: header + capacity * 8, alignment: 8)
        defer { buffer.deallocate() }
        // Safety: as for the names, room beyond the expected count absorbs a driver that grew in between.
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: header + capacity * 8)
        let request = buffer.bindMemory(to: CMPPSLinux_ethtool_stats.self, capacity: 1)
        request.pointee = CMPPSLinux_ethtool_stats(cmd: CMPPSLinux_ETHTOOL_GSTATS, n_stats: UInt32(expectedCount))
        try call(interface: interface, subject: subject, operation: "ETHTOOL_GSTATS", buffer)
        guard let values = statisticValues(reply: UnsafeRawBufferPointer(start: buffer, count: header + capacity * 8)),
              values.count == expectedCount else {
            throw .malformed(subject, "the driver reported \(request.pointee.n_stats) statistics where it named \(expectedCount): read the names again")
        }
        return values
    }

    /// The values in an `ETHTOOL_GSTATS` reply as the kernel left it: the header's `n_stats`,
    /// then that many 64-bit counters. Nil when `reply` is shorter than the header or than
    /// the values it announces. A pure function of the bytes, so it can be fuzzed.
    package static func statisticValues(reply: UnsafeRawBufferPointer) -> [UInt64]? {
        let header = Int(CMPPSLinux_ETHTOOL_STATS_DATA_OFFSET)
        guard reply.count >= header, let countOffset = MemoryLayout<CMPPSLinux_ethtool_stats>.offset(of: \.n_stats) else { return nil }
        let count = Int(reply.loadUnaligned(fromByteOffset: countOffset, as: UInt32.self))
        guard count <= (reply.count - header) / 8 else { return nil }
        return (0..<count).map { reply.loadUnaligned(fromByteOffset: header + $0 * 8, as: UInt64.self) }
    }

    /// The driver's statistics as `ethtool -S IF` prints them: names, then values.
    package static func statistics(interface: String) throws(HostReadError) -> EthtoolStatistics {
        let names = try statisticNames(interface: interface)
        let values = try statisticValues(interface: interface, expectedCount: names.count)
        return EthtoolStatistics(interface: interface, names: names, values: values)
    }

    /// The fields the NIC hashes to choose an RX queue for a flow type (`ETHTOOL_GRXFH`),
    /// as `ethtool -n IF rx-flow-hash udp4` prints them. The corresponding C call is `ioctl(fd, SIOCETHTOOL, &ifreq)`.
    package static func flowHash(interface: String, flow: FlowType) throws(HostReadError) -> FlowHash {
        var request = CMPPSLinux_ethtool_rxfh(cmd: CMPPSLinux_ETHTOOL_GRXFH, flow_type: flow.kernelValue, data: 0)
        try withUnsafeMutableBytes(of: &request) { (bytes) throws(HostReadError) in
            try call(interface: interface, subject: "ethtool -n \(interface) rx-flow-hash \(flow.rawValue)",
                     operation: "ETHTOOL_GRXFH", bytes.baseAddress!)
        }
        return FlowHash(flow: flow, bits: request.data)
    }

    /// The driver's channel counts, current and maximum (`ETHTOOL_GCHANNELS`), as `ethtool -l IF` prints them.
    /// The corresponding C call is `ioctl(fd, SIOCETHTOOL, &ifreq)`.
    package static func channels(interface: String) throws(HostReadError) -> Channels {
        var request = CMPPSLinux_ethtool_channels()
        request.cmd = CMPPSLinux_ETHTOOL_GCHANNELS
        try withUnsafeMutableBytes(of: &request) { (bytes) throws(HostReadError) in
            try call(interface: interface, subject: "ethtool -l \(interface)", operation: "ETHTOOL_GCHANNELS", bytes.baseAddress!)
        }
        return Channels(maxReceive: Int(request.max_rx), maxTransmit: Int(request.max_tx), maxOther: Int(request.max_other),
                        maxCombined: Int(request.max_combined), receive: Int(request.rx_count), transmit: Int(request.tx_count),
                        other: Int(request.other_count), combined: Int(request.combined_count))
    }

    /// The number of statistics (`ETHTOOL_GSSET_INFO` for `ETH_SS_STATS`). A driver
    /// without statistics clears the set's bit rather than failing: that is "not supported" too.
    static func statisticCount(interface: String, subject: String) throws(HostReadError) -> Int {
        let header = Int(CMPPSLinux_ETHTOOL_SSET_INFO_DATA_OFFSET)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: header + 8, alignment: 8)
        defer { buffer.deallocate() }
        // Safety: one set is asked for, so the kernel writes one uint32_t count after the header.
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: header + 8)
        let request = buffer.bindMemory(to: CMPPSLinux_ethtool_sset_info.self, capacity: 1)
        request.pointee = CMPPSLinux_ethtool_sset_info(cmd: CMPPSLinux_ETHTOOL_GSSET_INFO, reserved: 0,
                                                       sset_mask: 1 << UInt64(CMPPSLinux_ETH_SS_STATS))
        try call(interface: interface, subject: subject, operation: "ETHTOOL_GSSET_INFO", buffer)
        guard request.pointee.sset_mask & (1 << UInt64(CMPPSLinux_ETH_SS_STATS)) != 0 else {
            throw error(subject: subject, operation: "ETHTOOL_GSSET_INFO", errno: EOPNOTSUPP, interface: interface)
        }
        return Int(UnsafeRawPointer(buffer).loadUnaligned(fromByteOffset: header, as: UInt32.self))
    }

    /// One `ioctl(fd, SIOCETHTOOL, &ifreq)` with `command` as `ifr_data`, on a fresh socket.
    static func call(interface: String, subject: String, operation: String, _ command: UnsafeMutableRawPointer) throws(HostReadError) {
        let name = Array(interface.utf8)
        guard !name.isEmpty, name.count < 16, !name.contains(0), !name.contains(UInt8(ascii: "/")) else {
            throw HostReadError(subject: subject, kind: .noSuchInterface, code: ENODEV,
                                reason: "'\(interface)' is not an interface name (1 to 15 bytes, no '/')")
        }
        let descriptor: Int32
        do throws(SocketError) {
            descriptor = try Syscalls.socket(domain: AF_INET, type: Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
        } catch {
            throw HostReadError(subject: subject, errno: error.code)
        }
        defer { Syscalls.close(descriptor) }
        var request = CMPPSLinux_ifreq_ethtool()
        withUnsafeMutableBytes(of: &request.name) { bytes in
            for (index, byte) in name.enumerated() { bytes[index] = byte }
        }
        request.data = command
        do throws(SocketError) {
            try Syscalls.ioctl(descriptor, UInt(CMPPSLinux_SIOCETHTOOL), &request, "ioctl(SIOCETHTOOL)")
        } catch {
            throw self.error(subject: subject, operation: operation, errno: error.code, interface: interface)
        }
    }

    /// The error for an ethtool request that failed with `code`, with a reason a person can act on.
    package static func error(subject: String, operation: String, errno code: Int32, interface: String) -> HostReadError {
        let message = HostReadError.message(for: code)
        let reason: String
        let kind: HostReadError.Kind
        switch code {
        case EOPNOTSUPP, ENOTTY:
            kind = .unsupported
            reason = "the driver of \(interface) does not support \(operation) (\(message))"
        case EINVAL:
            kind = .unsupported
            reason = "the driver of \(interface) rejects \(operation) (\(message))"
        case EPERM, EACCES:
            kind = .permissionDenied
            reason = "\(operation) needs CAP_NET_ADMIN (\(message)): run as root"
        case ENODEV, ENXIO:
            kind = .noSuchInterface
            reason = "no interface named \(interface) (\(message))"
        default:
            kind = .system
            reason = "\(operation) failed (\(message))"
        }
        return HostReadError(subject: subject, kind: kind, code: code, reason: reason)
    }
}
