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
#if canImport(Glibc)
import Glibc
#endif
import HostStats
import Reporting

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let root = FuzzTree.root
    FuzzTree.empty(root)
    let texts = FuzzInput(data, size).texts()
    var directories: Set<String> = []
    var index = 0
    while index + 1 < texts.count && index < 2 * FuzzTree.maximumRecords {
        FuzzTree.add(path: texts[index], content: texts[index + 1], root: root, directories: &directories)
        index += 2
    }
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

/// The directory the records are written into, emptied before each input.
enum FuzzTree {
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

    /// A path component that is a plain name: no `/`, `.` or `..`, nothing odd.
    static func isName(_ component: Substring) -> Bool {
        !component.isEmpty && component.count <= 64 && component != "." && component != ".."
            && component.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
                    || [UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "+"), UInt8(ascii: "@")].contains(byte)
            }
    }

    /// Writes one record; one whose path or link target is unsafe is skipped.
    /// `directories` holds the directories this input has made so far.
    static func add(path: String, content: String, root: String, directories: inout Set<String>) {
        let isLink = path.hasPrefix("@")
        let components = (isLink ? path.dropFirst() : Substring(path)).split(separator: "/", omittingEmptySubsequences: false)
        guard components.count <= 12, components.allSatisfy(isName) else { return }
        // Make the parent directories, refusing to pass through anything but a real directory.
        var directory = root
        for component in components.dropLast() {
            directory += "/" + component
            if directories.contains(directory) { continue }
            if mkdir(directory, 0o755) != 0 {
                var status = stat()
                guard errno == EEXIST, lstat(directory, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else { return }
            }
            directories.insert(directory)
        }
        let file = directory + "/" + components[components.count - 1]
        if isLink {
            // The target must stay strictly inside the tree: `..` only at its start (so they
            // climb real directories), then names.
            var depth = components.count - 1
            var climbing = true
            let target = content.split(separator: "/", omittingEmptySubsequences: false)
            guard target.count <= 16 else { return }
            for part in target {
                if part == ".." && climbing {
                    depth -= 1
                } else if isName(part) {
                    climbing = false
                    depth += 1
                } else {
                    return
                }
                guard depth >= 0 else { return }
            }
            guard depth >= 1 else { return }
            _ = symlink(content, file)
            return
        }
        let descriptor = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var bytes = Array(content.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            guard written > 0 else { return }
            offset += written
        }
    }
}
