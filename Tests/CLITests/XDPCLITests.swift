#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import NetLab

/// `mpps recv --xdp` on the host end of a veth pair, fed by `mpps send` from inside a
/// namespace the test creates (198.19.0.0/16): exact counts, the program gone after
/// every way out, and each refusal as one line.
@Suite(.serialized) struct XDPCLITests {
    static let available = VethLab.unavailableReason() == nil
    static let reason: Comment = "needs root, ip (iproute2) and python3 for a network namespace"

    /// Whether `interface` has an XDP program attached, as `ip -d link` shows it.
    static func hasXDPProgram(_ interface: String) throws -> Bool {
        try VethLab.execute("ip", ["-d", "link", "show", "dev", interface]).output.contains("prog/xdp")
    }

    /// Waits up to 3 s for the kernel to release the link of a process that ended.
    static func programGone(_ interface: String) throws -> Bool {
        for _ in 0..<150 {
            if try !hasXDPProgram(interface) { return true }
            usleep(20_000)
        }
        return false
    }

    // The senders here go at 5k/s: a ring of 4096 frames then holds 0.8 s of a receiver's stall under TSan
    // on a busy machine (XDPSendCLITests' receiver once ran its fill ring empty at 20k/s).
    @Test(.enabled(if: available, reason)) func everyDatagramIsCountedAndTheProgramLeavesWithTheProcess() throws {
        let lab = try VethLab(queues: 1)
        defer { lab.remove() }
        let port = 4000 + Int(getpid()) % 20_000
        let receiver = try Program("mpps", ["recv", "\(lab.hostAddress):\(port)", "--xdp", lab.hostEnd, "--json", "--duration", "60"])
        #expect(receiver.waitForReady(), "\(receiver.stderr)")
        let ready = try #require(receiver.readyLine)
        #expect(ready["xdp"] as? String == lab.hostEnd)
        #expect(ready["xdp_mode"] as? String == "copy")
        #expect(ready["rx_usecs"] as? Int == 200, "the default wait after an emptied ring")
        #expect(try Self.hasXDPProgram(lab.hostEnd))
        try lab.runInside([Program.path("mpps"), "send", "\(lab.hostAddress):\(port)", "--count", "20000",
                           "--rate", "5k", "--quiet"])
        try Self.expectOneFlowCountedExactly(receiver, datagrams: 20000, payload: 32)
        #expect(try !Self.hasXDPProgram(lab.hostEnd), "the program outlived the run")
    }

    /// Stops `receiver` once it has counted every datagram, and checks that its summary holds
    /// exactly `datagrams` datagrams of `payload` bytes from one sender's flow, nothing lost
    /// or dropped anywhere.
    static func expectOneFlowCountedExactly(_ receiver: Program, datagrams: Int, payload: Int,
                                            sourceLocation: SourceLocation = #_sourceLocation) throws {
        // Waits for the interval lines to add up to every datagram (a sanitized receiver on a
        // busy machine drains its ring late); on a shortfall the summary's checks say what went.
        _ = receiver.waitFor(seconds: 20) { program in
            let lines = program.stdoutLines.compactMap(jsonObject).filter { $0["type"] as? String == "interval" }
            return lines.reduce(0) { $0 + ($1["packets"] as? Int ?? 0) } >= datagrams
        }
        receiver.send(SIGINT)
        #expect(receiver.finish(within: 15) == 0, "\(receiver.stderr)", sourceLocation: sourceLocation)
        let summary = try #require(receiver.stdoutLines.compactMap(jsonObject).last, sourceLocation: sourceLocation)
        #expect(summary["type"] as? String == "summary", sourceLocation: sourceLocation)
        #expect(summary["packets"] as? Int == datagrams, "\(summary)", sourceLocation: sourceLocation)
        #expect(summary["bytes"] as? Int == datagrams * payload, sourceLocation: sourceLocation)
        #expect(summary["lost"] as? Int == 0, sourceLocation: sourceLocation)
        #expect(summary["duplicates"] as? Int == 0, sourceLocation: sourceLocation)
        #expect(summary["flows"] as? Int == 1, sourceLocation: sourceLocation)
        #expect(summary["flows_without_end"] as? Int == 0, sourceLocation: sourceLocation)
        #expect(summary["end_markers"] as? Int == 3, sourceLocation: sourceLocation)
        #expect(summary["socket_drops"] as? Int == 0, sourceLocation: sourceLocation)
        let xdp = try #require(summary["xdp"] as? [String: Int], "\(summary)", sourceLocation: sourceLocation)
        #expect(xdp == ["rx_dropped": 0, "rx_ring_full": 0, "rx_fill_ring_empty_descs": 0, "rx_invalid_descs": 0, "not_udp": 0],
                sourceLocation: sourceLocation)
    }

    @Test(.enabled(if: available, reason)) func ipv6DatagramsAreRedirectedAndCountedExactly() throws {
        let lab = try VethLab(queues: 1, ipv6: true)
        defer { lab.remove() }
        let address = try #require(lab.hostAddress6)
        let port = 4000 + Int(getpid()) % 20_000
        let receiver = try Program("mpps", ["recv", "[\(address)]:\(port)", "--xdp", lab.hostEnd, "--json", "--duration", "60"])
        #expect(receiver.waitForReady(), "\(receiver.stderr)")
        try lab.runInside([Program.path("mpps"), "send", "[\(address)]:\(port)", "--count", "20000", "--payload", "48",
                           "--rate", "5k", "--quiet"])
        try Self.expectOneFlowCountedExactly(receiver, datagrams: 20000, payload: 48)
        #expect(try Self.programGone(lab.hostEnd), "the program outlived the run")
    }

    /// Frames in the ring when the interrupt comes are counted: the receiver is stopped
    /// (SIGSTOP) while 1500 datagrams arrive, then interrupted and let go on.
    @Test(.enabled(if: available, reason)) func framesInTheRingAtTheInterruptAreCounted() throws {
        let lab = try VethLab(queues: 1)
        defer { lab.remove() }
        let port = 4000 + Int(getpid()) % 20_000
        let receiver = try Program("mpps", ["recv", "\(lab.hostAddress):\(port)", "--xdp", lab.hostEnd, "--json", "--duration", "60"])
        #expect(receiver.waitForReady(), "\(receiver.stderr)")
        let pid = receiver.process.processIdentifier
        kill(pid, SIGSTOP)
        try lab.runInside([Program.path("mpps"), "send", "\(lab.hostAddress):\(port)", "--count", "1500", "--rate", "100k", "--quiet"])
        receiver.send(SIGINT)
        kill(pid, SIGCONT)
        #expect(receiver.finish(within: 15) == 0, "\(receiver.stderr)")
        let summary = try #require(receiver.stdoutLines.compactMap(jsonObject).last)
        #expect(summary["packets"] as? Int == 1500, "\(summary)")
        #expect(summary["lost"] as? Int == 0, "\(summary)")
        #expect(summary["socket_drops"] as? Int == 0, "\(summary)")
    }

    @Test(.enabled(if: available, reason)) func twoQueuesTwoThreadsCountEveryDatagram() throws {
        let lab = try VethLab(queues: 2)
        defer { lab.remove() }
        let port = 4000 + Int(getpid()) % 20_000
        // veth refuses zero-copy: the run says so once and receives in copy mode.
        let receiver = try Program("mpps", ["recv", "\(lab.hostAddress):\(port)", "--xdp", lab.hostEnd, "--threads", "2",
                                            "--xdp-mode", "zerocopy", "--json", "--duration", "60"])
        #expect(receiver.waitForReady(), "\(receiver.stderr)")
        #expect(receiver.readyLine?["xdp_mode"] as? String == "copy")
        #expect(receiver.stderr.hasPrefix("mpps: \(lab.hostEnd) refused AF_XDP zero-copy (operation not supported): receiving in copy mode\n"),
                "\(receiver.stderr)")
        try lab.runInside([Program.path("mpps"), "send", "\(lab.hostAddress):\(port)", "--count", "20000", "--flows", "8",
                           "--threads", "2", "--rate", "5k", "--quiet"])
        usleep(500_000)
        receiver.send(SIGINT)
        #expect(receiver.finish(within: 15) == 0, "\(receiver.stderr)")
        let summary = try #require(receiver.stdoutLines.compactMap(jsonObject).last)
        #expect(summary["packets"] as? Int == 20000, "\(summary)")
        #expect((summary["threads"] as? [Int])?.reduce(0, +) == 20000)
        #expect(summary["lost"] as? Int == 0)
        #expect(summary["flows"] as? Int == 8)
        #expect(summary["end_markers"] as? Int == 24)
        #expect(try !Self.hasXDPProgram(lab.hostEnd))
    }

    @Test(.enabled(if: available, reason)) func aKilledReceiverTakesTheProgramWithIt() throws {
        let lab = try VethLab(queues: 1)
        defer { lab.remove() }
        let receiver = try Program("mpps", ["recv", "\(lab.hostAddress):4321", "--xdp", lab.hostEnd, "--json", "--duration", "60"])
        #expect(receiver.waitForReady(), "\(receiver.stderr)")
        #expect(try Self.hasXDPProgram(lab.hostEnd))
        receiver.send(SIGKILL)
        #expect(receiver.finish(within: 10) == 128 + SIGKILL)
        #expect(try Self.programGone(lab.hostEnd), "the link outlived the process")
    }

    @Test(.enabled(if: available, reason)) func anInterfaceWithAnXDPProgramIsRefused() throws {
        let lab = try VethLab(queues: 1)
        defer { lab.remove() }
        let first = try Program("mpps", ["recv", "\(lab.hostAddress):4321", "--xdp", lab.hostEnd, "--json", "--duration", "60"])
        #expect(first.waitForReady(), "\(first.stderr)")
        let second = try Program.run("mpps", ["recv", "\(lab.hostAddress):4322", "--xdp", lab.hostEnd, "--duration", "1"])
        #expect(second.status == 1)
        #expect(second.stderr == "\(lab.hostEnd) already has an XDP program (bpf(BPF_LINK_CREATE): device or resource busy): "
            + "mpps does not replace it; detach it first ('ip link set dev \(lab.hostEnd) xdp off'), or receive without --xdp\n")
        // The refused run left the first one's program alone.
        #expect(try Self.hasXDPProgram(lab.hostEnd))
        first.send(SIGTERM)
        #expect(first.finish(within: 10) == 0, "\(first.stderr)")
        #expect(try Self.programGone(lab.hostEnd))
    }

    @Test(.enabled(if: available, reason)) func aQueueTheInterfaceLacksIsRefused() throws {
        let lab = try VethLab(queues: 1)
        defer { lab.remove() }
        let result = try Program.run("mpps", ["recv", "\(lab.hostAddress):4321", "--xdp", lab.hostEnd, "--threads", "2", "--duration", "1"])
        #expect(result.status == 1)
        #expect(result.stderr == "\(lab.hostEnd) has 1 RX queue, and --xdp needs queues 0-1, one per thread: raise them with "
            + "'ethtool -L \(lab.hostEnd) rx 2' (or 'combined 2'), or use --threads 1\n")
        #expect(try !Self.hasXDPProgram(lab.hostEnd))
    }

    @Test(.enabled(if: available, reason)) func anMTUTooBigForTheFramesIsRefused() throws {
        let lab = try VethLab(queues: 1)
        defer { lab.remove() }
        try lab.run("ip", "link", "set", "dev", lab.hostEnd, "mtu", "4000")
        let result = try Program.run("mpps", ["recv", "\(lab.hostAddress):4321", "--xdp", lab.hostEnd, "--duration", "1"])
        #expect(result.status == 1)
        #expect(result.stderr == "the MTU of \(lab.hostEnd) is 4000, too big for AF_XDP's 2048-byte frames (at most 1778): "
            + "lower it with 'ip link set dev \(lab.hostEnd) mtu 1500'\n")
        #expect(try !Self.hasXDPProgram(lab.hostEnd))
    }

    @Test(.enabled(if: available && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), reason))
    func withoutCapabilitiesTheProgramIsRefused() throws {
        let lab = try VethLab(queues: 1)
        defer { lab.remove() }
        // Root without CAP_BPF, CAP_SYS_ADMIN, CAP_NET_ADMIN or CAP_NET_RAW: the first bpf() call is refused.
        let drop = "-bpf,-sys_admin,-net_admin,-net_raw,-perfmon"
        let result = try Program.run("mpps", ["recv", "\(lab.hostAddress):4321", "--xdp", lab.hostEnd, "--duration", "1"],
                                     prefix: ["/usr/bin/setpriv", "--inh-caps=\(drop)", "--bounding-set=\(drop)"])
        #expect(result.status == 1)
        #expect(result.stderr == "loading an XDP program needs privileges (bpf(BPF_MAP_CREATE): operation not permitted): "
            + "run as root, or give mpps CAP_BPF, CAP_NET_ADMIN and CAP_NET_RAW (setcap cap_bpf,cap_net_admin,cap_net_raw+ep)\n")
    }

    /// Whether setpriv and prlimit are there, for the locked-memory refusals.
    static let canLimitLockedMemory = FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit")

    /// Runs mpps with `arguments` under a 1 MiB RLIMIT_MEMLOCK and without CAP_IPC_LOCK, so a UMEM counts against the limit.
    static func runWithOneMiBLocked(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try Program.run("mpps", arguments, prefix: ["/usr/bin/prlimit", "--memlock=1048576:1048576", "/usr/bin/setpriv",
                                                    "--inh-caps=-ipc_lock", "--bounding-set=-ipc_lock"])
    }

    @Test(.enabled(if: available && canLimitLockedMemory, reason))
    func tooLittleLockedMemoryIsRefused() throws {
        let lab = try VethLab(queues: 1)
        defer { lab.remove() }
        // Without CAP_IPC_LOCK the UMEM counts against RLIMIT_MEMLOCK, here 1 MiB for 8 MiB of frames.
        let result = try Self.runWithOneMiBLocked(["recv", "\(lab.hostAddress):4321", "--xdp", lab.hostEnd, "--duration", "1"])
        #expect(result.status == 1)
        #expect(result.stderr == "the AF_XDP frames (8 MiB per thread) need more locked memory than RLIMIT_MEMLOCK allows "
            + "(ulimit -l: 1024 KiB; setsockopt(XDP_UMEM_REG): no buffer space available): raise it with 'ulimit -l unlimited' "
            + "(or LimitMEMLOCK=infinity in a systemd unit), or grant CAP_IPC_LOCK\n", "\(result.stderr)")
        #expect(try Self.programGone(lab.hostEnd), "a refused run left its program")
    }

    @Test(arguments: [
        (["--xdp", "no-such-if0"], "no interface named 'no-such-if0' for --xdp (interfaces: "),
        (["--xdp", "lo", "--xdp-mode", "fast"], "mpps recv: --xdp-mode must be 'copy' or 'zerocopy', not 'fast' (see 'mpps recv --help')\n"),
        (["--xdp-mode", "copy"], "mpps recv: --xdp-mode needs --xdp IF (see 'mpps recv --help')\n"),
        (["--xdp", "lo", "--gro"], "mpps recv: --gro is for UDP sockets; --xdp reads AF_XDP sockets, one per RX queue, without GRO (see 'mpps recv --help')\n"),
    ])
    func badXDPOptionsAreUsageErrors(_ extra: [String], _ message: String) throws {
        let result = try Program.run("mpps", ["recv", "127.0.0.1:4321"] + extra + ["--duration", "1"])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.hasPrefix(message), "\(result.stderr)")
    }
}
