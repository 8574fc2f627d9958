#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Reporting

/// A program `mpps lab` and `mpps ndr` start: a receiver, a sender, or an `ip`
/// command. Its standard output and error go to unlinked temporary files,
/// which the parent reads whenever it likes: a child never blocks on a full
/// pipe, and the parent needs no thread to drain one.
///
/// The child starts in a process group of its own, with no signal blocked and
/// SIGINT, SIGTERM, SIGHUP and SIGPIPE at their defaults (the parent blocks or
/// ignores them), so that only the parent decides when it stops.
package final class ChildProcess: @unchecked Sendable {
    /// The argument vector as started (`[0]` is the program's path).
    package let arguments: [String]
    /// The child's process id (also its process group id).
    package let pid: pid_t
    private let outputFile: Int32
    private let errorFile: Int32
    private var status: ExitStatus?

    /// Starts `arguments[0]` (a path, or a name looked up in PATH, /usr/sbin and /sbin).
    /// The corresponding C function is `posix_spawn`.
    package init(_ arguments: [String]) throws(RunError) {
        precondition(!arguments.isEmpty, "a child needs a program")
        guard let path = ChildProcess.which(arguments[0]) else {
            throw RunError("cannot run \(arguments[0]): not found in PATH, /usr/sbin or /sbin")
        }
        self.arguments = [path] + arguments.dropFirst()
        outputFile = try ChildProcess.temporaryFile()
        errorFile = try ChildProcess.temporaryFile()

        do throws(Errno) {
            pid = try Syscalls.spawn(path, self.arguments, standardOutput: outputFile, standardError: errorFile)
        } catch {
            Syscalls.close(outputFile)
            Syscalls.close(errorFile)
            throw RunError("cannot run \(path): \(error)")
        }
    }

    deinit {
        if status == nil { terminate(grace: 0) }
        Syscalls.close(outputFile)
        Syscalls.close(errorFile)
    }

    /// Everything the child wrote to standard output so far.
    package var output: String { Self.contents(of: outputFile) }

    /// Everything the child wrote to standard error so far.
    package var errors: String { Self.contents(of: errorFile) }

    /// The last non-empty line of standard error, for an error message.
    package var lastErrorLine: String? {
        errors.split(separator: "\n").last.map(String.init)
    }

    /// How the child ended, or nil while it runs. Reaps it without waiting.
    package func exitStatus() -> ExitStatus? {
        if let status { return status }
        if let raw = Syscalls.reap(pid, blocking: false) { status = ExitStatus(waitStatus: raw) }
        return status
    }

    /// Sends `signal` to the child's process group, unless it has been reaped
    /// (so a reused process id is never signalled).
    package func signal(_ signal: Int32) {
        guard exitStatus() == nil else { return }
        Syscalls.signalGroup(pid, signal)
    }

    /// Waits up to `seconds` for the child to end; its status, or nil if it still runs.
    @discardableResult
    package func wait(seconds: Double) -> ExitStatus? {
        let deadline = Units.deadline(MonotonicClock.now(), plusSeconds: seconds)
        while true {
            if let status = exitStatus() { return status }
            if MonotonicClock.now() >= deadline { return nil }
            MonotonicClock.sleep(until: MonotonicClock.now() &+ 5_000_000)
        }
    }

    /// Ends the child: SIGTERM, then SIGKILL if it is still there after `grace`
    /// seconds; returns once it is reaped.
    @discardableResult
    package func terminate(grace: Double) -> ExitStatus {
        if let status = exitStatus() { return status }
        signal(SIGTERM)
        if let status = wait(seconds: grace) { return status }
        Syscalls.signalGroup(pid, SIGKILL)
        let ended = ExitStatus(waitStatus: Syscalls.reap(pid, blocking: true) ?? 0)
        status = ended
        return ended
    }

    /// Runs `arguments` to completion (at most `seconds`, then it is killed);
    /// its status and standard error.
    package static func run(_ arguments: [String], seconds: Double = 10) throws(RunError) -> (status: ExitStatus, errors: String) {
        let child = try ChildProcess(arguments)
        let status = child.wait(seconds: seconds) ?? child.terminate(grace: 0.5)
        return (status, child.errors)
    }

    /// The path of `program`: itself if it holds a slash, else the first executable
    /// of that name in PATH, /usr/sbin or /sbin (where `ip` lives, often outside a user's PATH).
    package static func which(_ program: String) -> String? {
        if program.contains("/") { return Syscalls.isExecutable(program) ? program : nil }
        let path = Syscalls.environment("PATH") ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") + ["/usr/sbin", "/sbin"] {
            let candidate = "\(directory)/\(program)"
            if Syscalls.isExecutable(candidate) { return candidate }
        }
        return nil
    }

    /// The path of the running executable, so children run this very build of mpps
    /// (`/proc/self/exe` itself would name `ip` once `ip netns exec` runs it).
    package static func currentExecutable() -> String {
        guard let path = try? Syscalls.linkTarget("/proc/self/exe"), !path.isEmpty else { return CommandLine.arguments[0] }
        return path
    }

    /// An unlinked, close-on-exec file in TMPDIR (or /tmp).
    private static func temporaryFile() throws(RunError) -> Int32 {
        let directory = Syscalls.environment("TMPDIR") ?? "/tmp"
        do throws(Errno) { return try Syscalls.temporaryFile(in: directory) } catch {
            throw RunError("cannot create a temporary file in \(directory): \(error)")
        }
    }

    /// All a child has written so far: read from the start each time, as the
    /// child keeps appending through its own descriptor.
    private static func contents(of descriptor: Int32) -> String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let offset = bytes.count
            let count = chunk.withUnsafeMutableBytes { buffer in (try? Syscalls.read(descriptor, into: buffer, at: offset)) ?? 0 }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
