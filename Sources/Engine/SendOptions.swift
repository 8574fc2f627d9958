#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Reporting
import Synchronization

/// How to send: what `mpps send` and `udpsender` take from their command lines.
package struct SendOptions: Sendable {
    /// Where to send; each target gets its own threads and connected sockets.
    package var targets = [SocketAddress(ipv4: 127, 0, 0, 1, port: 4321)]
    /// Sending threads per target.
    package var threadsPerTarget = 1
    /// Flows per target: connected sockets, each with its own source port and flow id,
    /// so that SO_REUSEPORT and RSS hashes can spread them. Flow `j` of a target is
    /// sent by that target's thread `j % threadsPerTarget`. nil: one per thread.
    package var flowsPerTarget: Int? = nil
    /// Bind the sending sockets to source ports from this one (the article uses 65400):
    /// flow `j` of every target uses port `sourcePort + j`. nil lets the kernel choose.
    package var sourcePort: UInt16? = nil
    /// UDP payload bytes per datagram.
    package var payload = 32
    /// Datagrams per `sendmmsg` call (with ``segments`` > 1, a call carries
    /// `batch / segments` messages of `segments` datagrams, at least one).
    package var batch = 1024
    /// Datagrams per message with UDP GSO; 1 sends each datagram as its own message.
    package var segments = 1
    /// CPUs to pin thread `i` to (`cpus[i % count]`); nil leaves threads unpinned.
    package var cpus: CPUList? = nil
    /// Send exactly this many datagrams in total, then stop; nil for no limit.
    package var count: UInt64? = nil
    /// Total datagrams per second over all threads; nil sends as fast as possible.
    package var rate: Double? = nil
    /// Write a ``PacketIO/SequenceHeader`` into each payload of 16 bytes or more,
    /// and end each flow with end-of-flow datagrams; false sends all-zero payloads.
    package var stampsSequence = true
    /// Makes the flow ids (the flow's index and a check): random per run, so that
    /// two senders to one receiver do not share flow ids, and a receiver given
    /// the key (`recv --flow-key`) counts only this sender's flows.
    package var flowKey = FlowKey.random()
    /// Send through AF_XDP sockets on this interface's TX queues (`send --xdp IF`),
    /// thread `i` on queue `i`, instead of UDP sockets; nil for sockets.
    package var xdp: XDPOptions? = nil
    /// With ``xdp``: the destination MAC address of every frame; nil looks each target up
    /// in the kernel's neighbour table.
    package var destinationMAC: MACAddress? = nil

    /// The defaults of `mpps send`.
    package init() {}

    /// The number of sending threads.
    package var threadCount: Int { targets.count * threadsPerTarget }

    /// Flows per target as they will be: ``flowsPerTarget``, or one per thread.
    package var flowCountPerTarget: Int { flowsPerTarget ?? threadsPerTarget }

    /// The number of flows, each a connected socket.
    package var flowCount: Int { targets.count * flowCountPerTarget }

    /// Why the flows cannot be set up as asked, in one line; nil when they can.
    package var flowProblem: String? {
        let flows = flowCountPerTarget
        if flows < threadsPerTarget {
            return "--flows \(flows) is fewer than --threads \(threadsPerTarget): every sending thread needs a flow of its own"
        }
        if let port = sourcePort, Int(port) + flows - 1 > 65535 {
            return "--src-port \(port) with --flows \(flows) needs ports up to \(Int(port) + flows - 1), beyond 65535: "
                + "use --src-port \(65536 - flows) or lower, or fewer flows"
        }
        return nil
    }

    /// The thread that sends flow `flow` (0..<``flowCount``): flows of target `t`
    /// go round-robin to that target's threads.
    package func thread(ofFlow flow: Int) -> Int {
        let target = flow / flowCountPerTarget
        return target * threadsPerTarget + flow % flowCountPerTarget % threadsPerTarget
    }

    /// Thread `index`'s part of `total`: an even split, the remainder to the first threads.
    package static func share(of total: UInt64, thread index: Int, threads: Int) -> UInt64 {
        let count = UInt64(threads)
        return total / count + (UInt64(index) < total % count ? 1 : 0)
    }
}
