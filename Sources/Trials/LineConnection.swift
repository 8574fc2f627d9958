#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Reporting

/// One TCP connection that carries lines (`mpps serve`'s JSON lines), owned:
/// the descriptor closes when the connection goes. Every wait has an end
/// (`poll` with a timeout), and a line may be at most ``maximumLine`` bytes, so
/// a peer that sends without end or never sends cannot hold the other side.
package final class LineConnection {
    /// The longest line either side accepts, newline excluded: 64 KiB, far more
    /// than the longest message (a receiver's summary is about 2 KiB).
    package static let maximumLine = 65536

    /// What one look at the connection found.
    package enum Event: Equatable {
        /// A whole line, without its newline.
        case line([UInt8])
        /// The peer sent ``maximumLine`` bytes without a newline.
        case tooLong
        /// The peer closed its side (or the connection failed); a partial line is dropped.
        case closed
        /// Nothing whole yet.
        case nothing
    }

    /// The socket (non-blocking).
    package let descriptor: Int32
    /// The peer, for messages.
    package let peer: String
    private var pending: [UInt8] = []
    private var ended = false

    /// Takes ownership of a connected, non-blocking stream socket.
    package init(descriptor: Int32) {
        self.descriptor = descriptor
        peer = (try? Syscalls.peerAddress(descriptor)).map { "\($0)" } ?? "a client"
    }

    deinit { Syscalls.close(descriptor) }

    /// Connects to `address` within `seconds`.
    package static func connect(to address: SocketAddress, seconds: Double) throws(RunError) -> LineConnection {
        let descriptor: Int32
        do { descriptor = try Syscalls.streamSocket(address.family) } catch {
            throw RunError("cannot connect to mpps serve at \(address): \(error)")
        }
        let connection = LineConnection(unconnected: descriptor, peer: "\(address)")
        do {
            if try !Syscalls.startConnect(descriptor, to: address) {
                guard try connection.wait(for: Int16(POLLOUT), seconds: seconds) else {
                    throw RunError("cannot connect to mpps serve at \(address): no answer within \(Units.plain(seconds)) s")
                }
                let code = try Syscalls.pendingError(descriptor)
                if code != 0 { throw SocketError("connect", code: code) }
            }
        } catch let error as RunError {
            throw error
        } catch {
            let hint = (error as? SocketError)?.code == ECONNREFUSED ? " (is 'mpps serve' running there, on that port?)" : ""
            throw RunError("cannot connect to mpps serve at \(address): \(error)\(hint)")
        }
        return connection
    }

    private init(unconnected descriptor: Int32, peer: String) {
        self.descriptor = descriptor
        self.peer = peer
    }

    /// The next whole line already received, without reading.
    package func takeLine() -> Event {
        if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            guard newline <= Self.maximumLine else { return .tooLong }
            let line = Array(pending[..<newline])
            pending.removeSubrange(...newline)
            return .line(line)
        }
        if pending.count > Self.maximumLine { return .tooLong }
        return ended ? .closed : .nothing
    }

    /// Reads what has arrived (without waiting), then returns the next line, if whole.
    package func readAvailable() -> Event {
        let event = takeLine()
        guard event == .nothing else { return event }
        var chunk = [UInt8](repeating: 0, count: 16384)
        // Read at most a line's worth beyond what is held: a flood stops at the limit.
        while !ended && pending.count <= Self.maximumLine {
            let count: Int?
            do {
                count = try chunk.withUnsafeMutableBytes { buffer throws(SocketError) in try Syscalls.receive(descriptor, into: buffer) }
            } catch {
                ended = true
                break
            }
            guard let count else { break }
            if count == 0 { ended = true; break }
            pending.append(contentsOf: chunk[0..<count])
            if chunk[0..<count].contains(UInt8(ascii: "\n")) { break }
        }
        return takeLine()
    }

    /// Waits up to `seconds` for the next line.
    package func readLine(seconds: Double) -> Event {
        let deadline = Units.deadline(MonotonicClock.now(), plusSeconds: seconds)
        while true {
            let event = readAvailable()
            if event != .nothing { return event }
            let now = MonotonicClock.now()
            if now >= deadline { return .nothing }
            guard (try? wait(for: Int16(POLLIN), seconds: Double(deadline &- now) / 1e9)) != nil else { return .closed }
        }
    }

    /// Writes `line` and a newline within `seconds`; false when the peer is gone or too slow.
    @discardableResult
    package func write(line: String, seconds: Double = 5) -> Bool {
        let bytes = Array((line + "\n").utf8)
        let deadline = Units.deadline(MonotonicClock.now(), plusSeconds: seconds)
        var offset = 0
        while offset < bytes.count {
            let sent: Int
            do {
                sent = try bytes.withUnsafeBytes { buffer throws(SocketError) in
                    try Syscalls.sendStream(descriptor, UnsafeRawBufferPointer(rebasing: buffer[offset...]))
                }
            } catch { return false }
            offset += sent
            if sent == 0 {
                let now = MonotonicClock.now()
                if now >= deadline { return false }
                guard (try? wait(for: Int16(POLLOUT), seconds: Double(deadline &- now) / 1e9)) == true else { return false }
            }
        }
        return true
    }

    /// Writes a JSON value as one line.
    @discardableResult
    package func write(_ value: JSONValue) -> Bool { write(line: value.rendered) }

    /// Waits until the socket is ready for `events`; false when the time passed.
    private func wait(for events: Int16, seconds: Double) throws(SocketError) -> Bool {
        var descriptors = [pollfd(fd: descriptor, events: events, revents: 0)]
        let milliseconds = Int32(min(max(seconds * 1000, 0), 600_000).rounded(.up))
        return try Syscalls.poll(&descriptors, milliseconds: milliseconds) > 0
    }
}
