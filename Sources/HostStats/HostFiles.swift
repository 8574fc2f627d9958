#if canImport(Glibc)
import Glibc
#endif
import PacketIO

/// Reads the files of /proc and /sys under a root directory: `/` for this host,
/// or a fixture tree captured from another host with the same layout; or from a
/// ``HostTree`` in memory with that layout (the fuzzer's host).
///
/// Every failure carries the host path (`/proc/interrupts`, never the fixture's
/// full path), so messages read the same for a live host and a fixture.
package struct HostFiles: Sendable {
    /// The directory standing for `/`.
    package let root: String
    /// The tree read instead of the file system, when there is one.
    private let tree: HostTree?

    /// Files under `root` (`"/"` for this host).
    package init(root: String = "/") {
        var trimmed = root
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.root = trimmed.isEmpty ? "/" : trimmed
        tree = nil
    }

    /// The files of `tree`, named `root` in reports.
    package init(tree: HostTree, root: String = "(a tree in memory)") {
        self.root = root
        self.tree = tree
    }

    /// True when this reads the running host rather than a fixture tree.
    package var isLiveHost: Bool { root == "/" }

    /// The real path of a host path: `/proc/net/snmp` under `root`.
    package func path(_ hostPath: String) -> String {
        root == "/" ? hostPath : root + hostPath
    }

    /// The whole text of a small file. The corresponding C functions are `open(2)` and `read(2)`.
    package func read(_ hostPath: String) throws(HostReadError) -> String {
        if let tree { return try Self.value(of: tree.read(hostPath), subject: hostPath) }
        do throws(Errno) {
            return String(decoding: try Syscalls.readWholeFile(path(hostPath)), as: UTF8.self)
        } catch {
            throw HostReadError(subject: hostPath, errno: error.rawValue)
        }
    }

    /// A file's text without surrounding white space (sysfs values end in a newline).
    package func value(_ hostPath: String) throws(HostReadError) -> String {
        trimmed(try read(hostPath))
    }

    /// A file holding one decimal integer, such as `/proc/sys/net/core/rmem_max`.
    package func integer(_ hostPath: String) throws(HostReadError) -> Int {
        let text = try value(hostPath)
        guard let number = Int(text) else { throw .malformed(hostPath, "expected a whole number, found '\(text)'") }
        return number
    }

    /// True when the path exists (a file, directory or link).
    /// The corresponding C function is `access`.
    package func exists(_ hostPath: String) -> Bool {
        if let tree { return (try? tree.resolve(hostPath, followLast: true).get()) != nil }
        return Syscalls.exists(path(hostPath))
    }

    /// The names in a directory, sorted, without `.` and `..`. Entries may be
    /// links (all of /sys/class/net is). A directory that vanishes while it is
    /// read (a process's /proc directory) is an error with its path, not a short list.
    /// The corresponding C functions are `opendir` and `readdir`.
    package func list(_ hostPath: String) throws(HostReadError) -> [String] {
        if let tree { return try Self.value(of: tree.list(hostPath), subject: hostPath) }
        do throws(Errno) {
            return try Syscalls.directoryEntries(path(hostPath)).sorted()
        } catch {
            throw HostReadError(subject: hostPath, errno: error.rawValue)
        }
    }

    /// The target of a symbolic link, such as `/sys/class/net/eth0/device`.
    /// The corresponding C function is `readlink`.
    package func link(_ hostPath: String) throws(HostReadError) -> String {
        if let tree { return try Self.value(of: tree.link(hostPath), subject: hostPath) }
        do throws(Errno) {
            return try Syscalls.linkTarget(path(hostPath))
        } catch {
            throw HostReadError(subject: hostPath, errno: error.rawValue)
        }
    }

    /// A tree lookup's value, or its errno as the error a file system call would give.
    private static func value<T>(of result: Result<T, Errno>, subject: String) throws(HostReadError) -> T {
        switch result {
        case .success(let value): return value
        case .failure(let error): throw HostReadError(subject: subject, errno: error.rawValue)
        }
    }
}

/// `text` without leading and trailing spaces, tabs and newlines.
func trimmed<S: StringProtocol>(_ text: S) -> String {
    let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
    guard let start = text.firstIndex(where: { !isSpace($0) }),
          let end = text.lastIndex(where: { !isSpace($0) }) else { return "" }
    return String(text[start...end])
}

/// Splits on runs of spaces and tabs.
func fields<S: StringProtocol>(_ line: S) -> [Substring] where S.SubSequence == Substring {
    line.split(whereSeparator: { $0 == " " || $0 == "\t" })
}
