// A UDP echo server written with async/await on PacketIO alone: a DatagramStream's
// thread receives in batches, and one task answers each datagram from the
// stream's port, so no task of the cooperative pool ever blocks in the kernel.
//
//     swift run AsyncEchoServer --listen 127.0.0.1:7009 --count 1000
//
// It ends after --count datagrams (or never without it) and prints what it did.
import PacketIO
#if canImport(Glibc)
import Glibc
#endif

let usage = "usage: AsyncEchoServer [--listen HOST:PORT] [--count N] [--cpu N]"

struct Options {
    var listen = SocketAddress(ipv4: 127, 0, 0, 1, port: 7009)
    var count = Int.max
    var cpu: Int?
}

/// Writes one line to standard error.
func printError(_ line: String) {
    var text = line + "\n"
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

func fail(_ message: String) -> Never {
    printError(message)
    exit(64)
}

func parse(_ arguments: ArraySlice<String>) -> Options {
    var options = Options()
    var rest = arguments
    while let flag = rest.popFirst() {
        guard let value = rest.popFirst() else { fail("\(flag) needs a value\n\(usage)") }
        switch flag {
        case "--listen":
            do { options.listen = try SocketAddress(parsing: value) } catch { fail("\(error)\n\(usage)") }
        case "--count":
            guard let count = Int(value), count >= 1 else { fail("--count takes a positive number\n\(usage)") }
            options.count = count
        case "--cpu":
            guard let cpu = Int(value), cpu >= 0 else { fail("--cpu takes a CPU number\n\(usage)") }
            options.cpu = cpu
        default:
            fail("unknown option \(flag)\n\(usage)")
        }
    }
    return options
}

@main
struct AsyncEchoServer {
    static func main() async {
        let options = parse(CommandLine.arguments.dropFirst())
        do {
            let socket = try UDPSocket(family: options.listen.family)
            try socket.setReceiveBufferSize(4 << 20)
            try socket.bind(to: options.listen)
            print("listening on \(try socket.localAddress())")
            fflush(nil)  // the line a script waits for, even when stdout is a pipe
            let stream = try DatagramStream(socket: socket, cpu: options.cpu)
            var echoed = 0, bytes = 0, batches = 0
            receiving: for try await batch in stream {
                batches += 1
                for datagram in batch {
                    // A datagram always has its sender here; nil only for a message the kernel gave no address.
                    guard let source = datagram.source else { continue }
                    try stream.send(datagram.payload, to: source)
                    echoed += 1
                    bytes += datagram.payload.count
                    if echoed == options.count { break receiving }
                }
            }
            print("echoed \(echoed) datagrams (\(bytes) bytes) from \(batches) batches; "
                + "dropped by the kernel: \(try stream.dropCount) packets")
        } catch {
            printError("AsyncEchoServer: \(error)")
            exit(1)
        }
    }
}
