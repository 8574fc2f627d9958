import HostStats

/// The host's counters that explain lost datagrams, read at one moment.
public struct HostReading: Sendable {
    /// UDP counters of /proc/net/snmp and snmp6, IPv4 and IPv6 together.
    public var udp: UDPStatistics?
    /// Drops at this run's own sockets (SO_MEMINFO), summed.
    public var socketDrops: UInt64?

    /// Creates a reading.
    public init(udp: UDPStatistics? = nil, socketDrops: UInt64? = nil) {
        self.udp = udp
        self.socketDrops = socketDrops
    }
}

/// How the host's counters moved over an interval or a run.
public struct HostDelta: Equatable, Sendable {
    /// UDP datagrams delivered to sockets (InDatagrams).
    public var udpIn: UInt64 = 0
    /// Dropped because a socket's receive buffer was full (RcvbufErrors).
    public var rcvbufErrors: UInt64 = 0
    /// All UDP receive errors, including the two below and bad checksums (InErrors).
    public var inErrors: UInt64 = 0
    /// Arrived for a port nobody listens on (NoPorts).
    public var noPorts: UInt64 = 0
    /// Dropped because UDP's memory (net.ipv4.udp_mem) ran out (MemErrors).
    public var memErrors: UInt64 = 0
    /// Whether the UDP counters could be read at all.
    public var hasUDP = false
    /// Drops at this run's sockets, exactly; nil when not read.
    public var socketDrops: UInt64?

    /// Creates a delta; every counter defaults to 0.
    public init() {}

    /// The change from `earlier` to `later`.
    public init(from earlier: HostReading, to later: HostReading) {
        if let before = earlier.udp, let after = later.udp {
            let change = after.since(before)
            hasUDP = true
            udpIn = change["InDatagrams"]
            rcvbufErrors = change["RcvbufErrors"]
            inErrors = change["InErrors"]
            noPorts = change["NoPorts"]
            memErrors = change["MemErrors"]
        }
        if let before = earlier.socketDrops, let after = later.socketDrops {
            socketDrops = after >= before ? after - before : 0
        }
    }

    /// Receive errors that are neither a full buffer nor a lack of memory (bad checksums, say).
    public var otherErrors: UInt64 {
        inErrors > rcvbufErrors + memErrors ? inErrors - rcvbufErrors - memErrors : 0
    }

    /// One line per cause of loss, in words, with its rate over `seconds`;
    /// empty when nothing was dropped. The host's counters include other
    /// programs' traffic; the socket count is this run's alone.
    public func dropLines(seconds: Double) -> [String] {
        dropLines(amount: { Units.shortRate(Double($0) / max(seconds, 1e-9)) + "/s" })
    }

    /// The same lines with each count written by `amount` (a rate, or a plain total).
    public func dropLines(amount rate: (UInt64) -> String) -> [String] {
        var lines: [String] = []
        if rcvbufErrors > 0 {
            var line = "drops: \(rate(rcvbufErrors)) socket buffer full (RcvbufErrors): the application is not reading fast enough"
            if let socketDrops { line += " (\(rate(socketDrops)) at this run's sockets)" }
            lines.append(line)
        } else if let socketDrops, socketDrops > 0 {
            lines.append("drops: \(rate(socketDrops)) at this run's sockets (SO_MEMINFO): the application is not reading fast enough")
        }
        if memErrors > 0 {
            lines.append("drops: \(rate(memErrors)) UDP memory exhausted (MemErrors): raise net.ipv4.udp_mem, or read faster")
        }
        if otherErrors > 0 {
            lines.append("drops: \(rate(otherErrors)) other receive errors (InErrors, such as bad checksums)")
        }
        if noPorts > 0 {
            lines.append("drops: \(rate(noPorts)) sent to a port nobody listens on (NoPorts)")
        }
        return lines
    }
}

/// Reads the host's counters for a run: the UDP table, and the drops of the
/// run's own sockets through a closure the run provides.
public struct HostSampler: Sendable {
    let socketDrops: @Sendable () -> UInt64?

    /// A sampler; `socketDrops` sums SO_MEMINFO drops over the run's sockets.
    public init(socketDrops: @escaping @Sendable () -> UInt64? = { nil }) {
        self.socketDrops = socketDrops
    }

    /// Reads everything now. Runs on the reporting thread, never a worker.
    public func read() -> HostReading {
        HostReading(udp: UDPStatistics.current(), socketDrops: socketDrops())
    }
}
