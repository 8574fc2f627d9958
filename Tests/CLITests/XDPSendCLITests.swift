#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import NetLab

/// `mpps send --xdp` from inside a namespace the test creates, onto the veth end there,
/// to a receiver on the other end: a socket receiver (which checks the frames' IP and UDP
/// checksums as the kernel does) and `recv --xdp`. Exact counts, and each refusal as one line.
@Suite(.serialized) struct XDPSendCLITests {
    static let available = VethLab.unavailableReason() == nil
    static let reason: Comment = "needs root, ip (iproute2) and python3 for a network namespace"

    /// Sends `count` datagrams with `send --xdp` inside the lab's namespace and returns the sender's JSON summary.
    /// `rate`: paced for a receiver under a sanitizer, 3-10 times slower, on a shared machine.
    static func sendInside(_ lab: VethLab, _ target: String, count: Int, rate: String = "50k",
                           extra: [String] = []) throws -> (summary: [String: Any], stderr: String) {
        let result = try Program.run("mpps", ["send", target, "--xdp", lab.peerEnd, "--count", "\(count)", "--rate", rate,
                                              "--json", "--quiet"] + extra,
                                     prefix: [VethLab.which("ip")!, "netns", "exec", lab.namespace], within: 60)
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try #require(result.stdout.split(separator: "\n").map(String.init).compactMap(jsonObject).last, "\(result.stdout)")
        #expect(summary["type"] as? String == "summary")
        #expect(summary["packets"] as? Int == count, "the sender counts what left: \(summary)")
        return (summary, result.stderr)
    }

    /// A receiver on the host end for `target` (`extra`: `--xdp IF`), once its ready line is out.
    static func readyReceiver(_ target: String, _ extra: [String] = [],
                              sourceLocation: SourceLocation = #_sourceLocation) throws -> Program {
        let receiver = try Program("mpps", ["recv", target] + extra + ["--json", "--duration", "120"])
        #expect(receiver.waitForReady(), "\(receiver.stderr)", sourceLocation: sourceLocation)
        return receiver
    }

    /// Stops a socket receiver once it has counted `datagrams`, and checks its summary: exactly those, nothing lost.
    static func expectSocketReceiverCounted(_ receiver: Program, datagrams: Int, payload: Int,
                                            sourceLocation: SourceLocation = #_sourceLocation) throws {
        // Interval lines count each interval's datagrams: their sum is what arrived so far.
        #expect(receiver.waitFor(seconds: 20) { program in
            program.stdoutLines.compactMap(jsonObject).filter { $0["type"] as? String == "interval" }
                .reduce(0) { $0 + ($1["packets"] as? Int ?? 0) } >= datagrams
        }, sourceLocation: sourceLocation)
        receiver.send(SIGINT)
        #expect(receiver.finish(within: 15) == 0, "\(receiver.stderr)", sourceLocation: sourceLocation)
        let summary = try #require(receiver.stdoutLines.compactMap(jsonObject).last, sourceLocation: sourceLocation)
        #expect(summary["packets"] as? Int == datagrams, "\(summary)", sourceLocation: sourceLocation)
        #expect(summary["bytes"] as? Int == datagrams * payload, sourceLocation: sourceLocation)
        #expect(summary["lost"] as? Int == 0, sourceLocation: sourceLocation)
        #expect(summary["duplicates"] as? Int == 0, sourceLocation: sourceLocation)
        #expect(summary["flows"] as? Int == 1, sourceLocation: sourceLocation)
        #expect(summary["flows_without_end"] as? Int == 0, sourceLocation: sourceLocation)
        #expect(summary["socket_drops"] as? Int == 0, sourceLocation: sourceLocation)
    }

    @Test(.enabled(if: available, reason), arguments: [false, true])
    func aSocketReceiverCountsEveryDatagram(_ ipv6: Bool) throws {
        let lab = try VethLab(queues: 1, ipv6: ipv6)
        defer { lab.remove() }
        let port = 4000 + Int(getpid()) % 20_000
        let target = ipv6 ? "[\(lab.hostAddress6!)]:\(port)" : "\(lab.hostAddress):\(port)"
        // 30000 at 20k/s into 16 MiB: a receiver slowed by TSan on a busy machine (36k/s) keeps up.
        let receiver = try Self.readyReceiver(target, ["--rcvbuf", "16M"])
        let payload = ipv6 ? 48 : 32
        let sent = try Self.sendInside(lab, target, count: 30_000, rate: "20k", extra: ["--payload", "\(payload)"])
        #expect(sent.stderr == "", "\(sent.stderr)")
        try Self.expectSocketReceiverCounted(receiver, datagrams: 30_000, payload: payload)
    }

    @Test(.enabled(if: available, reason), arguments: [false, true])
    func anXDPReceiverCountsEveryDatagram(_ ipv6: Bool) throws {
        let lab = try VethLab(queues: 1, ipv6: ipv6)
        defer { lab.remove() }
        let port = 4000 + Int(getpid()) % 20_000
        let target = ipv6 ? "[\(lab.hostAddress6!)]:\(port)" : "\(lab.hostAddress):\(port)"
        let receiver = try Self.readyReceiver(target, ["--xdp", lab.hostEnd])
        // veth has no zero-copy: the sender says so once and sends in copy mode.
        // recv --xdp under TSan on a busy machine fell behind 50k/s, and once 20k/s, its fill ring running
        // empty (4096 frames: 0.2 s at 20k/s): 5k/s, which leaves it 0.8 s of stall.
        let sent = try Self.sendInside(lab, target, count: 20_000, rate: "5k", extra: ["--xdp-mode", "zerocopy"])
        #expect(sent.stderr == "mpps: \(lab.peerEnd) refused AF_XDP zero-copy (operation not supported): sending in copy mode\n",
                "\(sent.stderr)")
        try XDPCLITests.expectOneFlowCountedExactly(receiver, datagrams: 20_000, payload: 32)
        // A sender attaches nothing.
        #expect(try !lab.runInside(["ip", "-d", "link", "show", "dev", lab.peerEnd]).contains("prog/xdp"))
    }

    @Test(.enabled(if: available, reason)) func anInterruptedSenderCountsWhatLeftAndTheReceiverAgrees() throws {
        let lab = try VethLab(queues: 1)
        defer { lab.remove() }
        let port = 4000 + Int(getpid()) % 20_000
        let target = "\(lab.hostAddress):\(port)"
        let receiver = try Self.readyReceiver(target)
        let sender = try Program("mpps", ["send", target, "--xdp", lab.peerEnd, "--rate", "20k", "--json", "--duration", "60"],
                                 prefix: [VethLab.which("ip")!, "netns", "exec", lab.namespace])
        #expect(sender.waitFor(seconds: 20) { ($0.stdoutLines.compactMap(jsonObject).last?["type"] as? String) == "interval" },
                "\(sender.stderr)")
        sender.send(SIGINT)
        #expect(sender.finish(within: 15) == 0, "\(sender.stderr)")
        let sent = try #require(sender.stdoutLines.compactMap(jsonObject).last?["packets"] as? Int)
        #expect(sent > 0)
        try Self.expectSocketReceiverCounted(receiver, datagrams: sent, payload: 32)
    }

    @Test(.enabled(if: available, reason)) func aMissingNeighbourIsRefusedAndDstMACIsTheFix() throws {
        let lab = try VethLab(queues: 1)
        defer { lab.remove() }
        let mac = try lab.output("cat", "/sys/class/net/\(lab.hostEnd)/address").trimmingCharacters(in: .whitespacesAndNewlines)
        try lab.run("ip", "-n", lab.namespace, "neigh", "del", lab.hostAddress, "dev", lab.peerEnd)
        let inside = [VethLab.which("ip")!, "netns", "exec", lab.namespace]
        let refused = try Program.run("mpps", ["send", "\(lab.hostAddress):4321", "--xdp", lab.peerEnd, "--count", "10"], prefix: inside)
        #expect(refused.status == 1)
        #expect(refused.stderr == "no neighbour entry for \(lab.hostAddress) on \(lab.peerEnd): the kernel has not resolved its MAC address; "
            + "run 'ping -c 1 \(lab.hostAddress)' first, or give it with --dst-mac (the router's, for a target behind one)\n")
        let port = 4000 + Int(getpid()) % 20_000
        let receiver = try Self.readyReceiver("\(lab.hostAddress):\(port)")
        _ = try Self.sendInside(lab, "\(lab.hostAddress):\(port)", count: 1000, extra: ["--dst-mac", mac])
        try Self.expectSocketReceiverCounted(receiver, datagrams: 1000, payload: 32)
    }

    @Test(.enabled(if: available, reason)) func aPayloadOverTheMTUIsRefused() throws {
        let lab = try VethLab(queues: 1)
        defer { lab.remove() }
        try lab.run("ip", "-n", lab.namespace, "link", "set", "dev", lab.peerEnd, "mtu", "1000")
        let result = try Program.run("mpps", ["send", "\(lab.hostAddress):4321", "--xdp", lab.peerEnd, "--payload", "1000", "--count", "1"],
                                     prefix: [VethLab.which("ip")!, "netns", "exec", lab.namespace])
        #expect(result.status == 1)
        #expect(result.stderr == "--payload 1000 makes IP packets of 1028 bytes, more than the MTU of \(lab.peerEnd) (1000): "
            + "use --payload 972 or less, or raise it with 'ip link set dev \(lab.peerEnd) mtu 1028'\n")
    }

    @Test(.enabled(if: available, reason)) func aQueueHeldByAReceiverIsRefused() throws {
        let lab = try VethLab(queues: 1)
        defer { lab.remove() }
        let receiver = try Self.readyReceiver("\(lab.hostAddress):4321", ["--xdp", lab.hostEnd])
        let result = try Program.run("mpps", ["send", "\(lab.peerAddress):4321", "--xdp", lab.hostEnd, "--count", "1"])
        #expect(result.status == 1)
        #expect(result.stderr == "queue 0 of \(lab.hostEnd) is held by another AF_XDP socket (bind(AF_XDP): device or resource busy): "
            + "stop the program using it (a 'recv --xdp' on \(lab.hostEnd), say), or send from the other end\n")
        receiver.send(SIGTERM)
        #expect(receiver.finish(within: 10) == 0, "\(receiver.stderr)")
    }

    @Test(.enabled(if: available && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), reason))
    func withoutCAPNETRAWTheSocketIsRefused() throws {
        let lab = try VethLab(queues: 1)
        defer { lab.remove() }
        let drop = "-net_raw,-net_admin,-sys_admin,-bpf"
        let result = try Program.run("mpps", ["send", "\(lab.peerAddress):4321", "--xdp", lab.hostEnd, "--count", "1"],
                                     prefix: ["/usr/bin/setpriv", "--inh-caps=\(drop)", "--bounding-set=\(drop)"])
        #expect(result.status == 1)
        #expect(result.stderr == "an AF_XDP socket needs privileges (socket: operation not permitted): "
            + "run as root, or give mpps CAP_NET_RAW (setcap cap_net_raw+ep)\n", "\(result.stderr)")
    }

    @Test(.enabled(if: available && XDPCLITests.canLimitLockedMemory, reason))
    func aSendersFramesPastTheLockedMemoryLimitAreRefused() throws {
        let lab = try VethLab(queues: 1)
        defer { lab.remove() }
        // 1 MiB of locked memory for the sender's 4 MiB of frames.
        let result = try XDPCLITests.runWithOneMiBLocked(["send", "\(lab.peerAddress):4321", "--xdp", lab.hostEnd, "--count", "1"])
        #expect(result.status == 1)
        #expect(result.stderr == "a sending thread's AF_XDP frames (4 MiB) need more locked memory than RLIMIT_MEMLOCK allows "
            + "(ulimit -l: 1024 KiB; setsockopt(XDP_UMEM_REG): no buffer space available): raise it with 'ulimit -l unlimited', "
            + "or grant CAP_IPC_LOCK\n", "\(result.stderr)")
    }

    @Test(arguments: [
        (["--xdp", "no-such-if0"], "no interface named 'no-such-if0' for --xdp (interfaces: "),
        (["--xdp", "lo", "--xdp-mode", "fast"], "mpps send: --xdp-mode must be 'copy' or 'zerocopy', not 'fast' (see 'mpps send --help')\n"),
        (["--xdp-mode", "copy"], "mpps send: --xdp-mode needs --xdp IF (see 'mpps send --help')\n"),
        (["--dst-mac", "02:00:00:00:00:01"], "mpps send: --dst-mac needs --xdp IF: the socket path leaves MAC addresses to the kernel (see 'mpps send --help')\n"),
        (["--xdp", "lo", "--dst-mac", "02:00:00:00:01"], "mpps send: --dst-mac must be six pairs of hex digits like 02:00:00:00:00:01, not '02:00:00:00:01' (see 'mpps send --help')\n"),
        (["--xdp", "lo", "--gso", "8"], "mpps send: --gso is for UDP sockets; --xdp sends whole frames, one datagram each, without GSO (see 'mpps send --help')\n"),
    ])
    func badXDPOptionsAreUsageErrors(_ extra: [String], _ message: String) throws {
        let result = try Program.run("mpps", ["send", "127.0.0.1:4321", "--count", "1"] + extra)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.hasPrefix(message), "\(result.stderr)")
    }
}
