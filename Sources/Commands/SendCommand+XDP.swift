import Engine
import PacketIO
import Reporting

extension SendCommand {
    /// `--xdp IF`, `--xdp-mode` and `--dst-mac`, checked against the options AF_XDP cannot honour.
    static func readXDP(_ arguments: Arguments, into send: inout SendOptions) throws(RunError) {
        let mode = arguments.text("--xdp-mode")
        let mac = arguments.text("--dst-mac")
        guard let interface = arguments.text("--xdp") else {
            if mode != nil { throw arguments.usage("--xdp-mode needs --xdp IF") }
            if mac != nil { throw arguments.usage("--dst-mac needs --xdp IF: the socket path leaves MAC addresses to the kernel") }
            return
        }
        var xdp = XDPOptions(interface: interface)
        switch mode {
        case nil, "copy"?: xdp.zeroCopy = false
        case "zerocopy"?: xdp.zeroCopy = true
        case let other?: throw arguments.usage("--xdp-mode must be 'copy' or 'zerocopy', not '\(other)'")
        }
        if let mac {
            guard let parsed = MACAddress(parsing: mac) else {
                throw arguments.usage("--dst-mac must be six pairs of hex digits like 02:00:00:00:00:01, not '\(mac)'")
            }
            send.destinationMAC = parsed
        }
        if send.segments > 1 {
            throw arguments.usage("--gso is for UDP sockets; --xdp sends whole frames, one datagram each, without GSO")
        }
        send.xdp = xdp
    }
}
