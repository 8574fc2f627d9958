#if canImport(Glibc)
import Glibc
#endif

// Child processes, for the trials that run `mpps recv` and `mpps send`.
extension Syscalls {
    /// Starts `path` with `arguments` (the first being the program's name) in
    /// a process group of its own, standard input from /dev/null, output and
    /// errors into the given descriptors, no signal blocked or ignored.
    /// The corresponding C function is `posix_spawn(3)`.
    package static func spawn(_ path: String, _ arguments: [String], standardOutput: Int32,
                              standardError: Int32) throws(Errno) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, standardOutput, 1)
        posix_spawn_file_actions_adddup2(&actions, standardError, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The parent blocks the stop signals to take them synchronously: the child must not inherit that.
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        // Its own group, so a signal to the group reaches what it starts in turn (`ip netns exec`).
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        // Safety: the C strings live until posix_spawn returns, then are freed.
        let cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var child = pid_t()
        let result = invokeReturningCode(.spawn) { posix_spawn(&child, path, &actions, &attributes, cArguments, environ) }
        if result != 0 { throw Errno(rawValue: result) }
        return child
    }

    /// The raw wait status of `pid` once it has ended, reaping it; nil while it
    /// runs (`blocking` false) . The corresponding C function is `waitpid(2)`.
    package static func reap(_ pid: pid_t, blocking: Bool) -> Int32? {
        var status: Int32 = 0
        while true {
            let result = invoke(.waitpid, -1) { Int(waitpid(pid, &status, blocking ? 0 : WNOHANG)) }
            if result == Int(pid) { return status }
            if result < 0 && errno == EINTR { continue }
            return nil
        }
    }

    /// Sends `signal` to the process group `group`. The corresponding C function is `kill(2)`.
    package static func signalGroup(_ group: pid_t, _ signal: Int32) {
        _ = invoke(.kill, -1) { Int(kill(-group, signal)) }
    }

    /// A new, already unlinked, close-on-exec file in `directory`.
    /// The corresponding C functions are `mkstemp(3)`, `unlink(2)` and `fcntl(2)`.
    package static func temporaryFile(in directory: String) throws(Errno) -> Int32 {
        var template = Array("\(directory)/mpps-XXXXXX".utf8CString)
        let descriptor = Int32(truncatingIfNeeded: invoke(.open, -1) { Int(mkstemp(&template)) })
        if descriptor < 0 { throw Errno.current }
        unlink(template)
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        return descriptor
    }

    /// Reads up to `buffer.count` bytes at `offset` without moving the file's
    /// position; 0 at its end. The corresponding C function is `pread(2)`.
    package static func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(Errno) -> Int {
        while true {
            let count = invoke(.read, descriptor) { pread(descriptor, buffer.baseAddress, buffer.count, off_t(offset)) }
            if count >= 0 { return count }
            if errno != EINTR { throw Errno.current }
        }
    }
}
