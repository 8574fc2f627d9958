#if canImport(Glibc)
import Glibc
#endif
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
