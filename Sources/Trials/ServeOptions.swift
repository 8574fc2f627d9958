import PacketIO
import Reporting

/// What `mpps serve` was asked for.
package struct ServeOptions {
    /// Where the control server listens (TCP).
    package var listen = SocketAddress(ipv4: 0, 0, 0, 0, port: ServeProtocol.defaultPort)
    /// The shared key a client must prove it knows; nil lets any client in.
    package var key: [UInt8]?
    /// Seconds a client may stay silent before the server drops it.
    package var readTimeout = 10.0
    /// The longest a receiver may run: its `--duration` when the client gives none,
    /// so a client that vanishes without closing cannot leave a receiver running for ever.
    package var longestRun = 3600.0
    /// Connections open at once, at most.
    package var maximumConnections = 16
    /// With `serve --metrics ADDR:PORT`: each receiver serves its Prometheus page
    /// there while it runs (`recv --metrics`); nothing listens between receivers.
    package var metrics: String?
    /// The mpps executable the receivers run (this very build).
    package var executable: String
    /// Checks a client's `mpps recv` (or `mpps echo`) arguments by the command line's
    /// rules (that program's allow-list of options, the port floor); the error to send back, or nil.
    package var check: (ServeProtocol.Program, [String]) -> RunError?

    /// A server that runs `executable` as its receivers and echoes and checks their arguments with `check`.
    package init(executable: String, check: @escaping (ServeProtocol.Program, [String]) -> RunError?) {
        self.executable = executable
        self.check = check
    }
}
