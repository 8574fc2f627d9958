import Testing
@testable import Trials
import Reporting

/// The parser of what a client sends to `mpps serve`: every request, and each
/// bad line with its exact error.
@Suite struct ServeProtocolTests {
    private func parse(_ text: String) -> Result<ServeProtocol.Request, RunError> { ServeProtocol.parse(Array(text.utf8)) }
    private func error(_ text: String) -> String? {
        if case .failure(let error) = parse(text) { return error.description }
        return nil
    }

    @Test func theFourRequests() {
        #expect(parse(#"{"type":"hello","version":1}"#) == .success(.hello(version: 1)))
        #expect(parse(#" {"version":2, "type":"hello"} "#) == .success(.hello(version: 2)))
        #expect(parse(#"{"type":"stop"}"#) == .success(.stop))
        #expect(parse(#"{"type":"start","arguments":["0.0.0.0:4321","--threads","2"]}"#)
                == .success(.start(program: .recv, arguments: ["0.0.0.0:4321", "--threads", "2"])))
        #expect(parse(#"{"type":"start","arguments":[]}"#) == .success(.start(program: .recv, arguments: [])))
        #expect(parse(#"{"type":"start","program":"recv","arguments":[]}"#) == .success(.start(program: .recv, arguments: [])))
        #expect(parse(#"{"type":"start","program":"echo","arguments":["[::]:4400","--cpus","1"]}"#)
                == .success(.start(program: .echo, arguments: ["[::]:4400", "--cpus", "1"])))
        let nonce = String(repeating: "ab", count: 16)
        let mac = String(repeating: "0F", count: 32)
        #expect(parse(#"{"type":"auth","nonce":"\#(nonce)","hmac":"\#(mac)"}"#)
                == .success(.auth(clientNonce: [UInt8](repeating: 0xab, count: 16), mac: [UInt8](repeating: 0x0f, count: 32))))
    }

    @Test func badLinesAndTheirErrors() {
        let malformed = #"malformed message: expected one JSON object per line, such as {"type":"hello","version":1}"#
        #expect(error("garbage") == malformed)
        #expect(error("") == malformed)
        #expect(error("[1,2]") == malformed)
        #expect(error(#"{"type":"hel"#) == malformed)
        #expect(ServeProtocol.parse([0x7b, 0xff, 0x7d]) == .failure(RunError(malformed)), "not UTF-8")
        #expect(error(#"{"kind":"hello"}"#) == #"malformed message: no "type" string (hello, auth, start or stop)"#)
        #expect(error(#"{"type":"shell","command":"rm -rf /"}"#) == "unknown message type 'shell': expected hello, auth, start or stop")
        #expect(error(#"{"type":"\u0001"}"#) == "unknown message type (not shown): expected hello, auth, start or stop")
        #expect(error(#"{"type":"hello"}"#) == #"malformed hello: "version" must be a whole number (this server speaks 1)"#)
        #expect(error(#"{"type":"hello","version":-1}"#) == #"malformed hello: "version" must be a whole number (this server speaks 1)"#)
        #expect(error(#"{"type":"hello","version":1e300}"#) == #"malformed hello: "version" must be a whole number (this server speaks 1)"#)
        #expect(error(#"{"type":"auth","nonce":"ab","hmac":""}"#) == #"malformed auth: "nonce" must be 32 hex digits"#)
        #expect(error(#"{"type":"auth","nonce":"\#(String(repeating: "ab", count: 16))","hmac":"zz"}"#) == #"malformed auth: "hmac" must be 64 hex digits"#)
        #expect(error(#"{"type":"start"}"#) == #"malformed start: "arguments" must be an array of strings (mpps recv's arguments)"#)
        let program = #"malformed start: "program" must be "recv" or "echo" (or absent, for recv)"#
        #expect(error(#"{"type":"start","program":"send","arguments":[]}"#) == program)
        #expect(error(#"{"type":"start","program":null,"arguments":[]}"#) == program)
        #expect(error(#"{"type":"start","program":["echo"],"arguments":[]}"#) == program)
        #expect(error(#"{"type":"start","arguments":[1]}"#)
                == "malformed start: each argument must be a string of at most 256 bytes without control characters")
        #expect(error(#"{"type":"start","arguments":["a\nb"]}"#)
                == "malformed start: each argument must be a string of at most 256 bytes without control characters")
        #expect(error(#"{"type":"start","arguments":["\#(String(repeating: "x", count: 257))"]}"#)
                == "malformed start: each argument must be a string of at most 256 bytes without control characters")
        let many = Array(repeating: #""x""#, count: 65).joined(separator: ",")
        #expect(error(#"{"type":"start","arguments":[\#(many)]}"#) == "malformed start: at most 64 arguments, got 65")
        #expect(ServeProtocol.parse([UInt8](repeating: 0x20, count: 65537))
                == .failure(RunError("message longer than 65536 bytes: send one JSON object per line")))
    }

    @Test func theProofDependsOnKeyAndBothNonces() {
        let key = Array("0123456789abcdef".utf8)
        let server = [UInt8](repeating: 1, count: 16)
        let client = [UInt8](repeating: 2, count: 16)
        let proof = ServeProtocol.proof(key: key, serverNonce: server, clientNonce: client)
        #expect(String(decoding: ServeProtocol.proofMessage(serverNonce: server, clientNonce: client), as: UTF8.self)
                == "mpps-serve 1 " + String(repeating: "01", count: 16) + " " + String(repeating: "02", count: 16))
        #expect(proof == SHA256.hmac(key: key, message: ServeProtocol.proofMessage(serverNonce: server, clientNonce: client)))
        #expect(proof != ServeProtocol.proof(key: key + [1], serverNonce: server, clientNonce: client))
        #expect(proof != ServeProtocol.proof(key: key, serverNonce: client, clientNonce: client))
        #expect(proof != ServeProtocol.proof(key: key, serverNonce: server, clientNonce: server))
        #expect(ServeProtocol.nonce().count == 16)
        #expect(ServeProtocol.nonce() != ServeProtocol.nonce())
    }
}
