#if canImport(Glibc)
import Glibc
#endif

// Directories, links and permissions: the /proc and /sys walks of HostStats,
// and the search for a program a trial starts.
extension Syscalls {
    /// The names in a directory, without `.` and `..`, in the order the kernel
    /// gives them. A directory that goes away while it is read (a /proc/PID
    /// directory whose process ended) is an error, not a short list: `readdir`
    /// returns NULL both at the end and on a failure, and only errno tells them apart.
    /// The corresponding C functions are `opendir(3)`, `readdir(3)` and `closedir(3)`.
    package static func directoryEntries(_ path: String) throws(Errno) -> [String] {
        var directory: OpaquePointer?
        _ = invoke(.opendir, -1) {
            directory = opendir(path)
            return directory == nil ? -1 : 0
        }
        guard let directory else { throw Errno.current }
        defer { closedir(directory) }
        let descriptor = dirfd(directory)
        var names: [String] = []
        while true {
            var entry: UnsafeMutablePointer<dirent>?
            let rc = invoke(.readdir, descriptor) {
                errno = 0
                entry = readdir(directory)
                return entry == nil && errno != 0 ? -1 : 0
            }
            if rc < 0 { throw Errno.current }
            guard let entry else { return names }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
    }

    /// The target of a symbolic link (at most `PATH_MAX` bytes).
    /// The corresponding C function is `readlink(2)`.
    package static func linkTarget(_ path: String) throws(Errno) -> String {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = invoke(.readlink, -1) {
            buffer.withUnsafeMutableBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { readlink(path, $0.baseAddress!, $0.count - 1) }
            }
        }
        if count < 0 { throw Errno.current }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }

    /// True when `path` exists (following links).
    /// The corresponding C function is `access(2)` with `F_OK`.
    package static func exists(_ path: String) -> Bool {
        invoke(.access, -1) { Int(access(path, F_OK)) } == 0
    }

    /// True when `path` is a file this process may execute.
    /// The corresponding C function is `access(2)` with `X_OK`.
    package static func isExecutable(_ path: String) -> Bool {
        invoke(.access, -1) { Int(access(path, X_OK)) } == 0
    }

    /// The value of an environment variable, nil when it is not set.
    /// The corresponding C function is `getenv(3)`.
    package static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
