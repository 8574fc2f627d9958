#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// An `mpps serve` started for a test, listening on a port the kernel chose.
final class ServeProcess {
    let program: Program
    let port: UInt16
    let host: String

    /// Starts `mpps serve --listen HOST:0 EXTRA...`, or the same inside `prefix` (`ip netns exec NS`).
    init(host: String = "127.0.0.1", _ extra: [String] = [], prefix: [String] = []) throws {
        program = try Program("mpps", ["serve", "--listen", "\(host):0"] + extra, prefix: prefix)
        self.host = host
        guard program.waitFor(seconds: 10, { $0.stdout.contains("\n") }),
              let text = program.stdout.split(separator: "\n").first,
              let range = text.range(of: #":[0-9]+ \("#, options: .regularExpression),
              let port = UInt16(text[range].dropFirst().dropLast(2)) else {
            throw ProgramError("mpps serve did not say where it listens: \(program.stdout) \(program.stderr)")
        }
        self.port = port
    }

    /// `HOST:PORT` for `--server`.
    var address: String { "\(host):\(port)" }

    /// Stops the server with SIGTERM and returns its exit status.
    func stop() -> Int32 {
        program.send(SIGTERM)
        return program.finish(within: 10)
    }
}

/// A raw TCP client of the control protocol, as a stranger would write one.
final class ControlClient {
    let descriptor: Int32
    private var pending: [UInt8] = []

    init(port: UInt16, host: String = "127.0.0.1") throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { close(descriptor); throw ProgramError("connect to \(host):\(port): errno \(errno)") }
    }

    deinit { close(descriptor) }

    /// Sends `text` as it is (add the newline yourself).
    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return }
            offset += sent
        }
    }

    /// The next line within `seconds`; nil when the server closed the connection or the time passed.
    func readLine(seconds: Double = 10) -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if let newline = pending.firstIndex(of: 0x0a) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return nil }
            var descriptors = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)]
            guard poll(&descriptors, 1, Int32(left * 1000) + 1) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return nil }
            pending += chunk[0..<count]
        }
    }

    /// True when the server closed the connection within `seconds` (a read finds the end).
    func closedByServer(seconds: Double = 5) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            var descriptors = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)]
            guard poll(&descriptors, 1, 100) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return true }
        }
        return false
    }

    /// Says hello and returns the server's hello.
    func hello() -> [String: Any]? {
        send(#"{"type":"hello","version":1}"# + "\n")
        return readLine().flatMap(jsonObject)
    }
}

/// True while a process with this id exists.
func processExists(_ pid: Int32) -> Bool { kill(pid, 0) == 0 }

/// True when a UDP socket can bind `port` on 0.0.0.0 now (nobody holds it).
func udpPortIsFree(_ port: UInt16) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    } == 0
}
