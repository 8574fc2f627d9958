#if canImport(Glibc)
import Glibc
#endif
import HostStats
import Reporting

/// Two network namespaces joined by a veth pair, for `mpps lab --netns` and
/// `mpps ndr --netns`: the sender's end and the receiver's end each live in a
/// namespace of their own, so nothing of this host's own network changes and
/// no datagram can leave the pair.
///
/// The receiver's end has 4 RX queues, each with an RPS mask of every CPU mpps
/// may use, so the kernel hashes each flow to one CPU for the receive stack's
/// work, as a multi-queue NIC's RSS spreads flows over its queues' CPUs.
/// Addresses come from 198.18.0.0/15 (RFC 2544's benchmarking range):
/// the receiver has 198.18.0.1-4, the sender 198.18.0.254. Neighbours are
/// permanent (no ARP) and IPv6 is off (no router or neighbour solicitations).
///
/// Everything is removed by ``remove()``, which ``deinit`` calls too; the
/// namespaces' names hold the process id, so concurrent runs never collide.
/// A run killed with SIGKILL removes nothing: the next run finds its namespaces
/// by name, sees that the process id in the name no longer runs, and removes
/// them (``removeLeftovers(command:)``).
package final class LabNamespaces {
    /// The sender's namespace, `mpps-<pid>-tx`.
    package let sender: String
    /// The receiver's namespace, `mpps-<pid>-rx`.
    package let receiver: String
    /// The sender's end of the pair (inside ``sender``).
    package let senderDevice: String
    /// The receiver's end of the pair (inside ``receiver``).
    package let receiverDevice: String
    /// The receiver's addresses; the first is the main one.
    package let receiverAddresses = ["198.18.0.1", "198.18.0.2", "198.18.0.3", "198.18.0.4"]
    /// The sender's address.
    package let senderAddress = "198.18.0.254"
    /// RX and TX queues of each end.
    package static let queues = 4

    static let senderMAC = "02:6d:70:70:73:02"
    static let receiverMAC = "02:6d:70:70:73:01"
    private var created: [String] = []

    /// Why namespaces cannot be made here, or nil.
    package static func unavailableReason(command: String) -> String? {
        if geteuid() != 0 { return "\(command) --netns needs root to create network namespaces" }
        if ChildProcess.which("ip") == nil { return "\(command) --netns needs the ip program (iproute2), found neither in PATH nor /usr/sbin nor /sbin" }
        return nil
    }

    /// A namespace an earlier mpps made, and the process id its name holds.
    package struct Leftover: Equatable, Sendable {
        /// The namespace's name, `mpps-<pid>-tx` or `mpps-<pid>-rx`.
        package var name: String
        /// The process that made it.
        package var pid: Int32

        /// A leftover namespace.
        package init(name: String, pid: Int32) {
            self.name = name
            self.pid = pid
        }
    }

    /// The process id in `name` when it is a name this type gives (`mpps-<pid>-tx`,
    /// `mpps-<pid>-rx`), else nil: the test suites' `mpps-lab-N` and anything else
    /// of someone else's is never ours to remove.
    package static func creator(ofNamespace name: String) -> Int32? {
        guard name.hasPrefix("mpps-"), name.hasSuffix("-tx") || name.hasSuffix("-rx") else { return nil }
        let digits = name.dropFirst(5).dropLast(3)
        guard !digits.isEmpty, digits.count <= 10, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              digits.first != "0", let pid = Int32(digits) else { return nil }
        return pid
    }

    /// The namespaces among `names` that an mpps made and whose process no longer
    /// runs, by `isRunning`; never this process's own.
    package static func leftovers(among names: [String], isRunning: (Int32) -> Bool) -> [Leftover] {
        names.compactMap { name in
            guard let pid = creator(ofNamespace: name), pid != getpid(), !isRunning(pid) else { return nil }
            return Leftover(name: name, pid: pid)
        }
    }

    /// True while a process with id `pid` exists (a zombie included): /proc has
    /// a directory for it. When in doubt a namespace is kept, so a still-running
    /// mpps never loses its own.
    package static func isRunning(_ pid: Int32) -> Bool {
        HostFiles(root: "/").exists("/proc/\(pid)")
    }

    /// The names `ip netns list` prints, or nil when it cannot be run.
    static func namespaceNames() -> [String]? {
        guard let child = try? ChildProcess(["ip", "netns", "list"]), child.wait(seconds: 10) == .exited(0) else { return nil }
        // Each line is a name, then perhaps "(id: N)".
        return child.output.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    /// Removes the namespaces earlier runs of mpps left behind (killed with
    /// SIGKILL, say, which leaves no chance to clean up) and returns one line for
    /// `command` to print saying so, or nil when there were none.
    package static func removeLeftovers(command: String) -> String? {
        let found = leftovers(among: namespaceNames() ?? [], isRunning: isRunning)
        var removed: [Leftover] = []
        var failures: [String] = []
        for leftover in found {
            do throws(RunError) {
                let result = try ChildProcess.run(["ip", "netns", "del", leftover.name])
                if result.status == .exited(0) {
                    removed.append(leftover)
                } else {
                    failures.append("\(leftover.name) (\(result.errors.split(separator: "\n").first.map(String.init) ?? "\(result.status)"))")
                }
            } catch {
                failures.append("\(leftover.name) (\(error))")
            }
        }
        return removalLine(command: command, removed: removed, failures: failures)
    }

    /// `mpps lab: removed 2 namespaces left by an earlier run (pid 1234, no longer running)`;
    /// the namespaces that could not be removed follow on the same line. Nil when there is nothing to say.
    package static func removalLine(command: String, removed: [Leftover], failures: [String]) -> String? {
        guard !removed.isEmpty || !failures.isEmpty else { return nil }
        var parts: [String] = []
        if !removed.isEmpty {
            var pids: [Int32] = []
            for leftover in removed where !pids.contains(leftover.pid) { pids.append(leftover.pid) }
            let count = removed.count == 1 ? "1 namespace" : "\(removed.count) namespaces"
            let runs = pids.count == 1 ? "an earlier run (pid" : "earlier runs (pids"
            parts.append("removed \(count) left by \(runs) \(pids.map(String.init).joined(separator: ", ")), no longer running)")
        }
        if !failures.isEmpty {
            let what = removed.isEmpty ? "namespaces left by an earlier run no longer running: " : ""
            parts.append("could not remove \(what)\(failures.joined(separator: ", "))")
        }
        return "\(command): " + parts.joined(separator: "; ")
    }

    /// Creates both namespaces and the pair; on any failure removes what it made and throws.
    /// `cpus` go into the RPS masks. A stop signal during set-up is left pending for the caller.
    package init(cpus: [Int], tag: String = "\(getpid())") throws(RunError) {
        sender = "mpps-\(tag)-tx"
        receiver = "mpps-\(tag)-rx"
        senderDevice = "mpps\(tag)t"
        receiverDevice = "mpps\(tag)r"
        do throws(RunError) {
            try build(cpus: cpus)
        } catch {
            remove()
            throw error
        }
    }

    deinit { remove() }

    /// The RPS mask for `cpus` as sysfs writes it: hexadecimal, 32 CPUs per comma-separated group.
    package static func rpsMask(_ cpus: [Int]) -> String {
        let highest = cpus.max() ?? 0
        var groups = [UInt32](repeating: 0, count: highest / 32 + 1)
        for cpu in cpus where cpu >= 0 { groups[cpu / 32] |= 1 << UInt32(cpu % 32) }
        let words = groups.reversed().enumerated().map { index, word in
            index == 0 ? String(word, radix: 16) : {
                let hex = String(word, radix: 16)
                return String(repeating: "0", count: 8 - hex.count) + hex
            }()
        }
        return words.joined(separator: ",")
    }

    /// The commands that build the pair, in order (after both namespaces exist).
    package func setupCommands(cpus: [Int]) -> [[String]] {
        let ipv6Off = "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6"
        var commands: [[String]] = [
            // Before the pair exists, so its ends are born without IPv6.
            ["ip", "netns", "exec", sender, "sh", "-c", ipv6Off],
            ["ip", "netns", "exec", receiver, "sh", "-c", ipv6Off],
            ["ip", "-n", sender, "link", "add", senderDevice, "address", Self.senderMAC,
             "numtxqueues", "\(Self.queues)", "numrxqueues", "\(Self.queues)", "type", "veth",
             "peer", "name", receiverDevice, "address", Self.receiverMAC,
             "numtxqueues", "\(Self.queues)", "numrxqueues", "\(Self.queues)", "netns", receiver],
        ]
        for address in receiverAddresses {
            commands.append(["ip", "-n", receiver, "addr", "add", "\(address)/24", "dev", receiverDevice])
            commands.append(["ip", "-n", sender, "neigh", "replace", address, "lladdr", Self.receiverMAC,
                             "dev", senderDevice, "nud", "permanent"])
        }
        commands += [
            ["ip", "-n", sender, "addr", "add", "\(senderAddress)/24", "dev", senderDevice],
            ["ip", "-n", receiver, "neigh", "replace", senderAddress, "lladdr", Self.senderMAC,
             "dev", receiverDevice, "nud", "permanent"],
            ["ip", "-n", sender, "link", "set", senderDevice, "up"],
            ["ip", "-n", receiver, "link", "set", receiverDevice, "up"],
            // sysfs shows a namespace's devices only to a process that mounted it there: ip netns exec does.
            ["ip", "netns", "exec", receiver, "sh", "-c",
             "for queue in /sys/class/net/\(receiverDevice)/queues/rx-*; do echo \(Self.rpsMask(cpus)) > $queue/rps_cpus || exit 1; done"],
        ]
        return commands
    }

    private func build(cpus: [Int]) throws(RunError) {
        for namespace in [sender, receiver] {
            try Self.run(["ip", "netns", "add", namespace])
            created.append(namespace)
        }
        for command in setupCommands(cpus: cpus) { try Self.run(command) }
    }

    /// Deletes both namespaces (which deletes the pair); safe to call twice.
    /// Call it after every process inside has ended, or the kernel keeps the
    /// namespace (unnamed) until they do.
    package func remove() {
        for namespace in created.reversed() {
            _ = try? ChildProcess.run(["ip", "netns", "del", namespace])
        }
        created = []
    }

    private static func run(_ command: [String]) throws(RunError) {
        let result = try ChildProcess.run(command)
        guard result.status == .exited(0) else {
            let why = result.errors.split(separator: "\n").first.map(String.init) ?? "\(result.status)"
            throw RunError("cannot build the lab's namespaces: \(command.joined(separator: " ")): \(why)")
        }
    }
}
