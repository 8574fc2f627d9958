import PacketIO
import Reporting

/// The control protocol of `mpps serve`: JSON lines over TCP, one object per
/// line, each with a `"type"`.
///
/// ```
/// client                                         server
/// {"type":"hello","version":1}              →
///                                           ←   {"type":"hello","version":1,"nonce":"<32 hex>","key":true,"cpus":[0,1]}
/// {"type":"auth","nonce":"<32 hex>","hmac":"<64 hex>"}   (only when "key" is true)
///                                           ←   {"type":"ok"}
/// {"type":"start","arguments":["0.0.0.0:4321","--threads","2"]}
///                                           ←   the receiver's ready line ({"type":"ready",...,"pid":N})
/// {"type":"stop"}                           →
///                                           ←   the receiver's summary line ({"type":"summary",...,"kernel":{...}})
/// ```
/// Any failure is `{"type":"error","message":"..."}`. The `arguments` are
/// `mpps recv`'s, from an allow-list of its options; the server runs `mpps recv
/// ARGUMENTS --json --quiet` as a child process, so they are read by the very
/// rules of the command line, and name no file, path or command. A start with
/// `"program":"echo"` runs `mpps echo ARGUMENTS --json --quiet` instead (for
/// `mpps ping --server`), from echo's own allow-list, under the same limits and
/// the same one-child-at-a-time rule; its ready line says `"command":"echo"`,
/// which a server too old to know the key would not (it would start a receiver).
///
/// The proof of the key (`--key-file` on both sides) is HMAC-SHA256 under the
/// key over ``proofMessage(serverNonce:clientNonce:)``: the server's fresh
/// nonce makes a recorded proof useless for another session, and the client's
/// nonce and the protocol's name keep the proof from serving any other purpose.
package enum ServeProtocol {
    /// The protocol version this build speaks.
    package static let version = 1
    /// The TCP port `mpps serve` listens on by default.
    package static let defaultPort: UInt16 = 4320
    /// Messages a client may send on one connection.
    package static let maximumMessages = 64
    /// Receiver arguments a start message may carry.
    package static let maximumArguments = 64
    /// The longest receiver argument, in bytes (an address, a CPU list, 64 flow keys fit).
    package static let maximumArgumentLength = 256
    /// Bytes in a nonce (written as twice as many hex digits).
    package static let nonceSize = 16

    /// The programs a start message may ask for; each has its own allow-list of options.
    package enum Program: String, Sendable, CaseIterable {
        /// `mpps recv`: a receiver, for ndr, send and lab `--server` (the default when a start names none).
        case recv
        /// `mpps echo`: a reflector, for `mpps ping --server`.
        case echo

        /// What the server's messages call the running child.
        package var role: String { self == .recv ? "receiver" : "echo" }
    }

    /// What a client said: one line, parsed and checked by ``parse(_:)``.
    package enum Request: Equatable, Sendable {
        /// The first message: the protocol version the client speaks.
        case hello(version: Int)
        /// The proof of the shared key: the client's nonce and HMAC-SHA256 over the session's nonces.
        case auth(clientNonce: [UInt8], mac: [UInt8])
        /// Start `program` (`mpps recv` or `mpps echo`) with these arguments.
        case start(program: Program, arguments: [String])
        /// Stop the receiver and answer with its summary.
        case stop
    }

    /// Reads one line from a client. Pure and total: any bytes give a request
    /// or a message that says what was wrong (the fuzz target `ServeRequest`
    /// holds it to that).
    package static func parse(_ line: [UInt8]) -> Result<Request, RunError> {
        guard line.count <= LineConnection.maximumLine else {
            return .failure(RunError("message longer than \(LineConnection.maximumLine) bytes: send one JSON object per line"))
        }
        guard let text = String(validating: line, as: UTF8.self), let value = JSONValue(parsing: text),
              case .object = value else {
            return .failure(RunError("malformed message: expected one JSON object per line, such as {\"type\":\"hello\",\"version\":\(version)}"))
        }
        guard let type = value["type"]?.string else {
            return .failure(RunError("malformed message: no \"type\" string (hello, auth, start or stop)"))
        }
        switch type {
        case "hello":
            guard let number = value["version"]?.count, number <= 1_000_000 else {
                return .failure(RunError("malformed hello: \"version\" must be a whole number (this server speaks \(version))"))
            }
            return .success(.hello(version: Int(number)))
        case "auth":
            guard let nonce = value["nonce"]?.string.flatMap(SHA256.bytes(hex:)), nonce.count == nonceSize else {
                return .failure(RunError("malformed auth: \"nonce\" must be \(nonceSize * 2) hex digits"))
            }
            guard let mac = value["hmac"]?.string.flatMap(SHA256.bytes(hex:)), mac.count == SHA256.digestSize else {
                return .failure(RunError("malformed auth: \"hmac\" must be \(SHA256.digestSize * 2) hex digits"))
            }
            return .success(.auth(clientNonce: nonce, mac: mac))
        case "start":
            return parseStart(value)
        case "stop":
            return .success(.stop)
        default:
            let shown = type.unicodeScalars.count > 32 || type.unicodeScalars.contains(where: { $0.value < 0x20 })
                ? "(not shown)" : "'\(type)'"
            return .failure(RunError("unknown message type \(shown): expected hello, auth, start or stop"))
        }
    }

    /// A start message: the program (recv when absent) and its arguments, each in bounds.
    private static func parseStart(_ value: JSONValue) -> Result<Request, RunError> {
        guard let list = value["arguments"]?.array else {
            return .failure(RunError("malformed start: \"arguments\" must be an array of strings (mpps recv's arguments)"))
        }
        var program = Program.recv
        if let name = value["program"] {
            guard let named = name.string.flatMap(Program.init(rawValue:)) else {
                return .failure(RunError("malformed start: \"program\" must be \"recv\" or \"echo\" (or absent, for recv)"))
            }
            program = named
        }
        guard list.count <= maximumArguments else {
            return .failure(RunError("malformed start: at most \(maximumArguments) arguments, got \(list.count)"))
        }
        var arguments: [String] = []
        for element in list {
            guard let argument = element.string, argument.utf8.count <= maximumArgumentLength,
                  !argument.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
                return .failure(RunError("malformed start: each argument must be a string of at most \(maximumArgumentLength) bytes without control characters"))
            }
            arguments.append(argument)
        }
        return .success(.start(program: program, arguments: arguments))
    }

    /// The bytes the key's proof is computed over: `mpps-serve 1 SERVERNONCE CLIENTNONCE` (hex).
    package static func proofMessage(serverNonce: [UInt8], clientNonce: [UInt8]) -> [UInt8] {
        Array("mpps-serve \(version) \(SHA256.hex(serverNonce)) \(SHA256.hex(clientNonce))".utf8)
    }

    /// The proof a client that knows `key` sends.
    package static func proof(key: [UInt8], serverNonce: [UInt8], clientNonce: [UInt8]) -> [UInt8] {
        SHA256.hmac(key: key, message: proofMessage(serverNonce: serverNonce, clientNonce: clientNonce))
    }

    /// A fresh nonce from the system's random source (getrandom).
    package static func nonce() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<nonceSize).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// `{"type":"error","message":...}`.
    package static func error(_ message: String) -> JSONValue { ["type": "error", "message": .string(message)] }

    /// The key file's contents: its bytes without a trailing newline; at least 16 bytes.
    package static func readKey(_ path: String) throws(RunError) -> [UInt8] {
        var bytes: [UInt8]
        do { bytes = try Syscalls.readWholeFile(path) } catch {
            throw RunError("cannot read the key file \(path): \(error) (give --key-file a readable file of at least 16 bytes)",
                           status: RunError.usage)
        }
        while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { bytes.removeLast() }
        guard bytes.count >= 16 else {
            throw RunError("the key file \(path) holds \(bytes.count) bytes: put at least 16 in it (head -c 32 /dev/urandom | base64 > FILE)",
                           status: RunError.usage)
        }
        return bytes
    }
}
