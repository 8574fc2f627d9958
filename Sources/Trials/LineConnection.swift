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

    /// The connection (non-blocking).
    private let socket: StreamSocket
    /// The socket, for a server's `poll`.
    package var descriptor: Int32 { socket.descriptor }
    /// The peer, for messages.
    package let peer: String
    private var pending: [UInt8] = []
    private var ended = false

    /// Takes ownership of a connection a listener accepted.
    package init(_ socket: consuming StreamSocket) {
        peer = socket.peer.map { "\($0)" } ?? "a client"
        self.socket = socket
    }

    /// Connects to `address` within `seconds`.
    package static func connect(to address: SocketAddress, seconds: Double) throws(RunError) -> LineConnection {
        do throws(SocketError) {
            return LineConnection(try StreamSocket(connectingTo: address, seconds: seconds))
        } catch {
            if error.code == ETIMEDOUT {
                throw RunError("cannot connect to mpps serve at \(address): no answer within \(Units.plain(seconds)) s")
            }
            let hint = error.code == ECONNREFUSED ? " (is 'mpps serve' running there, on that port?)" : ""
            throw RunError("cannot connect to mpps serve at \(address): \(error)\(hint)")
        }
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
            let result: IOResult<Int>
            do throws(SocketError) { result = try socket.receive(into: &chunk) } catch {
                ended = true
                break
            }
            guard case .done(let count) = result else { break }
            if count == 0 { ended = true; break }
            pending.append(contentsOf: chunk[0..<count])
            if chunk[0..<count].contains(UInt8(ascii: "\n")) { break }
        }
        return takeLine()
    }

    /// Waits up to `seconds` for the next line.
    package func readLine(seconds: Double) -> Event {
        let deadline = StreamSocket.deadline(seconds: seconds)
        while true {
            let event = readAvailable()
            if event != .nothing { return event }
            if MonotonicClock.now() >= deadline { return .nothing }
            guard (try? socket.wait(for: Int16(POLLIN), until: deadline)) != nil else { return .closed }
        }
    }

    /// Writes `line` and a newline within `seconds`; false when the peer is gone or too slow.
    @discardableResult
    package func write(line: String, seconds: Double = 5) -> Bool {
        socket.sendAll(Array((line + "\n").utf8), until: StreamSocket.deadline(seconds: seconds))
    }

    /// Writes a JSON value as one line.
    @discardableResult
    package func write(_ value: JSONValue) -> Bool { write(line: value.rendered) }
}
