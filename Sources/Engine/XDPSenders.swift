#if canImport(Glibc)
import Glibc
#endif
import HostStats
import PacketIO
import Reporting
import Synchronization

/// The AF_XDP side of a ``SendRun`` (`mpps send --xdp IF`): one frame template per flow
/// and one transmit socket per thread, thread `i` on TX queue `i` of the interface.
///
/// Everything that can be refused is checked here, before any thread starts, and each
/// refusal is one line that names the fix. A sender attaches no program: nothing is
/// left on the interface, and the sockets close with this value or the process.
final class XDPSenders: @unchecked Sendable {
    /// One socket per thread, by queue.
    let sockets: [XDPTransmitBox]
    /// The frames of each flow, by flow index.
    let templates: [UDPFrameTemplate]
    /// Whether the sockets run in zero-copy mode.
    let zeroCopy: Bool
    /// The interface's name.
    let interface: String

    /// Builds the templates from each flow's socket address (`sources`, by flow: the source
    /// address and port the socket path would use) and opens the sockets.
    init(_ options: SendOptions, _ xdp: XDPOptions, sources: [SocketAddress], control: RunControl,
         files: HostFiles = HostFiles()) throws(RunError) {
        let name = xdp.interface
        interface = name
        guard let index = Syscalls.interfaceIndex(name) else {
            let names = (try? NetworkInterface.names(files)) ?? []
            throw RunError("no interface named '\(name)' for --xdp (interfaces: \(names.joined(separator: ", ")))", status: RunError.usage)
        }
        let sourceMAC = try Self.sourceMAC(name, files)
        var found: [SocketAddress: MACAddress] = [:]
        var templates: [UDPFrameTemplate] = []
        for flow in 0..<options.flowCount {
            let target = options.targets[flow / options.flowCountPerTarget]
            let mac: MACAddress
            if let given = options.destinationMAC ?? found[target] {
                mac = given
            } else {
                mac = try Self.neighbour(target, interfaceIndex: index, name: name)
                found[target] = mac
            }
            templates.append(UDPFrameTemplate(source: sources[flow], destination: target, sourceMAC: sourceMAC,
                                              destinationMAC: mac, payloadLength: options.payload))
        }
        self.templates = templates
        try Self.checkFrames(templates, payload: options.payload, name: name, files)
        try Self.checkQueues(name, threads: options.threadCount, files)
        var boxes: [XDPTransmitBox] = []
        var zeroCopy = xdp.zeroCopy
        for queue in 0..<options.threadCount {
            boxes.append(XDPTransmitBox(try Self.openSocket(index: index, queue: queue, name: name, zeroCopy: &zeroCopy, control: control)))
        }
        sockets = boxes
        self.zeroCopy = zeroCopy
    }

    /// The interface's own MAC address, from sysfs.
    private static func sourceMAC(_ name: String, _ files: HostFiles) throws(RunError) -> MACAddress {
        let text = (try? files.value(NetworkInterface.directory(name) + "/address")) ?? ""
        guard let mac = MACAddress(parsing: text) else {
            throw RunError("\(name) has no Ethernet address ('\(text)'): --xdp sends Ethernet frames; use an Ethernet or veth interface")
        }
        return mac
    }

    /// The MAC address of `target` in the kernel's neighbour table, or the line that says how to get one there.
    private static func neighbour(_ target: SocketAddress, interfaceIndex: UInt32, name: String) throws(RunError) -> MACAddress {
        let host = target.hostDescription
        let found: MACAddress?
        do throws(SocketError) {
            found = try NeighbourTable.linkAddress(of: target.withPort(0), interfaceIndex: interfaceIndex)
        } catch {
            throw RunError("cannot read the kernel's neighbour table (\(error)): give the destination's MAC address with --dst-mac")
        }
        guard let found else {
            let ping = target.family == .inet6 ? "ping -6 -c 1 \(host)" : "ping -c 1 \(host)"
            throw RunError("no neighbour entry for \(host) on \(name): the kernel has not resolved its MAC address; "
                + "run '\(ping)' first, or give it with --dst-mac (the router's, for a target behind one)")
        }
        return found
    }

    /// Every frame must fit the interface's MTU and a UMEM frame.
    private static func checkFrames(_ templates: [UDPFrameTemplate], payload: Int, name: String, _ files: HostFiles) throws(RunError) {
        guard let longest = templates.max(by: { $0.frameLength < $1.frameLength }) else { return }
        let headers = longest.payloadOffset
        let frameSize = XDPTransmitSocket.defaultFrameSize
        if longest.frameLength > frameSize {
            throw RunError("--payload \(payload) makes frames of \(longest.frameLength) bytes, more than AF_XDP's \(frameSize)-byte frames: "
                + "use --payload \(frameSize - headers) or less with --xdp", status: RunError.usage)
        }
        guard let mtu = try? files.integer(NetworkInterface.directory(name) + "/mtu"), longest.frameLength - 14 > mtu else { return }
        throw RunError("--payload \(payload) makes IP packets of \(longest.frameLength - 14) bytes, more than the MTU of \(name) (\(mtu)): "
            + "use --payload \(mtu + 14 - headers) or less, or raise it with 'ip link set dev \(name) mtu \(longest.frameLength - 14)'")
    }

    private static func checkQueues(_ name: String, threads: Int, _ files: HostFiles) throws(RunError) {
        guard let entries = try? files.list(NetworkInterface.directory(name) + "/queues") else { return }
        let queues = InterfaceQueues.indexes(entries, prefix: "tx-").count
        guard queues < threads else { return }
        throw queueMissing(name, queue: threads - 1, queues: queues)
    }

    private static func queueMissing(_ name: String, queue: Int, queues: Int?) -> RunError {
        let have = queues.map { "has \($0) TX queue\($0 == 1 ? "" : "s")" } ?? "has no TX queue \(queue)"
        return RunError("\(name) \(have), and --xdp needs queues 0-\(queue), one per sending thread: raise them with "
            + "'ethtool -L \(name) tx \(queue + 1)' (or 'combined \(queue + 1)'), or use fewer threads")
    }

    /// Opens the socket of `queue`: zero-copy falls back to copy with a notice; a busy
    /// queue is tried again for a second (a socket of a process that just ended).
    private static func openSocket(index: UInt32, queue: Int, name: String, zeroCopy: inout Bool,
                                   control: RunControl) throws(RunError) -> XDPTransmitSocket {
        var busy = 0
        while true {
            do throws(SocketError) {
                return try XDPTransmitSocket(interfaceIndex: index, queue: UInt32(queue), zeroCopy: zeroCopy)
            } catch {
                let bind = "\(error.operation)" == "bind(AF_XDP)"
                if zeroCopy && bind && error.code != EBUSY {
                    control.notice("mpps: \(name) refused AF_XDP zero-copy (\(error.reason)): sending in copy mode")
                    zeroCopy = false
                    continue
                }
                if bind && error.code == EBUSY && busy < XDPReceivers.busyRetries {
                    busy += 1
                    MonotonicClock.pause(nanoseconds: XDPReceivers.busyRetryNanoseconds)
                    continue
                }
                throw explain(error, interface: name, queue: queue)
            }
        }
    }

    /// One line for a socket's refusal.
    static func explain(_ error: SocketError, interface name: String, queue: Int) -> RunError {
        switch ("\(error.operation)", error.code) {
        case ("socket", EPERM), ("socket", EACCES):
            return RunError("an AF_XDP socket needs privileges (\(error)): run as root, or give mpps CAP_NET_RAW (setcap cap_net_raw+ep)")
        case ("setsockopt(XDP_UMEM_REG)", ENOBUFS), ("setsockopt(XDP_UMEM_REG)", EPERM), ("setsockopt(XDP_UMEM_REG)", ENOMEM):
            let umem = (XDPTransmitSocket.defaultFrameSize * XDPTransmitSocket.defaultFrameCount) >> 20
            let limit = (try? Syscalls.lockedMemoryLimit()).map { $0.map { "\($0 / 1024) KiB" } ?? "unlimited" } ?? "unknown"
            return RunError("a sending thread's AF_XDP frames (\(umem) MiB) need more locked memory than RLIMIT_MEMLOCK allows "
                + "(ulimit -l: \(limit); \(error)): raise it with 'ulimit -l unlimited', or grant CAP_IPC_LOCK")
        case ("bind(AF_XDP)", EINVAL):
            return queueMissing(name, queue: queue, queues: nil)
        case ("bind(AF_XDP)", EBUSY):
            return RunError("queue \(queue) of \(name) is held by another AF_XDP socket (\(error)): "
                + "stop the program using it (a 'recv --xdp' on \(name), say), or send from the other end")
        default:
            // The rest (no AF_XDP in the kernel, say) reads as the receiver's.
            return XDPReceivers.explain(error, interface: name, queue: queue)
        }
    }
}

/// Keeps one ``XDPTransmitSocket`` for the thread that sends on it; the socket
/// closes with the box, after the thread joined.
final class XDPTransmitBox: @unchecked Sendable {
    // Safety: only the one sending thread touches `socket`, inside withSocket.
    private var socket: XDPTransmitSocket

    init(_ socket: consuming XDPTransmitSocket) { self.socket = socket }

    /// Runs `body` with the socket: the whole sending loop, on its thread.
    func withSocket<R, E: Error>(_ body: (inout XDPTransmitSocket) throws(E) -> R) throws(E) -> R { try body(&socket) }
}
