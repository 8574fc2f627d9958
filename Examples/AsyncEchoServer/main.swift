// A UDP echo server written with async/await on PacketIO alone: a DatagramStream's
// thread receives in batches, and one task answers each datagram from the
// stream's port, so no task of the cooperative pool ever blocks in the kernel.
//
//     swift run AsyncEchoServer --listen 127.0.0.1:7009 --count 1000
//     AsyncEchoServer --listen [::1]:7009 --no-reply --cpu 1    # count only, until Ctrl-C
//
// It ends after --count datagrams, or on SIGINT or SIGTERM, and prints what it did.
// With --no-reply it only counts: what the bridge itself costs (Benchmarks/async.py).
import PacketIO
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

let usage = "usage: AsyncEchoServer [--listen HOST:PORT] [--count N] [--cpu N] [--no-reply]"

struct Options {
    var listen = SocketAddress(ipv4: 127, 0, 0, 1, port: 7009)
    var count = Int.max
    var cpu: Int?
    var replies = true
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
        if flag == "--no-reply" {
            options.replies = false
            continue
        }
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

/// What the serving task did.
struct Totals: Sendable {
    var handled = 0
    var bytes = 0
    var batches = 0
}

/// Answers (or, with --no-reply, counts) every datagram until the stream ends or --count is reached.
func serve(_ stream: DatagramStream, _ options: Options) async throws -> Totals {
    var totals = Totals()
    for try await batch in stream {
        totals.batches += 1
        for datagram in batch {
            // A datagram always has its sender here; nil only for a message the kernel gave no address.
            guard let source = datagram.source else { continue }
            if options.replies { try stream.send(datagram.payload, to: source) }
            totals.handled += 1
            totals.bytes += datagram.payload.count
            if totals.handled == options.count { return totals }
        }
    }
    return totals
}

// `main` stays synchronous: an async main would make this thread the dispatch
// library's signal thread, which unblocks every signal (see StopSignals). The
// tasks are detached: top-level code is the main actor's, and this thread waits.
let options = parse(CommandLine.arguments.dropFirst())
StopSignals.block()  // before any thread starts: every thread inherits the mask
do {
    let socket = try UDPSocket(family: options.listen.family)
    try socket.setReceiveBufferSize(4 << 20)
    try socket.bind(to: options.listen)
    print("listening on \(try socket.localAddress())")
    fflush(nil)  // the line a script waits for, even when stdout is a pipe
    let stream = try DatagramStream(socket: socket, cpu: options.cpu)
    // A signal ends the stream; the serving task then ends after what was received.
    Task.detached {
        _ = await StopSignals.next()
        stream.stop()
    }
    let finished = try Waker()
    let outcome = Mutex<Result<Totals, any Error>?>(nil)
    Task.detached {
        let result: Result<Totals, any Error>
        do { result = .success(try await serve(stream, options)) } catch { result = .failure(error) }
        outcome.withLock { $0 = result }
        finished.wake()
    }
    finished.wait()
    let totals = try outcome.withLock { $0! }.get()
    print("\(options.replies ? "echoed" : "counted") \(totals.handled) datagrams (\(totals.bytes) bytes) "
        + "from \(totals.batches) batches; dropped by the kernel: \(try stream.dropCount) packets")
} catch {
    printError("AsyncEchoServer: \(error)")
    exit(1)
}
