#if canImport(Glibc)
import Glibc
#endif
import HostStats
import PacketIO
import Reporting
import Synchronization

/// The AF_XDP side of a ``ReceiveRun`` (`mpps recv --xdp IF`): the redirect program
/// attached to the interface and one socket per thread, thread `i` on RX queue `i`.
///
/// Everything that can be refused is checked here, before any thread starts, and
/// each refusal is one line that names the fix. The program is detached when this
/// value ends (its bpf link closes) and, whatever happens, when the process does.
final class XDPReceivers: @unchecked Sendable {
    /// The program, its map and its link.
    let attachment: XDPAttachment
    /// One socket per thread, by queue.
    let sockets: [XDPSocketBox]
    /// Whether the sockets run in zero-copy mode.
    let zeroCopy: Bool

    /// How long a busy queue is tried again: a socket closed by a process that just
    /// ended is released by the kernel a moment later.
    static let busyRetries = 20
    static let busyRetryNanoseconds: UInt64 = 50_000_000

    init(_ options: ReceiveOptions, _ xdp: XDPOptions, control: RunControl, files: HostFiles = HostFiles()) throws(RunError) {
        let name = xdp.interface
        guard let index = Syscalls.interfaceIndex(name) else {
            let names = (try? NetworkInterface.names(files)) ?? []
            throw RunError("no interface named '\(name)' for --xdp (interfaces: \(names.joined(separator: ", ")))", status: RunError.usage)
        }
        try Self.checkMTU(name, files)
        try Self.checkQueues(name, threads: options.threads, files, control: control)
        do throws(XDPAttachment.Failure) {
            attachment = try XDPAttachment(interfaceIndex: index, address: options.address, queues: options.threads)
        } catch {
            throw Self.explain(error, interface: name)
        }
        var boxes: [XDPSocketBox] = []
        var zeroCopy = xdp.zeroCopy
        for queue in 0..<options.threads {
            let socket = try Self.openSocket(index: index, queue: queue, name: name, zeroCopy: &zeroCopy, control: control)
            let box = XDPSocketBox(socket)
            do throws(XDPAttachment.Failure) {
                try attachment.insert(descriptor: box.descriptor, queue: queue)
            } catch {
                throw Self.explain(error, interface: name)
            }
            boxes.append(box)
        }
        sockets = boxes
        self.zeroCopy = zeroCopy
    }

    /// The drop counters of every socket, summed, with the frames the readers could not parse.
    func statistics() -> XDPStatistics? {
        var sum = XDPStatistics()
        for box in sockets {
            guard var one = try? XDPSocket.statistics(descriptor: box.descriptor) else { return nil }
            one.unparsedFrames = box.unparsed.load(ordering: .relaxed)
            sum = sum + one
        }
        return sum
    }

    /// The largest MTU whose frames fit a 2048-byte UMEM frame after the kernel's headroom.
    static let largestMTU = XDPSocket.largestFrame() - 14

    private static func checkMTU(_ name: String, _ files: HostFiles) throws(RunError) {
        guard let mtu = try? files.integer(NetworkInterface.directory(name) + "/mtu"), mtu > largestMTU else { return }
        throw RunError("the MTU of \(name) is \(mtu), too big for AF_XDP's \(XDPSocket.defaultFrameSize)-byte frames "
            + "(at most \(largestMTU)): lower it with 'ip link set dev \(name) mtu 1500'")
    }

    private static func checkQueues(_ name: String, threads: Int, _ files: HostFiles, control: RunControl) throws(RunError) {
        guard let entries = try? files.list(NetworkInterface.directory(name) + "/queues") else { return }
        let queues = InterfaceQueues.indexes(entries, prefix: "rx-").count
        if queues > threads {
            // The program passes what arrives on a queue without a socket: the kernel's stack gets it, not mpps.
            control.notice("mpps: \(name) has \(queues) RX queues and --xdp reads \(threads == 1 ? "queue 0" : "queues 0-\(threads - 1)"): "
                + "datagrams on the others go to the kernel's stack; use --threads \(queues), or 'ethtool -L \(name) combined \(threads)'")
        }
        guard queues < threads else { return }
        throw queueMissing(name, queue: threads - 1, queues: queues)
    }

    private static func queueMissing(_ name: String, queue: Int, queues: Int?) -> RunError {
        let have = queues.map { "has \($0) RX queue\($0 == 1 ? "" : "s")" } ?? "has no RX queue \(queue)"
        return RunError("\(name) \(have), and --xdp needs queues 0-\(queue), one per thread: raise them with "
            + "'ethtool -L \(name) rx \(queue + 1)' (or 'combined \(queue + 1)'), or use --threads \(max(queues ?? 1, 1))")
    }

    /// Opens the socket of `queue`: zero-copy falls back to copy with a notice; a busy
    /// queue is tried again for a second.
    private static func openSocket(index: UInt32, queue: Int, name: String, zeroCopy: inout Bool,
                                   control: RunControl) throws(RunError) -> XDPSocket {
        var busy = 0
        while true {
            do throws(SocketError) {
                return try XDPSocket(interfaceIndex: index, queue: UInt32(queue), zeroCopy: zeroCopy)
            } catch {
                if zeroCopy && "\(error.operation)" == "bind(AF_XDP)" && error.code != EBUSY {
                    control.notice("mpps: \(name) refused AF_XDP zero-copy (\(error.reason)): receiving in copy mode")
                    zeroCopy = false
                    continue
                }
                if "\(error.operation)" == "bind(AF_XDP)" && error.code == EBUSY && busy < busyRetries {
                    busy += 1
                    MonotonicClock.pause(nanoseconds: busyRetryNanoseconds)
                    continue
                }
                throw explain(error, interface: name, queue: queue)
            }
        }
    }

    static let privileges = "run as root, or give mpps CAP_BPF, CAP_NET_ADMIN and CAP_NET_RAW (setcap cap_bpf,cap_net_admin,cap_net_raw+ep)"

    /// One line for a socket's refusal.
    static func explain(_ error: SocketError, interface name: String, queue: Int) -> RunError {
        let operation = "\(error.operation)"
        switch (operation, error.code) {
        case ("socket", EPERM), ("socket", EACCES):
            return RunError("an AF_XDP socket needs privileges (\(error)): \(privileges)")
        case ("socket", EAFNOSUPPORT):
            return RunError("this kernel has no AF_XDP sockets (\(error)): it needs Linux 4.18 or later with CONFIG_XDP_SOCKETS")
        case ("setsockopt(XDP_UMEM_REG)", ENOBUFS), ("setsockopt(XDP_UMEM_REG)", EPERM), ("setsockopt(XDP_UMEM_REG)", ENOMEM):
            let limit: String
            do throws(SocketError) { limit = try Syscalls.lockedMemoryLimit().map { "\($0 / 1024) KiB" } ?? "unlimited" } catch { limit = "unknown" }
            return RunError("the AF_XDP frames (\((XDPSocket.defaultFrameSize * XDPSocket.defaultFrameCount) >> 20) MiB per thread) "
                + "need more locked memory than RLIMIT_MEMLOCK allows (ulimit -l: \(limit); \(error)): "
                + "raise it with 'ulimit -l unlimited' (or LimitMEMLOCK=infinity in a systemd unit), or grant CAP_IPC_LOCK")
        case ("bind(AF_XDP)", EINVAL):
            return queueMissing(name, queue: queue, queues: nil)
        case ("bind(AF_XDP)", EBUSY):
            return RunError("queue \(queue) of \(name) is held by another AF_XDP socket (\(error)): stop the program using it")
        default:
            return RunError("cannot set up the AF_XDP socket for queue \(queue) of \(name): \(error)")
        }
    }

    /// One line for a refusal of the program, its map or its link.
    static func explain(_ failure: XDPAttachment.Failure, interface name: String) -> RunError {
        let error = failure.error
        if error.code == EPERM || error.code == EACCES && failure.step != .programLoad {
            return RunError("loading an XDP program needs privileges (\(error)): \(privileges)")
        }
        switch (failure.step, error.code) {
        case (.linkCreate, EBUSY), (.linkCreate, EEXIST):
            return RunError("\(name) already has an XDP program (\(error)): mpps does not replace it; "
                + "detach it first ('ip link set dev \(name) xdp off'), or receive without --xdp")
        case (.linkCreate, ERANGE):
            return RunError("the driver of \(name) refused XDP for its MTU (\(error)): lower it with 'ip link set dev \(name) mtu 1500'")
        case (.linkCreate, EINVAL), (.linkCreate, ENOSYS):
            return RunError("this kernel cannot attach XDP programs through bpf links (\(error)): --xdp needs Linux 5.9 or later")
        case (.mapCreate, EINVAL):
            return RunError("this kernel has no XSKMAP (\(error)): --xdp needs Linux 5.9 or later with CONFIG_XDP_SOCKETS")
        case (.programLoad, _):
            return RunError("the kernel refused mpps's XDP program (\(failure)): this is a bug in mpps, or a kernel older than 5.9")
        default:
            return RunError("cannot attach the XDP program to \(name): \(failure)")
        }
    }
}

/// Keeps one ``XDPSocket`` for the thread that reads it; the descriptor is
/// read by the monitor for the socket's statistics. The socket closes with the box,
/// after the thread joined.
final class XDPSocketBox: @unchecked Sendable {
    // Safety: only the one receiving thread touches `socket`, inside withSocket.
    private var socket: XDPSocket
    /// The socket's descriptor.
    let descriptor: Int32
    /// Frames the reader found no datagram for its address in, published per batch.
    let unparsed = Atomic<UInt64>(0)

    init(_ socket: consuming XDPSocket) {
        descriptor = socket.descriptor
        self.socket = socket
    }

    /// Runs `body` with the socket: the whole receiving loop, on its thread.
    func withSocket<R>(_ body: (inout XDPSocket) -> R) -> R { body(&socket) }
}
