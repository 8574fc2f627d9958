// Counts the datagrams a UDP GRO socket receives, on PacketIO alone. With GRO
// the kernel hands several datagrams of a flow over as one message; the batch
// splits each by its segment size, so a GSO sender's N datagrams count as N,
// though far fewer messages and calls carried them.
//
//     swift run GROCounter --listen 127.0.0.1:9000
//     GROCounter --listen [::1]:9000 --count 100000 --idle-ms 2000
//
// Once a second it prints datagrams, messages and calls; it ends after --count
// datagrams, or once --idle-ms pass with nothing to read, with the totals.
import PacketIO

let usage = "usage: GROCounter [--listen HOST:PORT] [--count N] [--idle-ms N]"

struct Options {
    var listen = SocketAddress(ipv4: 127, 0, 0, 1, port: 9000)
    var count: Int?
    var idleMilliseconds = 0  // 0: wait for the next datagram for ever
}

func parse(_ arguments: ArraySlice<String>) -> Options {
    var options = Options()
    var rest = arguments
    while let flag = rest.popFirst() {
        guard let value = rest.popFirst() else { fatalError("\(flag) needs a value\n\(usage)") }
        switch flag {
        case "--listen":
            do { options.listen = try SocketAddress(parsing: value) } catch { fatalError("\(error)\n\(usage)") }
        case "--count":
            guard let count = Int(value), count >= 1 else { fatalError(usage) }
            options.count = count
        case "--idle-ms":
            guard let milliseconds = Int(value), milliseconds >= 0 else { fatalError(usage) }
            options.idleMilliseconds = milliseconds
        default:
            fatalError("unknown option \(flag)\n\(usage)")
        }
    }
    return options
}

struct Counts {
    var datagrams = 0
    var bytes = 0
    var messages = 0
    var calls = 0
    var truncated = 0

    mutating func add(_ other: Counts) {
        datagrams += other.datagrams
        bytes += other.bytes
        messages += other.messages
        calls += other.calls
        truncated += other.truncated
    }

    func line(_ what: String) -> String {
        "\(what) \(datagrams) datagrams (\(bytes) bytes) in \(messages) messages and \(calls) calls"
            + (truncated > 0 ? ", \(truncated) truncated" : "")
    }
}

func count(_ options: Options) throws(SocketError) -> Counts {
    let socket = try UDPSocket(family: options.listen.family)
    // Before bind, so that no datagram arrives before the socket coalesces.
    do {
        try socket.setReceiveCoalescing(true)
    } catch {
        print("GROCounter: the kernel refuses UDP GRO (\(error); Linux 5.0 or later): counting one datagram per message")
    }
    _ = try? socket.setReceiveBufferSize(8 << 20)
    if options.idleMilliseconds > 0 { try socket.setReceiveTimeout(milliseconds: options.idleMilliseconds) }
    try socket.bind(to: options.listen)
    // Each slot holds a whole coalesced message (64 KiB); the control space for the
    // segment size is reserved by default, so no message can be miscounted as one.
    var batch = ReceiveBatch(capacity: 64, slotSize: ReceiveBatch.coalescedSlotSize, recordsSources: false)
    var total = Counts()
    var second = Counts()
    var nextReport = MonotonicClock.now() + 1_000_000_000
    while total.datagrams < options.count ?? .max {
        let messages = try batch.receive(from: socket)
        if messages == 0 { break }  // idle for --idle-ms
        var counts = Counts(messages: messages, calls: 1)
        batch.forEachDatagram { datagram in
            counts.datagrams += 1
            counts.bytes += datagram.bytes.count
            if datagram.isTruncated && datagram.segment == 0 { counts.truncated += 1 }
        }
        total.add(counts)
        second.add(counts)
        let now = MonotonicClock.now()
        if now >= nextReport {
            print(second.line("this second:"))
            second = Counts()
            nextReport = now + 1_000_000_000
        }
    }
    return total
}

do {
    let totals = try count(parse(CommandLine.arguments.dropFirst()))
    print(totals.line("counted"))
} catch {
    fatalError("GROCounter: \(error)")
}
