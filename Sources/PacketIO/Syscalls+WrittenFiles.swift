#if canImport(Glibc)
import Glibc
#endif

/// What `stat` says about a path, as far as a command writing or reading a file needs to know.
package struct FileStatus: Sendable, Equatable {
    /// The path names a directory.
    package var isDirectory: Bool
    /// The path names a regular file (not a device, pipe or socket).
    package var isRegularFile: Bool
    /// Its size in bytes (0 for what is not a regular file).
    package var size: Int
}

// Files a command writes (a plot) and files it reads whole with a size check first.
extension Syscalls {
    /// Creates a new file for writing, failing with EEXIST when the path exists
    /// (close-on-exec, mode 0644 less the umask). The corresponding C function is `open(2)`
    /// with `O_CREAT | O_EXCL`.
    package static func createNewFile(_ path: String) throws(Errno) -> Int32 {
        while true {
            let descriptor = Int32(truncatingIfNeeded: invoke(.open, -1) {
                Int(Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(0o644)))
            })
            if descriptor >= 0 { return descriptor }
            if errno != EINTR { throw Errno.current }
        }
    }

    /// Gives `source` the name `destination`, replacing a file there in one step.
    /// The corresponding C function is `rename(2)`.
    package static func rename(_ source: String, to destination: String) throws(Errno) {
        if invoke(.rename, -1, { Int(Glibc.rename(source, destination)) }) != 0 { throw Errno.current }
    }

    /// Removes a file; false when it could not be removed (it was not there, say).
    /// The corresponding C function is `unlink(2)`.
    @discardableResult
    package static func removeFile(_ path: String) -> Bool {
        invoke(.unlink, -1) { Int(Glibc.unlink(path)) } == 0
    }

    /// What the path names, following symbolic links. The corresponding C function is `fstatat(2)`.
    package static func fileStatus(_ path: String) throws(Errno) -> FileStatus {
        var status = Glibc.stat()
        if invoke(.stat, -1, { Int(fstatat(AT_FDCWD, path, &status, 0)) }) != 0 { throw Errno.current }
        let kind = status.st_mode & S_IFMT
        return FileStatus(isDirectory: kind == S_IFDIR, isRegularFile: kind == S_IFREG,
                          size: kind == S_IFREG ? Int(status.st_size) : 0)
    }

    /// The host's name as the kernel knows it (`/proc/sys/kernel/hostname`), or nil when unreadable.
    package static func hostName() -> String? {
        guard let bytes = try? readWholeFile("/proc/sys/kernel/hostname") else { return nil }
        let name = String(decoding: bytes, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        return name.isEmpty ? nil : name
    }
}
