// A UDP echo server on PacketIO alone: every datagram goes back to the address
// it came from, and each batch received is answered with one `sendmmsg`, one
// destination per message, so one call replies to many clients at once.
//
//     swift run EchoServer --listen 127.0.0.1:7007
//     EchoServer --listen [::1]:7007 --count 1000 --idle-ms 5000
//
// It ends after --count datagrams, or once --idle-ms pass with nothing to read,
// and then prints what it did. Nothing is allocated per batch or per datagram.
import PacketIO

let usage = "usage: EchoServer [--listen HOST:PORT] [--batch 1...1024] [--count N] [--idle-ms N]"

struct Options {
    var listen = SocketAddress(ipv4: 127, 0, 0, 1, port: 7007)
    var batch = 64
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
        case "--batch":
            guard let batch = Int(value), (1...SendBatch.maximumCapacity).contains(batch) else { fatalError(usage) }
            options.batch = batch
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

struct Totals {
    var datagrams = 0
    var bytes = 0
    var receives = 0
    var replyCalls = 0
    var unsent = 0
}

func serve(_ options: Options) throws(SocketError) -> Totals {
    var socket = try UDPSocket(family: options.listen.family)
    // Room for bursts from many clients while a batch is being answered (the kernel caps
    // it at net.core.rmem_max without privilege); what does not fit is dropped, not queued.
    try socket.setReceiveBufferSize(4 << 20)
    try socket.bind(to: options.listen)
    if options.idleMilliseconds > 0 { try socket.setReceiveTimeout(milliseconds: options.idleMilliseconds) }
    // One batch in, one batch out, each allocated once and reused by every call.
    // Requests record their source address; replies carry one destination each.
    let largest = options.listen.maximumPayload
    var requests = ReceiveBatch(capacity: options.batch, slotSize: largest)
    let replies = SendBatch(capacity: options.batch, payloadSize: largest, perMessageDestinations: true)
    var totals = Totals()
    while totals.datagrams < options.count ?? .max {
        let limit = min(options.batch, (options.count ?? .max) - totals.datagrams)
        if try requests.receive(from: socket, limit: limit) == 0 { break }  // idle for --idle-ms
        totals.receives += 1
        var count = 0
        requests.forEachDatagram { request in
            replies.setMessage(copying: request.bytes, at: count)
            replies.setDestination(request.source, at: count)
            totals.bytes += request.bytes.count
            count += 1
        }
        totals.datagrams += count
        // Usually one sendmmsg; sendAll makes more only if the kernel takes part of the batch.
        let outcome = replies.sendAll(to: count, on: &socket)
        if let error = outcome.error { throw error }
        totals.replyCalls += outcome.calls
        totals.unsent += count - outcome.messages  // a full device queue or a send timeout: UDP may drop
    }
    return totals
}

do {
    let options = parse(CommandLine.arguments.dropFirst())
    let totals = try serve(options)
    print("echoed \(totals.datagrams) datagrams (\(totals.bytes) bytes) in \(totals.receives) receives "
        + "and \(totals.replyCalls) sendmmsg calls" + (totals.unsent > 0 ? ", \(totals.unsent) replies not sent" : ""))
} catch {
    fatalError("EchoServer: \(error)")
}
