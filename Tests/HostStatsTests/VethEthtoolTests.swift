#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import HostStats

/// A veth pair whose host end (`mh3<pid>a`, 198.19.N.1/30) stays in this namespace and whose
/// other end (198.19.N.2/30) lives in a namespace of its own, both with 4 queues. No traffic
/// leaves the pair: neighbours are permanent (no ARP), IPv6 is off (no solicitations), and
/// the only sender is a bounded Python loop inside the namespace.
final class VethLab {
    let namespace: String
    let hostEnd: String
    let peerEnd: String
    let hostAddress: String
    let peerAddress: String
    let python: String
    private var created = false

    /// Why the lab cannot run here, or nil.
    static func unavailableReason() -> String? {
        if geteuid() != 0 { return "needs root to create a network namespace" }
        if which("ip") == nil { return "the ip program (iproute2) is not installed" }
        if which("python3") == nil { return "python3 is not installed (the sender inside the namespace)" }
        return nil
    }

    static func which(_ program: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        for directory in path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"] {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    init() throws {
        let id = Int(getpid()) % 100_000
        let octet = Int(getpid()) % 250 + 1
        namespace = "mpps-h3-\(id)"
        hostEnd = "mh3\(id)a"
        peerEnd = "mh3\(id)b"
        hostAddress = "198.19.\(octet).1"
        peerAddress = "198.19.\(octet).2"
        python = VethLab.which("python3")!
        try run("ip", "netns", "add", namespace)
        created = true
        try run("ip", "link", "add", hostEnd, "numtxqueues", "4", "numrxqueues", "4", "type", "veth",
                "peer", "name", peerEnd, "numtxqueues", "4", "numrxqueues", "4", "netns", namespace)
        try write("/proc/sys/net/ipv6/conf/\(hostEnd)/disable_ipv6", "1")
        try run("ip", "netns", "exec", namespace, "sysctl", "-q", "-w", "net.ipv6.conf.\(peerEnd).disable_ipv6=1")
        try run("ip", "addr", "add", "\(hostAddress)/30", "dev", hostEnd)
        try run("ip", "-n", namespace, "addr", "add", "\(peerAddress)/30", "dev", peerEnd)
        let hostMAC = try String(contentsOfFile: "/sys/class/net/\(hostEnd)/address", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let peerMAC = try output("ip", "netns", "exec", namespace, "cat", "/sys/class/net/\(peerEnd)/address").trimmingCharacters(in: .whitespacesAndNewlines)
        try run("ip", "neigh", "replace", peerAddress, "lladdr", peerMAC, "dev", hostEnd, "nud", "permanent")
        try run("ip", "-n", namespace, "neigh", "replace", hostAddress, "lladdr", hostMAC, "dev", peerEnd, "nud", "permanent")
        try run("ip", "link", "set", hostEnd, "up")
        try run("ip", "-n", namespace, "link", "set", peerEnd, "up")
        // veth counts packets per RX queue only on its NAPI path: turn GRO on at the receiving end
        // (ETHTOOL_SGRO), and TSO off at the sending end (ETHTOOL_STSO) so plain UDP takes that path.
        try run(python, "-c", Self.setFeature, hostEnd, "0x2c", "1")
        try run("ip", "netns", "exec", namespace, python, "-c", Self.setFeature, peerEnd, "0x1f", "0")
    }

    /// Sends `count` 32-byte datagrams from inside the namespace to the host end, from 4 sockets.
    func send(_ count: Int) throws {
        try run("ip", "netns", "exec", namespace, python, "-c", Self.sender, hostAddress, String(count))
    }

    /// Deletes the namespace, which deletes both ends of the pair.
    func remove() {
        if created { _ = try? run("ip", "netns", "del", namespace) }
        created = false
        _ = try? run("ip", "link", "del", hostEnd)
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
    func run(_ program: String, _ arguments: String...) throws -> Int32 {
        try VethLab.execute(program, arguments).status
    }

    func output(_ program: String, _ arguments: String...) throws -> String {
        try VethLab.execute(program, arguments).output
    }

    func write(_ path: String, _ text: String) throws {
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    static func execute(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
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

struct LabError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

@Suite(.serialized) struct VethEthtoolTests {
    @Test func perQueueCountsThroughAVethPair() throws {
        if let reason = VethLab.unavailableReason() {
            print("perQueueCountsThroughAVethPair: skipped: \(reason)")
            return
        }
        let lab = try VethLab()
        defer { lab.remove() }
        let name = lab.hostEnd

        var failures: [HostReadError] = []
        let queues = try InterfaceQueues.read(interface: name, failures: &failures)
        #expect(queues.receive.count == 4)
        #expect(queues.transmit.count == 4)
        let interface = NetworkInterface.read(name, failures: &failures)
        #expect(interface.device == nil)
        #expect(failures == [])
        let channels = try Ethtool.channels(interface: name)
        #expect(channels.maxReceive == 4)
        #expect(channels.maxTransmit == 4)
        #expect(throws: HostReadError(subject: "ethtool -n \(name) rx-flow-hash udp4", kind: .unsupported, code: EOPNOTSUPP,
                                      reason: "the driver of \(name) does not support ETHTOOL_GRXFH (operation not supported)")) {
            try Ethtool.flowHash(interface: name, flow: .udp4)
        }

        let names = try Ethtool.statisticNames(interface: name)
        #expect(names.first == "peer_ifindex")
        #expect(names.contains("rx_queue_3_xdp_packets"))
        var reader = try EthtoolReader(interface: name)
        #expect(reader.names == names)
        let ethtoolBefore = try reader.read()
        let statisticsBefore = try InterfaceStatistics.current(interface: name)
        let softnetBefore = try SoftnetStatistics.current()

        let count: UInt64 = 1000
        try lab.send(Int(count))
        // NAPI takes the packets off the ring after the sender returns: wait for the count to settle.
        var ethtoolAfter = ethtoolBefore
        for _ in 0..<250 {
            ethtoolAfter = try reader.read()
            if (ethtoolAfter.since(ethtoolBefore).rxQueuePackets?.total ?? 0) >= count { break }
            usleep(20_000)
        }
        usleep(100_000)
        ethtoolAfter = try Ethtool.statistics(interface: name)
        let statisticsAfter = try InterfaceStatistics.current(interface: name)
        let softnetAfter = try SoftnetStatistics.current()

        let perQueue = try #require(ethtoolAfter.since(ethtoolBefore).rxQueuePackets)
        #expect(perQueue.scheme == "rx_queue_N_xdp_packets")
        #expect(perQueue.queues.map(\.queue) == [0, 1, 2, 3])
        #expect(perQueue.total == count)
        #expect(ethtoolAfter.names == names)
        #expect(statisticsAfter.since(statisticsBefore)["rx_packets"] == count)
        // On its NAPI path veth counts bytes after the Ethernet header is pulled: 20 IP + 8 UDP + 32 payload.
        #expect(statisticsAfter.since(statisticsBefore)["rx_bytes"] == count * 60)
        let processed = softnetAfter.since(softnetBefore).cpus.reduce(UInt64(0)) { $0 + UInt64($1.processed) }
        #expect(processed >= count)

        let snapshot = HostSnapshot.read(interfaces: [name])
        #expect(snapshot.interfaces.first?.receiveQueueCount == 4)
        if case .success(let statistics) = snapshot.interfaces.first?.ethtool {
            #expect(statistics.rxQueuePackets?.total == perQueue.total + (ethtoolBefore.rxQueuePackets?.total ?? 0))
        } else {
            Issue.record("ethtool statistics of \(name) unread in the snapshot")
        }
        lab.remove()
        #expect(!FileManager.default.fileExists(atPath: "/sys/class/net/\(name)"))
    }
}
