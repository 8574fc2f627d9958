// ServeProtocol.parse, which reads every line a client sends to `mpps serve`: any
// bytes give a request or one error line, never a trap; what it accepts keeps the
// protocol's bounds; and a request written back as the client writes it reads back the same.
import Reporting
import Trials

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = Array(FuzzInput(data, size).bytes)
    switch ServeProtocol.parse(bytes) {
    case .failure(let error):
        require(!error.description.isEmpty && !error.description.contains("\n"), "an error is one line: \(error.description)")
    case .success(let request):
        let written: JSONValue
        switch request {
        case .hello(let version):
            require(version >= 0 && version <= 1_000_000, "a version in bounds")
            written = ["type": "hello", "version": .int(version)]
        case .auth(let nonce, let mac):
            require(nonce.count == ServeProtocol.nonceSize && mac.count == SHA256.digestSize, "proof sizes")
            written = ["type": "auth", "nonce": .string(SHA256.hex(nonce)), "hmac": .string(SHA256.hex(mac))]
        case .start(let program, let arguments):
            require(arguments.count <= ServeProtocol.maximumArguments, "at most the allowed arguments")
            require(arguments.allSatisfy { $0.utf8.count <= ServeProtocol.maximumArgumentLength }, "each argument in bounds")
            written = ["type": "start", "program": .string(program.rawValue), "arguments": .strings(arguments)]
        case .stop:
            written = ["type": "stop"]
        }
        let again = ServeProtocol.parse(Array(written.rendered.utf8))
        require(again == .success(request), "a request written back reads back: \(written.rendered)")
    }
    return 0
}
