// Everything `mpps doctor` reads, end to end: a fuzzed file tree stands for / and
// HostSnapshot.read(root:) parses it (CPU topology, softnet_stat, interrupts and their
// affinities, sysctls, conntrack, each interface's sysfs statistics, queues and masks,
// uevent, NUMA node, and ethtool's fixture files), then Doctor.diagnose judges it and
// the report is written as text and JSON; UDPStatistics.current reads snmp and snmp6.
//
// Input: records `PATH NUL CONTENT NUL`, PATH relative to the root (`proc/net/snmp`);
// a PATH starting with `@` makes a symbolic link whose target is CONTENT (`device`
// links). Paths and targets are checked to stay inside the tree; files are only
// created through real directories, never through a link. Fuzz/Corpus/HostSnapshot
// holds the fixture trees of Tests/HostStatsTests/Fixtures in this form
// (Fuzz/Tools/tree-to-records.sh).
//
// The tree is kept between inputs and only what differs is rewritten: an input is
// first planned in memory as the files, links and directories writing its records in
// order would leave, so the tree is the same as if it had been written from empty.
#if canImport(Glibc)
import Glibc
#endif
import HostStats
import Reporting

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let root = FuzzTree.root
    FuzzTree.update(to: FuzzTree.plan(FuzzInput(data, size).texts()))
    let snapshot = HostSnapshot.read(root: root)
    let report = Doctor.diagnose(snapshot)
    // MPPS_FUZZ_SHOW=1 prints the report, to see what a seed or a crash input reads as.
    if getenv("MPPS_FUZZ_SHOW") != nil { print(report.text) } else { _ = report.text }
    _ = report.json.rendered
    _ = UDPStatistics.current(HostFiles(root: root))
    for interface in snapshot.interfaces {
        if case .success(let statistics) = interface.statistics { _ = statistics.since(statistics).receiveDrops }
        if case .success(let ethtool) = interface.ethtool { _ = ethtool.since(ethtool).rxQueuePackets?.total }
    }
    if case .success(let softnet) = snapshot.softnet { _ = softnet.since(softnet).total }
    return 0
}

/// The directory the records are written into.
enum FuzzTree {
    /// What a path in the tree is.
    enum Node: Equatable {
        case directory
        case file(String)
        case link(String)
    }

    /// Records read from one input, at most.
    static let maximumRecords = 400

    /// Made once per process under $TMPDIR (Fuzz/run.sh points it at a directory it deletes).
    static let root: String = {
        let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array((base + "/mpps-fuzz-tree-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            fatalError("cannot create a directory under \(base)")
        }
        // Removed on a normal exit; after a crash, Fuzz/run.sh deletes $TMPDIR.
        atexit { FuzzTree.empty(FuzzTree.root); rmdir(FuzzTree.root) }
        return String(cString: made)
    }()

    /// What the tree holds now, by path relative to the root.
    nonisolated(unsafe) static var current: [String: Node] = [:]

    /// The tree that writing the records in order into an empty root leaves: a record
    /// is skipped when its path or link target is unsafe, when a parent is not a
    /// directory, or when its path is taken (files are created exclusively).
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
                guard staysInside(content, linkDepth: components.count - 1) else { continue }
                tree[name] = .link(content)
            } else {
                tree[name] = .file(content)
            }
        }
        return tree
    }

    /// True when a link `depth` directories below the root with this target points
    /// strictly inside the tree: `..` only at its start (so they climb real
    /// directories), then names, never back to the root itself.
    static func staysInside(_ target: String, linkDepth: Int) -> Bool {
        var depth = linkDepth
        var climbing = true
        let parts = target.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 16 else { return false }
        for part in parts {
            if part == ".." && climbing {
                depth -= 1
            } else if isName(part) {
                climbing = false
                depth += 1
            } else {
                return false
            }
            guard depth >= 0 else { return false }
        }
        return depth >= 1
    }

    /// A path component that is a plain name: no `/`, `.` or `..`, nothing odd.
    static func isName(_ component: Substring) -> Bool {
        !component.isEmpty && component.count <= 64 && component != "." && component != ".."
            && component.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
                    || [UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "+"), UInt8(ascii: "@")].contains(byte)
            }
    }

    /// Makes the tree on disk `desired`, touching only what differs from ``current``.
    /// Should a step fail (something else changed the tree), it starts again from empty.
    static func update(to desired: [String: Node]) {
        if apply(desired) { return }
        empty(root)
        current = [:]
        guard apply(desired) else { fatalError("cannot write the fuzz tree under \(root)") }
    }

    private static func apply(_ desired: [String: Node]) -> Bool {
        // Children before their directories on the way out, directories before their children
        // on the way in. Depths are counted once per changed path: most inputs change few.
        let depth = { (path: String) in path.utf8.lazy.filter { $0 == UInt8(ascii: "/") }.count }
        let removals = current.filter { desired[$0.key] != $0.value }
            .map { (path: $0.key, node: $0.value, depth: depth($0.key)) }.sorted { $0.depth > $1.depth }
        let additions = desired.filter { current[$0.key] != $0.value }
            .map { (path: $0.key, node: $0.value, depth: depth($0.key)) }.sorted { $0.depth < $1.depth }
        for (path, node, _) in removals {
            let full = root + "/" + path
            guard (node == .directory ? rmdir(full) : unlink(full)) == 0 else { return false }
            current[path] = nil
        }
        for (path, node, _) in additions {
            let full = root + "/" + path
            switch node {
            case .directory:
                guard mkdir(full, 0o755) == 0 else { return false }
            case .link(let target):
                guard symlink(target, full) == 0 else { return false }
            case .file(let content):
                guard write(content, to: full) else { return false }
            }
            current[path] = node
        }
        return true
    }

    private static func write(_ content: String, to path: String) -> Bool {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var bytes = Array(content.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    /// Removes everything under `directory`, links without following them.
    static func empty(_ directory: String) {
        guard let stream = opendir(directory) else { return }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(stream)
        for name in names {
            let path = directory + "/" + name
            var status = stat()
            guard lstat(path, &status) == 0 else { continue }
            if status.st_mode & S_IFMT == S_IFDIR {
                empty(path)
                rmdir(path)
            } else {
                unlink(path)
            }
        }
    }
}
