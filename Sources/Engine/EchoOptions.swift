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

    /// The bytes reserved per request: the largest UDP payload, so that every
    /// request a socket can receive is returned whole (one slot too small would
    /// cut a request short, and the echo answers none it cannot return byte for byte).
    package static let slotSize = 65536
    /// The largest reply: the largest UDP payload (over IPv6; 65507 over IPv4).
    package static let largestReply = 65527

    /// The defaults of `mpps echo`: 64 requests per call, 4 MiB of receive buffer per socket.
    package init() {
        receive.batch = 64
        receive.receiveBuffer = 4 << 20
    }
}
