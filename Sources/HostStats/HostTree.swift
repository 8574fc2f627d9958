#if canImport(Glibc)
import Glibc
#endif
import PacketIO

/// A tree of files, directories and symbolic links held in memory, which
/// ``HostFiles`` reads in place of a directory standing for `/`.
///
/// It is the fuzzer's host: every input becomes a tree without a single file
/// system call, so the parsers, not the disk, take the time. Lookups behave as
/// the kernel's path walk does for the calls ``HostFiles`` makes: links are
/// followed wherever they appear in a path (absolute targets from the root,
/// relative ones from the link's directory), `..` climbs and stops at the root,
/// at most ``maximumLinks`` links per lookup (then `ELOOP`), a file in the
/// middle of a path is `ENOTDIR`, a missing name `ENOENT`.
package struct HostTree: Equatable, Sendable {
    /// What a path in the tree is.
    package enum Node: Equatable, Sendable {
        case directory
        case file(String)
        /// A symbolic link and its target, as `readlink` returns it.
        case link(String)
    }

    /// Every node by its path from the root, without a leading slash (`proc/net/snmp`).
    /// The root itself is the empty path and is always a directory.
    package let nodes: [String: Node]
    /// Each directory's entries, sorted, by the directory's path.
    private let entries: [String: [String]]

    /// How many links one lookup follows before giving up, as Linux does (`MAXSYMLINKS`).
    package static let maximumLinks = 40

    /// A tree of `nodes`, keyed by path from the root without a leading slash.
    /// A node whose parent is missing or not a directory cannot be reached, as on disk.
    package init(_ nodes: [String: Node]) {
        var nodes = nodes
        nodes[""] = nil
        self.nodes = nodes
        var entries: [String: [String]] = [:]
        for path in nodes.keys {
            let slash = path.lastIndex(of: "/")
            let parent = slash.map { String(path[..<$0]) } ?? ""
            let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
            entries[parent, default: []].append(name)
        }
        for key in entries.keys { entries[key]?.sort() }
        self.entries = entries
    }

    /// The node a host path names, links followed (the last component's too when
    /// `followLast`), as its path from the root; or the errno a lookup would fail with.
    package func resolve(_ hostPath: String, followLast: Bool) -> Result<String, Errno> {
        var pending = Array(hostPath.split(separator: "/", omittingEmptySubsequences: true).reversed())
        var resolved: [Substring] = []
        var links = 0
        while let component = pending.popLast() {
            if component == "." { continue }
            if component == ".." {
                _ = resolved.popLast()
                continue
            }
            let candidate = resolved.isEmpty ? String(component) : resolved.joined(separator: "/") + "/" + component
            // Every component resolved so far is a directory: a file or an unfollowed link ends the walk.
            guard let node = nodes[candidate] else { return .failure(Errno(rawValue: ENOENT)) }
            switch node {
            case .link(let target) where !pending.isEmpty || followLast:
                links += 1
                guard links <= Self.maximumLinks else { return .failure(Errno(rawValue: ELOOP)) }
                if target.hasPrefix("/") { resolved = [] }
                pending.append(contentsOf: target.split(separator: "/", omittingEmptySubsequences: true).reversed())
                continue
            case .file where !pending.isEmpty:
                return .failure(Errno(rawValue: ENOTDIR))
            default:
                resolved.append(component)
            }
        }
        return .success(resolved.joined(separator: "/"))
    }

    /// The node at a resolved path; the root is a directory.
    private func node(at path: String) -> Node? {
        path.isEmpty ? .directory : nodes[path]
    }

    /// The text of the file a host path names, or the errno `open` and `read` would give.
    package func read(_ hostPath: String) -> Result<String, Errno> {
        switch resolve(hostPath, followLast: true) {
        case .failure(let code): return .failure(code)
        case .success(let path):
            guard case .file(let text)? = node(at: path) else { return .failure(Errno(rawValue: EISDIR)) }
            return .success(text)
        }
    }

    /// The sorted names in the directory a host path names, or the errno `opendir` would give.
    package func list(_ hostPath: String) -> Result<[String], Errno> {
        switch resolve(hostPath, followLast: true) {
        case .failure(let code): return .failure(code)
        case .success(let path):
            guard node(at: path) == .directory else { return .failure(Errno(rawValue: ENOTDIR)) }
            return .success(entries[path] ?? [])
        }
    }

    /// The target of the link a host path names, or the errno `readlink` would give.
    package func link(_ hostPath: String) -> Result<String, Errno> {
        switch resolve(hostPath, followLast: false) {
        case .failure(let code): return .failure(code)
        case .success(let path):
            guard case .link(let target)? = node(at: path) else { return .failure(Errno(rawValue: EINVAL)) }
            return .success(target)
        }
    }
}
