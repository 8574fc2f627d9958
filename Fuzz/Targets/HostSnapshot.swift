// Everything `mpps doctor` reads, end to end: a fuzzed file tree stands for / and
// HostSnapshot.read parses it (CPU topology, softnet_stat, interrupts and their
// affinities, sysctls, conntrack, each interface's sysfs statistics, queues and masks,
// uevent, NUMA node, and ethtool's fixture files), then Doctor.diagnose judges it and
// the report is written as text and JSON; UDPStatistics.current reads snmp and snmp6.
//
// Input: records `PATH NUL CONTENT NUL`, PATH relative to the root (`proc/net/snmp`);
// a PATH starting with `@` makes a symbolic link whose target is CONTENT (`device`
// links). Fuzz/Corpus/HostSnapshot holds the fixture trees of
// Tests/HostStatsTests/Fixtures in this form (Fuzz/Tools/tree-to-records.sh).
//
// The tree is a HostTree in memory, which reads as the same tree on disk does
// (HostTreeTests compares them): no file system call per input, so the parsers take
// the time, not the disk (about 3 times the inputs per second of writing the tree).
#if canImport(Glibc)
import Glibc
#endif
import HostStats
import Reporting

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let files = HostFiles(tree: HostTree(FuzzTree.plan(FuzzInput(data, size).texts())))
    let snapshot = HostSnapshot.read(files)
    let report = Doctor.diagnose(snapshot)
    // MPPS_FUZZ_SHOW=1 prints the report, to see what a seed or a crash input reads as.
    if getenv("MPPS_FUZZ_SHOW") != nil { print(report.text) } else { _ = report.text }
    _ = report.json.rendered
    _ = UDPStatistics.current(files)
    for interface in snapshot.interfaces {
        if case .success(let statistics) = interface.statistics { _ = statistics.since(statistics).receiveDrops }
        if case .success(let ethtool) = interface.ethtool { _ = ethtool.since(ethtool).rxQueuePackets?.total }
    }
    if case .success(let softnet) = snapshot.softnet { _ = softnet.since(softnet).total }
    return 0
}

/// Records to a tree.
enum FuzzTree {
    typealias Node = HostTree.Node

    /// Records read from one input, at most.
    static let maximumRecords = 400

    /// The tree that writing the records in order into an empty root would leave: a
    /// record is skipped when its path is not made of plain names, when a parent is
    /// not a directory, or when its path is taken (files are created exclusively).
    /// Link targets may point anywhere, the root and beyond it included: the tree
    /// resolves them as a host's root does.
    static func plan(_ texts: [String]) -> [String: Node] {
        var tree: [String: Node] = [:]
        var index = 0
        while index + 1 < texts.count && index < 2 * maximumRecords {
            let path = texts[index]
            let content = texts[index + 1]
            index += 2
            let isLink = path.hasPrefix("@")
            let components = (isLink ? path.dropFirst() : Substring(path)).split(separator: "/", omittingEmptySubsequences: false)
            guard components.count <= 12, components.allSatisfy(isName) else { continue }
            var parent = ""
            var blocked = false
            for component in components.dropLast() {
                parent = parent.isEmpty ? String(component) : parent + "/" + component
                switch tree[parent] {
                case nil: tree[parent] = .directory
                case .directory?: continue
                default: blocked = true
                }
                if blocked { break }
            }
            let name = parent.isEmpty ? String(components[0]) : parent + "/" + components[components.count - 1]
            guard !blocked, tree[name] == nil else { continue }
            if isLink {
                guard content.utf8.count <= 1024 else { continue }
                tree[name] = .link(content)
            } else {
                tree[name] = .file(content)
            }
        }
        return tree
    }

    /// A path component that is a plain name: no `/`, `.` or `..`, nothing odd.
    static func isName(_ component: Substring) -> Bool {
        !component.isEmpty && component.count <= 64 && component != "." && component != ".."
            && component.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
                    || [UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "+"), UInt8(ascii: "@")].contains(byte)
            }
    }
}
