#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

// Test support shared by the test targets: a pair of hosts joined by a veth,
// in a network namespace the test itself creates and always deletes.

/// A veth pair whose host end (`mh3<pid>a`, 198.19.N.1/30) stays in this namespace (or, with
/// `hostNamespace: true`, goes to a second namespace of its own) and whose
/// other end (198.19.N.2/30) lives in a namespace of its own, both with 4 queues (or `queues`). No traffic
/// leaves the pair: neighbours are permanent (no ARP), IPv6 is off unless asked for (then each end
/// also has an address in 2001:2::/48, the IPv6 benchmarking range, with permanent neighbours too),
/// and the only sender is a bounded loop inside the namespace.
public final class VethLab {
    public let namespace: String
    public let hostEnd: String
    public let peerEnd: String
    public let hostAddress: String
    public let peerAddress: String
    /// The host end's IPv6 address (2001:2:…::1/64) when made with `ipv6: true`, else nil.
    public let hostAddress6: String?
    /// The other end's IPv6 address (2001:2:…::2/64) when made with `ipv6: true`, else nil.
    public let peerAddress6: String?
    /// The namespace holding the host end when made with `hostNamespace: true` (two namespaces,
    /// neither of them this process's), else nil: the host end is in this process's namespace.
    public let hostNamespace: String?
    public let python: String
    private var created = false

    /// Why the lab cannot run here, or nil.
    public static func unavailableReason() -> String? {
        if geteuid() != 0 { return "needs root to create a network namespace" }
        if which("ip") == nil { return "the ip program (iproute2) is not installed" }
        if which("python3") == nil { return "python3 is not installed (the sender inside the namespace)" }
        return nil
    }

    public static func which(_ program: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        for directory in path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"] {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Labs made by this process so far: each gets its own names and /30.
    private static let made = Mutex(0)

    public init(queues: Int = 4, ipv6: Bool = false, hostNamespace: Bool = false) throws {
        let serial = VethLab.made.withLock { value in
            value += 1
            return value % 60
        }
        let id = Int(getpid()) % 10_000 * 100 + serial
        let octet = Int(getpid()) % 250 + 1
        namespace = "mpps-lab-\(id)"
        hostEnd = "ml\(id)a"
        peerEnd = "ml\(id)b"
        hostAddress = "198.19.\(octet).\(serial * 4 + 1)"
        peerAddress = "198.19.\(octet).\(serial * 4 + 2)"
        let subnet = "2001:2:\(String(id % 65_536, radix: 16))"
        hostAddress6 = ipv6 ? "\(subnet)::1" : nil
        peerAddress6 = ipv6 ? "\(subnet)::2" : nil
        self.hostNamespace = hostNamespace ? "\(namespace)h" : nil
        python = VethLab.which("python3")!
        try run("ip", "netns", "add", namespace)
        created = true
        if let name = self.hostNamespace { try run("ip", "netns", "add", name) }
        try onHost("ip", "link", "add", hostEnd, "numtxqueues", "\(queues)", "numrxqueues", "\(queues)", "type", "veth",
                   "peer", "name", peerEnd, "numtxqueues", "\(queues)", "numrxqueues", "\(queues)", "netns", namespace)
        if let hostAddress6, let peerAddress6 {
            try onHost("sysctl", "-q", "-w", "net.ipv6.conf.\(hostEnd).accept_ra=0")
            try run("ip", "netns", "exec", namespace, "sysctl", "-q", "-w", "net.ipv6.conf.\(peerEnd).accept_ra=0")
            try onHost("ip", "addr", "add", "\(hostAddress6)/64", "dev", hostEnd, "nodad")
            try run("ip", "-n", namespace, "addr", "add", "\(peerAddress6)/64", "dev", peerEnd, "nodad")
        } else {
            try onHost("sysctl", "-q", "-w", "net.ipv6.conf.\(hostEnd).disable_ipv6=1")
            try run("ip", "netns", "exec", namespace, "sysctl", "-q", "-w", "net.ipv6.conf.\(peerEnd).disable_ipv6=1")
        }
        try onHost("ip", "addr", "add", "\(hostAddress)/30", "dev", hostEnd)
        try run("ip", "-n", namespace, "addr", "add", "\(peerAddress)/30", "dev", peerEnd)
        let hostMAC = try onHost("cat", "/sys/class/net/\(hostEnd)/address").trimmingCharacters(in: .whitespacesAndNewlines)
        let peerMAC = try output("ip", "netns", "exec", namespace, "cat", "/sys/class/net/\(peerEnd)/address").trimmingCharacters(in: .whitespacesAndNewlines)
        try onHost("ip", "neigh", "replace", peerAddress, "lladdr", peerMAC, "dev", hostEnd, "nud", "permanent")
        try run("ip", "-n", namespace, "neigh", "replace", hostAddress, "lladdr", hostMAC, "dev", peerEnd, "nud", "permanent")
        if let hostAddress6, let peerAddress6 {
            try onHost("ip", "neigh", "replace", peerAddress6, "lladdr", peerMAC, "dev", hostEnd, "nud", "permanent")
            try run("ip", "-n", namespace, "neigh", "replace", hostAddress6, "lladdr", hostMAC, "dev", peerEnd, "nud", "permanent")
        }
        if hostNamespace { try onHost("ip", "link", "set", "lo", "up") }
        try onHost("ip", "link", "set", hostEnd, "up")
        try run("ip", "-n", namespace, "link", "set", peerEnd, "up")
        // veth counts packets per RX queue only on its NAPI path: turn GRO on at the receiving end
        // (ETHTOOL_SGRO), and TSO off at the sending end (ETHTOOL_STSO) so plain UDP takes that path.
        try onHost(python, "-c", Self.setFeature, hostEnd, "0x2c", "1")
        try run("ip", "netns", "exec", namespace, python, "-c", Self.setFeature, peerEnd, "0x1f", "0")
    }

    /// The command prefix that runs a program beside the host end: nothing, or
    /// `ip netns exec NAME` when the host end has a namespace of its own.
    public var hostPrefix: [String] {
        hostNamespace.map { [VethLab.which("ip") ?? "ip", "netns", "exec", $0] } ?? []
    }

    /// Runs a program beside the host end (in its namespace, if it has one) and returns its output.
    @discardableResult
    func onHost(_ program: String, _ arguments: String...) throws -> String {
        let argv = hostPrefix + [program] + arguments
        return try VethLab.execute(argv[0], Array(argv.dropFirst())).output
    }

    /// Runs `arguments` inside the namespace (a sender, say) and waits for it.
    @discardableResult
    public func runInside(_ arguments: [String]) throws -> String {
        try VethLab.execute("ip", ["netns", "exec", namespace] + arguments).output
    }

    /// Sends `count` 32-byte datagrams from inside the namespace to the host end, from 4 sockets.
    public func send(_ count: Int) throws {
        try run("ip", "netns", "exec", namespace, python, "-c", Self.sender, hostAddress, String(count))
    }

    /// Deletes the namespaces, which deletes both ends of the pair.
    public func remove() {
        if created { _ = try? run("ip", "netns", "del", namespace) }
        created = false
        if let hostNamespace {
            _ = try? run("ip", "netns", "del", hostNamespace)
        } else {
            _ = try? run("ip", "link", "del", hostEnd)
        }
    }

    deinit { remove() }

    static let setFeature = """
    import array, fcntl, socket, struct, sys
    name, command, value = sys.argv[1], int(sys.argv[2], 0), int(sys.argv[3])
    request = array.array('B', struct.pack('II', command, value))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        fcntl.ioctl(s.fileno(), 0x8946, struct.pack('16sP', name.encode(), request.buffer_info()[0]) + bytes(16))
    """

    static let sender = """
    import socket, sys
    target, count = sys.argv[1], int(sys.argv[2])
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(4)]
    for i in range(count):
        sockets[i % 4].sendto(b'x' * 32, (target, 9))
    """

    @discardableResult
    public func run(_ program: String, _ arguments: String...) throws -> Int32 {
        try VethLab.execute(program, arguments).status
    }

    public func output(_ program: String, _ arguments: String...) throws -> String {
        try VethLab.execute(program, arguments).output
    }

    public static func execute(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program.hasPrefix("/") ? program : (which(program) ?? program))
        process.arguments = arguments
        let pipe = Pipe()
        let errors = Pipe()
        process.standardOutput = pipe
        process.standardError = errors
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw LabError("\(program) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(errorText)")
        }
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

public struct LabError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

