// A multi-threaded UDP receiver on PacketIO alone: N threads, each owning one
// socket of an SO_REUSEPORT group bound to one address, count what they receive
// until SIGINT or SIGTERM; then every thread stops at once and the counts are
// printed, per thread and in all.
//
//     swift run ThreadedReceiver --listen 127.0.0.1:7008 --threads 2
//     ThreadedReceiver --listen [::1]:7008 --threads 4 --cpus 0-3 --steer cpu
//
// The pattern: block the stop signals before any thread starts, start the group,
// wait for a signal on the main thread, stop the group (which wakes every blocked
// receive), and wait for the threads. Nothing is allocated per batch.
import PacketIO
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

let usage = "usage: ThreadedReceiver [--listen HOST:PORT] [--threads 1...64] [--cpus LIST] [--steer hash|random|cpu]"

struct Options {
    var listen = SocketAddress(ipv4: 127, 0, 0, 1, port: 7008)
    var threads = 2
    var cpus: CPUList?
    var steering: ReusePortSteering?
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
    var steer: String?
    while let flag = rest.popFirst() {
        guard let value = rest.popFirst() else { fail("\(flag) needs a value\n\(usage)") }
        switch flag {
        case "--listen":
            do { options.listen = try SocketAddress(parsing: value) } catch { fail("\(error)\n\(usage)") }
        case "--threads":
            guard let threads = Int(value), (1...64).contains(threads) else { fail("--threads takes 1...64\n\(usage)") }
            options.threads = threads
        case "--cpus":
            do { options.cpus = try CPUList(parsing: value) } catch { fail("\(error)\n\(usage)") }
        case "--steer":
            steer = value
        default:
            fail("unknown option \(flag)\n\(usage)")
        }
    }
    switch steer {
    case nil, "hash": break
    case "random": options.steering = .random
    case "cpu":
        guard let cpus = options.cpus else { fail("--steer cpu needs --cpus, one CPU per thread\n\(usage)") }
        options.steering = .cpu(cpus: cpus.cpus)
    default: fail("--steer takes hash, random or cpu\n\(usage)")
    }
    return options
}

let options = parse(CommandLine.arguments.dropFirst())
StopSignals.block()  // before any thread starts: every thread inherits the mask
do {
    let group = try ReusePortGroup(binding: options.listen, count: options.threads, steering: options.steering) {
        socket throws(SocketError) in
        try socket.setReceiveBufferSize(4 << 20)
    }
    // What each thread received, (datagrams, bytes), written by that thread as it ends.
    let totals = Mutex(Array(repeating: (0, 0), count: options.threads))
    try group.start(cpus: options.cpus) { socket, index in
        var batch = ReceiveBatch(capacity: 64, recordsSources: false)
        var datagrams = 0, bytes = 0
        defer { totals.withLock { $0[index] = (datagrams, bytes) } }
        while true {
            _ = try batch.receive(from: socket)  // after group.stop(): the queue, then Errno.shutDown
            datagrams += batch.totalDatagramCount()
            bytes += batch.totalLength()
        }
    }
    print("listening on \(group.localAddress) with \(options.threads) threads")
    fflush(nil)  // the line a script waits for, even when stdout is a pipe
    let signal = StopSignals.wait()
    let asked = MonotonicClock.now()
    group.stop()
    try group.wait()
    let stoppedIn = (MonotonicClock.now() - asked) / 1000
    let counts = totals.withLock { $0 }
    for (index, (datagrams, bytes)) in counts.enumerated() {
        print("thread \(index): \(datagrams) datagrams, \(bytes) bytes")
    }
    print("total: \(counts.map(\.0).reduce(0, +)) datagrams, \(counts.map(\.1).reduce(0, +)) bytes; "
        + "dropped by the kernel: \(try group.dropCount()) packets")
    print("stopped by signal \(signal) in \(stoppedIn) µs")
} catch {
    printError("ThreadedReceiver: \(error)")
    exit(1)
}
