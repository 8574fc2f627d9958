#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HostStats
import PacketIO
import Testing

/// A HostTree must read as the same tree on disk does: every test here that can
/// compares the two, so the fuzzer's host cannot drift from the real one.
@Suite struct HostTreeTests {
    /// A small host with links of every kind: relative, absolute, through a
    /// directory in the middle of a path, dangling, in a loop, and to a file.
    static let nodes: [String: HostTree.Node] = [
        "sys": .directory,
        "sys/class": .directory,
        "sys/class/net": .directory,
        "sys/class/net/eth0": .link("../../devices/pci0/net/eth0"),
        "sys/class/net/lo": .link("/sys/devices/virtual/net/lo"),
        "sys/class/net/gone": .link("../../devices/nowhere"),
        "sys/class/net/loop": .link("loop"),
        "sys/devices": .directory,
        "sys/devices/pci0": .directory,
        "sys/devices/pci0/numa_node": .file("1\n"),
        "sys/devices/pci0/net": .directory,
        "sys/devices/pci0/net/eth0": .directory,
        "sys/devices/pci0/net/eth0/mtu": .file("1500\n"),
        "sys/devices/pci0/net/eth0/device": .link("../../../pci0"),
        "sys/devices/virtual": .directory,
        "sys/devices/virtual/net": .directory,
        "sys/devices/virtual/net/lo": .directory,
        "sys/devices/virtual/net/lo/mtu": .file("65536\n"),
        "proc": .directory,
        "proc/stat": .file("cpu  1 2 3\n"),
    ]

    /// Paths to try on both, each through every call. Not among them: an absolute link
    /// (`lo`) and `..` above the root, which on disk leave a fixture directory for the
    /// real `/`, where a tree, like the host it stands for, stays at its root.
    static let paths = [
        "/", "/sys/class/net", "/sys/class/net/eth0", "/sys/class/net/eth0/mtu", "/sys/class/net/eth0/device",
        "/sys/class/net/eth0/device/numa_node", "/sys/class/net/gone", "/sys/class/net/gone/mtu",
        "/sys/class/net/loop", "/sys/class/net/loop/x", "/proc/stat", "/proc/stat/x", "/proc/missing",
        "/sys/class/net/eth0/../../../proc/stat", "/sys/./class//net/eth0/mtu",
    ]

    /// What each call gives for `path`: its value or its errno, as text.
    func outcomes(_ files: HostFiles, _ path: String) -> [String] {
        func text<T>(_ body: () throws(HostReadError) -> T) -> String {
            do throws(HostReadError) { return "\(try body())" } catch { return "errno \(error.code)" }
        }
        return [text { () throws(HostReadError) in try files.read(path) },
                text { () throws(HostReadError) in try files.list(path) },
                text { () throws(HostReadError) in try files.link(path) },
                "exists \(files.exists(path))"]
    }

    /// Writes `nodes` under a new temporary directory, which the caller removes.
    func writeOnDisk(_ nodes: [String: HostTree.Node]) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mpps-tree-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        // Shorter paths first, so every parent exists before its children.
        for (path, node) in nodes.sorted(by: { $0.key.count < $1.key.count }) {
            let full = root + "/" + path
            switch node {
            case .directory: try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: false)
            case .file(let text): try text.write(toFile: full, atomically: false, encoding: .utf8)
            case .link(let target): #expect(symlink(target, full) == 0, "symlink \(full)")
            }
        }
        return root
    }

    @Test func readsAsTheSameTreeOnDisk() throws {
        let root = try writeOnDisk(Self.nodes)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let disk = HostFiles(root: root)
        let memory = HostFiles(tree: HostTree(Self.nodes))
        for path in Self.paths {
            #expect(outcomes(memory, path) == outcomes(disk, path), "\(path)")
        }
    }

    @Test func followsLinksAndReportsTheKernelsErrors() {
        let tree = HostTree(Self.nodes)
        #expect(tree.read("/sys/class/net/eth0/device/numa_node") == .success("1\n"))
        #expect(tree.read("/sys/class/net/lo/mtu") == .success("65536\n"))
        #expect(tree.read("/../../proc/stat") == .success("cpu  1 2 3\n"))
        #expect(tree.link("/sys/class/net/eth0/device") == .success("../../../pci0"))
        #expect(tree.list("/sys/class/net") == .success(["eth0", "gone", "lo", "loop"]))
        #expect(tree.read("/sys/class/net/loop/x") == .failure(Errno(rawValue: ELOOP)))
        #expect(tree.read("/sys/class/net/gone/mtu") == .failure(Errno(rawValue: ENOENT)))
        #expect(tree.read("/proc/stat/x") == .failure(Errno(rawValue: ENOTDIR)))
        #expect(tree.read("/sys") == .failure(Errno(rawValue: EISDIR)))
        #expect(tree.list("/proc/stat") == .failure(Errno(rawValue: ENOTDIR)))
        #expect(tree.link("/proc/stat") == .failure(Errno(rawValue: EINVAL)))
    }

    /// Every fixture host, copied into a tree, reads as the same snapshot and the same doctor's report.
    @Test(arguments: [Fixture.article, Fixture.mlx5, Fixture.vm])
    func aFixtureHostReadsTheSameFromMemory(host: String) throws {
        let root = Fixture.root(host)
        let tree = HostTree(try Self.nodes(under: root))
        let fromDisk = HostSnapshot.read(root: root)
        let fromMemory = HostSnapshot.read(HostFiles(tree: tree, root: root))
        #expect(fromMemory == fromDisk)
        #expect(Doctor.diagnose(fromMemory).text == Doctor.diagnose(fromDisk).text)
        #expect(!fromDisk.interfaces.isEmpty)
    }

    /// The nodes of a directory tree on disk, by path from `root`.
    static func nodes(under root: String) throws -> [String: HostTree.Node] {
        var nodes: [String: HostTree.Node] = [:]
        let manager = FileManager.default
        var pending = [""]
        while let directory = pending.popLast() {
            for name in try manager.contentsOfDirectory(atPath: root + "/" + directory) {
                let path = directory.isEmpty ? name : directory + "/" + name
                let full = root + "/" + path
                if let target = try? manager.destinationOfSymbolicLink(atPath: full) {
                    nodes[path] = .link(target)
                } else if (try manager.attributesOfItem(atPath: full)[.type] as? FileAttributeType) == .typeDirectory {
                    nodes[path] = .directory
                    pending.append(path)
                } else {
                    nodes[path] = .file(try String(contentsOfFile: full, encoding: .utf8))
                }
            }
        }
        return nodes
    }
}
