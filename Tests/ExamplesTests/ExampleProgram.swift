#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PacketIO

/// One of the built example programs, started as a child process with its
/// output captured to a file, and ended within a bounded time.
final class ExampleProgram {
    let process = Process()
    let output: URL

    /// The directory holding the built products: the test bundle's own.
    static let productsDirectory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()

    init(_ name: String, _ arguments: [String]) throws {
        let binary = Self.productsDirectory.appendingPathComponent(name).path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw ExampleError("\(binary) is not built: run 'swift build' first")
        }
        output = FileManager.default.temporaryDirectory.appendingPathComponent("mpps-example-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = process.standardOutput
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        try? FileManager.default.removeItem(at: output)
    }

    /// What the program has written so far.
    var outputSoFar: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }

    /// Waits for the program to exit, killing it after `seconds`; its status (-1 if killed) and output.
    func finish(within seconds: Double) -> (status: Int32, output: String) {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        var status: Int32 = -1
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        } else {
            process.waitUntilExit()
            status = process.terminationStatus
        }
        return (status, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }
}

struct ExampleError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A loopback port that was free a moment ago: bound to 0, read, released.
func freeLoopbackPort(_ family: SocketAddress.Family) throws -> UInt16 {
    let probe = try UDPSocket(family: family)
    try probe.bind(to: loopbackAddress(family, port: 0))
    return try probe.localAddress().port
}

func loopbackAddress(_ family: SocketAddress.Family, port: UInt16) -> SocketAddress {
    family == .inet ? SocketAddress(ipv4: 127, 0, 0, 1, port: port) : .ipv6Loopback(port: port)
}

/// Whether some UDP socket is bound to `port` (of `family`), as /proc/net/udp says:
/// the example is ready once it has bound, since the kernel queues from then on.
func udpPortIsBound(_ port: UInt16, family: SocketAddress.Family) -> Bool {
    let path = family == .inet ? "/proc/net/udp" : "/proc/net/udp6"
    guard let table = try? String(contentsOfFile: path, encoding: .utf8) else { return false }
    let suffix = ":" + String(format: "%04X", Int(port))
    return table.split(separator: "\n").dropFirst().contains { line in
        line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first?.hasSuffix(suffix) ?? false
    }
}

/// Polls `condition` every 10 ms for at most `seconds`.
func waitFor(seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}

/// The integers in `line`, in order: "echoed 400 datagrams in 12 receives" → [400, 12].
func numbers(in line: String) -> [Int] {
    line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
}
