#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// One of the built command-line programs, started as a child process with
/// its standard output and error captured to files that a test can poll.
final class Program: @unchecked Sendable {
    /// Whether this test binary, and so the mpps built beside it, runs under ASan or TSan
    /// (their runtimes define these entry points).
    static let isSanitized = dlsym(nil, "__asan_init") != nil || isThreadSanitized
    /// Whether it runs under TSan, whose instrumented threads cost several times their CPU.
    static let isThreadSanitized = dlsym(nil, "__tsan_init") != nil

    let process = Process()
    let stdoutURL: URL
    let stderrURL: URL

    /// The directory holding the built products: the test bundle's own.
    static let productsDirectory: URL = {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return exe.deletingLastPathComponent()
    }()

    /// The path of a built program (`mpps`, `udpsender`, `udpreceiver1`), or `name` itself
    /// when it is an absolute path (a tool such as `/usr/bin/python3`).
    static func path(_ name: String) -> String {
        name.hasPrefix("/") ? name : productsDirectory.appendingPathComponent(name).path
    }

    /// Starts `name` with `arguments`; `prefix` runs it through another program (for example `setpriv`).
    init(_ name: String, _ arguments: [String], prefix: [String] = []) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mpps-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        stdoutURL = directory.appendingPathComponent("stdout")
        stderrURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        let binary = Self.path(name)
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw ProgramError("\(binary) is not built: run 'swift build' first")
        }
        if prefix.isEmpty {
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: prefix[0])
            process.arguments = Array(prefix.dropFirst()) + [binary] + arguments
        }
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
        try? FileManager.default.removeItem(at: stdoutURL.deletingLastPathComponent())
    }

    var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }
    var stdoutLines: [String] { stdout.split(separator: "\n").map(String.init) }

    /// The first line of a `--json` run's standard output once it is whole and is
    /// the ready line (`{"type":"ready",...}`); nil before.
    var readyLine: [String: Any]? {
        let out = stdout
        guard let end = out.firstIndex(of: "\n"), let object = jsonObject(String(out[..<end])),
              object["type"] as? String == "ready" else { return nil }
        return object
    }

    /// Waits until a `--json` receiver or sender has printed its ready line: for a
    /// receiver, every thread is reading.
    @discardableResult
    func waitForReady(seconds: Double = 10) -> Bool {
        waitFor(seconds: seconds) { $0.readyLine != nil }
    }

    /// Waits until `condition` holds, polling every 20 ms, for at most `seconds`.
    @discardableResult
    func waitFor(seconds: Double, _ condition: (Program) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition(self) { return true }
            usleep(20_000)
        }
        return condition(self)
    }

    /// Waits for the program to exit, killing it after `seconds`; returns its exit status
    /// (-1 if it had to be killed, 128+N if a signal ended it).
    func finish(within seconds: Double) -> Int32 {
        if !waitFor(seconds: seconds, { !$0.process.isRunning }) {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return -1
        }
        process.waitUntilExit()
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }

    /// Sends `signal` to the program.
    func send(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Runs a program to completion and returns its status, stdout and stderr.
    static func run(_ name: String, _ arguments: [String], prefix: [String] = [], within seconds: Double = 30) throws -> (status: Int32, stdout: String, stderr: String) {
        let program = try Program(name, arguments, prefix: prefix)
        let status = program.finish(within: seconds)
        return (status, program.stdout, program.stderr)
    }
}

struct ProgramError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A UDP port on 127.0.0.1 (and ::1) that was free a moment ago: bound to 0 and released.
func freePort(family: Int32 = AF_INET) -> UInt16 {
    let fd = socket(family, Int32(SOCK_DGRAM.rawValue), 0)
    defer { close(fd) }
    if family == AF_INET6 {
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_addr = in6addr_loopback
        var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length); return getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: address.sin6_port)
    }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length); return getsockname(fd, $0, &length) }
    }
    return UInt16(bigEndian: address.sin_port)
}

/// Parses one line of JSON output into a dictionary; nil if it is not a JSON object.
func jsonObject(_ line: String) -> [String: Any]? {
    guard let data = line.data(using: .utf8) else { return nil }
    return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
}

/// Matches the article's line: `  0.352M pps  10.730MiB /  90.010Mb`.
func isArticleLine(_ line: String) -> Bool {
    line.range(of: #"^ *[0-9]+\.[0-9]{3}M pps +[0-9]+\.[0-9]{3}MiB / +[0-9]+\.[0-9]{3}Mb$"#, options: .regularExpression) != nil
}
