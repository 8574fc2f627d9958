/// Whether this kernel offers UDP GSO, GRO and SO_REUSEPORT steering, probed
/// once per process on a throw-away socket. A feature can still fail later on a particular route
/// (GSO needs checksum offload on the outgoing device: `EIO`); senders treat
/// that as a reason to fall back, not to stop.
public enum Offload {
    /// True when `setsockopt(UDP_SEGMENT)` is accepted (Linux 4.18 or later).
    public static let segmentationSupported: Bool = {
        guard var socket = try? UDPSocket(family: .inet) else { return false }
        return (try? socket.setSegmentSize(1)) != nil
    }()

    /// True when `setsockopt(UDP_GRO)` is accepted (Linux 5.0 or later).
    public static let receiveCoalescingSupported: Bool = {
        guard let socket = try? UDPSocket(family: .inet) else { return false }
        return (try? socket.setReceiveCoalescing(true)) != nil
    }()

    /// True when a classic BPF program can steer an SO_REUSEPORT group
    /// (`setsockopt(SO_ATTACH_REUSEPORT_CBPF)` with `SKF_AD_RANDOM`, Linux 4.5 or later).
    public static let reusePortSteeringSupported: Bool = {
        guard let socket = try? UDPSocket(family: .inet) else { return false }
        guard (try? socket.setReusePort(true)) != nil,
              (try? socket.bind(to: SocketAddress(ipv4: 127, 0, 0, 1, port: 0))) != nil else { return false }
        return (try? ReusePortSteering.random.attach(to: socket, groupSize: 1)) != nil
    }()
}
