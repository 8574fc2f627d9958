import PacketIO
import Reporting

/// How to echo: what `mpps echo` takes from its command line. The sockets,
/// threads, pinning and steering are a receiver's, so they are kept as one.
package struct EchoOptions: Sendable {
    /// Where to listen, the threads, `--reuseport`, `--steer`, `--cpus`, `--rcvbuf` and `--count`
    /// (requests, answered or not), as `mpps recv` reads them; ``ReceiveOptions/batch`` is the
    /// most requests one `recvmmsg` takes and one `sendmmsg` answers.
    package var receive = ReceiveOptions()

    /// Answer as `sockperf server` does: a request carrying sockperf's header is answered
    /// only when it asks for a reply (its pong flag), and the reply has the client flag
    /// cleared (sockperf's client ignores a message that still says it came from a client).
    /// Every other byte is returned as it came.
    package var sockperf = false

    /// Answer a request message UDP GRO coalesced (a run of equal segments from one
    /// source, the last maybe shorter) with GSO sends of the same bytes and the same
    /// segment size, in place of one reply message per segment: the kernel cuts them
    /// into the same datagrams. Needs ``ReceiveOptions/coalescing``; off with ``sockperf``
    /// (its clients send one datagram per message, and each reply's header is changed).
    package var segmentation = false

    /// The most replies one GSO reply message carries: `UDP_MAX_SEGMENTS` since UDP GSO
    /// came (Linux 4.18; raised to 128 in 2024, stable kernels included, so 64 is what every
    /// kernel takes), and `UDP_GRO_CNT_MAX`, the most segments GRO coalesces from a NIC. A longer run (a GSO send of more over loopback or veth, which
    /// the kernel hands over whole) is answered with several GSO messages.
    package static let segmentsPerReply = 64

    /// The bytes reserved per request: the largest UDP payload, so that every
    /// request a socket can receive is returned whole (one slot too small would
    /// cut a request short, and the echo answers none it cannot return byte for byte).
    package static let slotSize = 65536
    /// The largest reply: the largest UDP payload (over IPv6; 65507 over IPv4). It is
    /// also the reply slot of a GSO reply, which holds a whole coalesced message: GRO
    /// stops coalescing below 64 KiB with headers, and a GSO send is one UDP payload.
    package static let largestReply = 65527

    /// The defaults of `mpps echo`: 64 requests per call, 4 MiB of receive buffer per socket.
    package init() {
        receive.batch = 64
        receive.receiveBuffer = 4 << 20
    }
}
