#if canImport(Glibc)
import Glibc
#endif
import HostStats
import PacketIO
import Reporting
import Synchronization

/// How to receive: what `mpps recv` and `udpreceiver1` take from their command lines.
package struct ReceiveOptions: Sendable {
    /// Where to listen.
    package var address = SocketAddress(ipv4: 0, 0, 0, 0, port: 4321)
    /// Receiving threads.
    package var threads = 1
    /// One SO_REUSEPORT socket per thread; otherwise the threads share one socket.
    package var reusePort = false
    /// CPUs to pin thread `i` to (`cpus[i % count]`); nil leaves threads unpinned.
    package var cpus: CPUList? = nil
    /// Datagrams per `recvmmsg` call.
    package var batch = 512
    /// Requested receive buffer per socket in bytes; nil keeps the kernel default.
    package var receiveBuffer: Int? = nil
    /// Stop after this many datagrams; nil for no limit.
    package var count: UInt64? = nil
    /// Bytes reserved per datagram; longer datagrams are truncated and counted.
    /// With ``coalescing`` every message gets 64 KiB instead.
    package var slotSize = 2048
    /// Turn UDP GRO on: the kernel may coalesce datagrams of a flow into one
    /// message; they are split again by segment size and counted one by one.
    package var coalescing = false
    /// Microseconds a thread waits after a call that emptied its socket before the
    /// next call, so that datagrams gather into a batch and the kernel wakes the
    /// thread less often: a NIC's interrupt moderation (`ethtool -C rx-usecs`) in
    /// user space. It adds at most this much latency, and only under load; 0 reads
    /// again at once, blocking until the next datagram (the article's loop). nil
    /// chooses by ``coalescing``: see ``moderation``.
    package var moderationMicroseconds: Int? = nil
    /// How the kernel spreads datagrams over the SO_REUSEPORT group: anything but
    /// ``SteeringMode/hash`` needs ``reusePort``; ``SteeringMode/cpu`` pins thread `i`
    /// to its own CPU (see ``threadCPUs``) and needs one CPU per thread.
    package var steering = SteeringMode.hash

    /// Receive through AF_XDP sockets on an interface instead of UDP sockets (`--xdp IF`); nil for UDP.
    package var xdp: XDPOptions? = nil

    /// The keys of the senders whose flows to count (`--flow-key`); empty counts
    /// every flow id. A header of a flow no key made is counted as implausible.
    package var flowKeys: [FlowKey] = []

    /// The most keys one receiver takes.
    package static let maximumFlowKeys = 16

    /// The defaults of `mpps recv`.
    package init() {}

    /// The wait ``moderationMicroseconds`` asks for, or when nil the measured default:
    /// 50 µs with GRO, where each wake-up brings a message of up to 64 datagrams and
    /// waiting for more pays (here 16–19 against 14–17 M datagrams/s, 18–21 against
    /// 26–31 ns of CPU per datagram); none without, where the bursts a wait gathers cost the
    /// reader more to free than the wake-ups save (docs/commands.md, BENCHMARKS.md).
    /// With ``xdp``, ``xdpModeration``: an AF_XDP ring holds thousands of frames, so a longer wait is safe.
    package var moderation: Int {
        moderationMicroseconds ?? (xdp != nil ? Self.xdpModeration : coalescing ? 50 : 0)
    }

    /// The wait after an emptied AF_XDP ring, in microseconds: 4096 frames last 4 ms at a
    /// million datagrams per second, and each wake-up saved is a poll and an IPI saved.
    package static let xdpModeration = 200

    /// The values ``moderationMicroseconds`` accepts: at most 10 ms, which at 1 M
    /// datagrams/s is already more than a 4 MiB receive buffer holds.
    package static let moderationRange = 0...10_000
}

extension ReceiveOptions {
    /// Where the kernel does these receivers' softirq work: on loopback (an address in
    /// 127.0.0.0/8 or ::1, sockets rather than AF_XDP) in each sender's own context, on
    /// its CPU; otherwise on the CPUs serving the interface's RX queues. A wildcard
    /// address may take both; the findings then speak of the network.
    package var delivery: ReceiveDelivery {
        guard xdp == nil else { return .network }
        let host = address.hostDescription
        return host.hasPrefix("127.") || host == "::1" ? .loopback : .network
    }
}
