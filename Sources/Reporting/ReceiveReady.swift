import PacketIO

/// A receiver that is reading: what `mpps recv` says once every receiving
/// thread has pinned itself, allocated its batch and entered its loop, so
/// that whoever waits for it (a person, a script, `mpps lab` and `mpps ndr`)
/// may start sending. The same value makes the line on standard error for
/// people (``text``) and, with `--json`, the first line on standard output
/// (``json``).
package struct ReceiveReady: Equatable, Sendable {
    /// The address bound, with the port the kernel chose when port 0 was asked.
    package var address: SocketAddress
    /// Receiving threads.
    package var threads: Int
    /// One SO_REUSEPORT socket per thread; otherwise the threads share one socket.
    package var reusePort: Bool
    /// How the group spreads datagrams: `hash`, `random` or `cpu` (after any fallback to `hash`).
    package var steering: String
    /// The CPU each thread is pinned to, by thread index; nil when unpinned.
    package var cpus: [Int]?
    /// Datagrams per `recvmmsg` call.
    package var batch: Int
    /// Whether UDP GRO is on (false when the kernel refused it).
    package var coalescing: Bool
    /// The wait after a call that emptied the socket, in microseconds (`--rx-usecs`, or its default).
    package var moderationMicroseconds: Int
    /// The receive buffer the kernel granted each socket, in bytes (`getsockopt(SO_RCVBUF)`).
    package var receiveBuffer: Int
    /// How many `--flow-key`s the receiver counts flows of; 0 counts every flow.
    package var flowKeys: Int
    /// The receiving process, for a script that wants to signal it.
    package var processID: Int32
    /// With `--xdp`: the interface and the mode the AF_XDP sockets run in (`copy` or `zerocopy`).
    package var xdp: (interface: String, mode: String)? = nil

    package static func == (a: ReceiveReady, b: ReceiveReady) -> Bool {
        a.address == b.address && a.threads == b.threads && a.reusePort == b.reusePort && a.steering == b.steering
            && a.cpus == b.cpus && a.batch == b.batch && a.coalescing == b.coalescing
            && a.moderationMicroseconds == b.moderationMicroseconds && a.receiveBuffer == b.receiveBuffer
            && a.flowKeys == b.flowKeys && a.processID == b.processID
            && a.xdp?.interface == b.xdp?.interface && a.xdp?.mode == b.xdp?.mode
    }

    /// Creates a value.
    package init(address: SocketAddress, threads: Int, reusePort: Bool, steering: String, cpus: [Int]?, batch: Int,
                coalescing: Bool, moderationMicroseconds: Int, receiveBuffer: Int, flowKeys: Int, processID: Int32) {
        self.address = address
        self.threads = threads
        self.reusePort = reusePort
        self.steering = steering
        self.cpus = cpus
        self.batch = batch
        self.coalescing = coalescing
        self.moderationMicroseconds = moderationMicroseconds
        self.receiveBuffer = receiveBuffer
        self.flowKeys = flowKeys
        self.processID = processID
    }

    /// `mpps recv: listening on 127.0.0.1:4321, 2 threads (SO_REUSEPORT, a socket each) on CPUs 0-1, batch 512,
    /// receive buffer 8388608 bytes; Ctrl-C stops`, for people.
    package var text: String {
        if let xdp {
            let threadText = threads == 1 ? "1 thread on queue 0" : "\(threads) threads on queues 0-\(threads - 1)"
            return "mpps recv: listening on \(address) through AF_XDP on \(xdp.interface) (\(xdp.mode) mode), \(threadText)"
                + (cpus.map { " on CPUs \(CPUList($0))" } ?? "") + ", batch \(batch); Ctrl-C stops"
        }
        let gro = coalescing ? ", GRO" : ""
        let moderation = moderationMicroseconds > 0 ? ", rx-usecs \(moderationMicroseconds)" : ""
        return "mpps recv: listening on \(address), \(placementText), batch \(batch)\(gro)\(moderation), "
            + "receive buffer \(receiveBuffer) bytes"
            + (flowKeys == 0 ? "" : ", flows of \(flowKeys == 1 ? "one sender's key" : "\(flowKeys) senders' keys") only") + "; Ctrl-C stops"
    }

    /// `2 threads (SO_REUSEPORT, a socket each) on CPUs 0-1, steered by random (SO_ATTACH_REUSEPORT_CBPF)`:
    /// the threads and sockets (as `mpps recv` and `mpps echo` lay them out), where they run and how they are steered.
    package var placementText: String {
        let threadText = threads == 1 ? "1 thread"
            : "\(threads) threads" + (reusePort ? " (SO_REUSEPORT, a socket each)" : " (sharing one socket)")
        let pinned = cpus.map { " on CPUs \(CPUList($0))" } ?? ""
        let steered = steering == "hash" ? "" : ", steered by \(steering) (SO_ATTACH_REUSEPORT_CBPF)"
        return threadText + pinned + steered
    }

    /// The first line of `mpps recv --json`, keys in this order:
    ///
    /// - `type`: `"ready"`.
    /// - `address`: the address bound, with the real port (`127.0.0.1:4321`, `[::1]:4321`).
    /// - `threads`: receiving threads; `reuseport`: a socket per thread (true) or one shared socket.
    /// - `steer`: `hash`, `random` or `cpu`, as the group really steers.
    /// - `cpus`: the CPU each thread is pinned to, by thread index, or null when unpinned.
    /// - `batch`: datagrams per `recvmmsg` call.
    /// - `gro`: whether UDP GRO is on; `rx_usecs`: the wait after a call that emptied the socket.
    /// - `rcvbuf`: the receive buffer the kernel granted each socket, in bytes.
    /// - `flow_keys`: how many `--flow-key`s it counts flows of (0: every flow).
    /// - `pid`: the receiving process.
    /// - `xdp`, `xdp_mode` (only with `--xdp`): the interface, and `copy` or `zerocopy`.
    package var json: JSONValue {
        var object: JSONObject = [
            "type": "ready",
            "address": .string(address.description),
            "threads": .int(threads),
            "reuseport": .bool(reusePort),
            "steer": .string(steering),
            "cpus": .optional(cpus) { .ints($0) },
            "batch": .int(batch),
            "gro": .bool(coalescing),
            "rx_usecs": .int(moderationMicroseconds),
            "rcvbuf": .int(receiveBuffer),
            "flow_keys": .int(flowKeys),
            "pid": .int(Int(processID)),
        ]
        if let xdp {
            object.append("xdp", .string(xdp.interface))
            object.append("xdp_mode", .string(xdp.mode))
        }
        return .object(object)
    }
}
