import PacketIO
import Reporting

/// A client of `mpps serve`: connects, says hello, proves the key when the
/// server asks for it, then starts and stops receivers (or an echo) there.
package final class ServeClient {
    /// Where the server is, as given (`HOST` or `HOST:PORT`).
    package let server: String
    private let connection: LineConnection
    /// The CPUs the server's receivers may use, from its hello.
    package let serverCPUs: [Int]
    /// Seconds to wait for an answer: a start waits for the receiver's ready
    /// line and a stop for its drain and summary, each a few seconds at most.
    static let answerSeconds = 30.0

    /// The address of `text`: `HOST:PORT`, or `HOST` alone for port 4320.
    package static func address(_ text: String) throws(RunError) -> SocketAddress {
        if let address = try? SocketAddress(parsing: text) { return address }
        do {
            return try SocketAddress(parsing: "\(text):\(ServeProtocol.defaultPort)")
        } catch {
            throw RunError("bad --server '\(text)': \(error) (give HOST or HOST:PORT; mpps serve listens on \(ServeProtocol.defaultPort))",
                           status: RunError.usage)
        }
    }

    /// Connects to `server` and opens a session, proving `key` if the server wants one.
    package init(server: String, key: [UInt8]?) throws(RunError) {
        self.server = server
        connection = try LineConnection.connect(to: try ServeClient.address(server), seconds: 10)
        connection.write(["type": "hello", "version": .int(ServeProtocol.version)])
        let hello = try ServeClient.answer(connection, server: server, expecting: "hello")
        guard let nonce = hello["nonce"]?.string.flatMap(SHA256.bytes(hex:)), nonce.count == ServeProtocol.nonceSize else {
            throw RunError("mpps serve at \(server) sent a hello without a nonce: \(hello.rendered)")
        }
        serverCPUs = (hello["cpus"]?.array ?? []).compactMap { $0.count.flatMap { Int(exactly: $0) } }
        if hello["key"] == .bool(true) {
            guard let key else {
                throw RunError("mpps serve at \(server) needs the shared key: give --key-file FILE, the file its --key-file names")
            }
            let clientNonce = ServeProtocol.nonce()
            let mac = ServeProtocol.proof(key: key, serverNonce: nonce, clientNonce: clientNonce)
            connection.write(["type": "auth", "nonce": .string(SHA256.hex(clientNonce)), "hmac": .string(SHA256.hex(mac))])
            _ = try ServeClient.answer(connection, server: server, expecting: "ok")
        }
    }

    /// Starts a receiver with `arguments` (`mpps recv`'s, without `--json`); its ready line.
    package func start(_ arguments: [String]) throws(RunError) -> JSONValue {
        connection.write(["type": "start", "arguments": .strings(arguments)])
        return try ServeClient.answer(connection, server: server, expecting: "ready")
    }

    /// Starts an echo with `arguments` (`mpps echo`'s, without `--json`); its ready line.
    /// A server too old to know echo would start a receiver instead: its ready line
    /// says no `"command":"echo"`, and this stops it and says so.
    package func startEcho(_ arguments: [String]) throws(RunError) -> JSONValue {
        connection.write(["type": "start", "program": "echo", "arguments": .strings(arguments)])
        let ready = try ServeClient.answer(connection, server: server, expecting: "ready")
        guard ready["command"]?.string == "echo" else {
            _ = try? stop()
            throw RunError("mpps serve at \(server) started something other than an echo (\(ready.rendered.prefix(120))): "
                + "run the same mpps on both hosts")
        }
        return ready
    }

    /// Stops the receiver (or echo); its summary line.
    package func stop() throws(RunError) -> JSONValue {
        connection.write(["type": "stop"])
        return try ServeClient.answer(connection, server: server, expecting: "summary")
    }

    /// The next line, which must be of `type`; a server's error becomes this side's.
    private static func answer(_ connection: LineConnection, server: String, expecting type: String) throws(RunError) -> JSONValue {
        switch connection.readLine(seconds: answerSeconds) {
        case .line(let bytes):
            let text = String(decoding: bytes, as: UTF8.self)
            guard let value = JSONValue(parsing: text) else {
                throw RunError("mpps serve at \(server) answered with something that is not JSON: \(text.prefix(200))")
            }
            if value["type"]?.string == "error" {
                throw RunError("mpps serve at \(server): \(value["message"]?.string ?? "an error without a message")")
            }
            guard value["type"]?.string == type else {
                throw RunError("mpps serve at \(server) answered \(text.prefix(200)) where a \(type) line belongs")
            }
            return value
        case .tooLong:
            throw RunError("mpps serve at \(server) sent a line longer than \(LineConnection.maximumLine) bytes")
        case .closed:
            throw RunError("mpps serve at \(server) closed the connection")
        case .nothing:
            throw RunError("mpps serve at \(server) did not answer within \(Units.plain(answerSeconds)) s")
        }
    }
}
