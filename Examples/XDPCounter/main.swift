// Counts the UDP datagrams for one address that arrive on an interface's first RX
// queue, through an AF_XDP socket, on PacketIO alone: the socket and its UMEM, the
// redirect program attached through a bpf link, then a loop over the RX ring with
// no system call while frames keep coming. Needs root (or CAP_BPF, CAP_NET_ADMIN
// and CAP_NET_RAW) and Linux 5.9 or later; everything else the interface receives
// goes on to the kernel as before.
//
//     XDPCounter --interface veth0 --listen 198.18.0.1:9000
//     XDPCounter --interface eth0 --listen [2001:db8::1]:9000 --count 100000 --idle-ms 2000
//
// It prints "ready" once the program is attached, then ends after --count
// datagrams, or once --idle-ms pass with nothing to read, with the totals. The
// program is detached when the process ends, however it ends.
#if canImport(Glibc)
import Glibc
#endif
import PacketIO

let usage = "usage: XDPCounter --interface IF --listen HOST:PORT [--count N] [--idle-ms N]"

/// Writes `text` to descriptor `fd` at once (standard output may be a file, which stdio would buffer).
func say(_ text: String, to fd: Int32 = 1) {
    var text = text
    text.withUTF8 { bytes in _ = write(fd, bytes.baseAddress, bytes.count) }
}

/// Writes `message` and the usage line to standard error and exits with EX_USAGE.
func refuse(_ message: String) -> Never {
    say("XDPCounter: \(message)\n\(usage)\n", to: 2)
    exit(64)
}

struct Options {
    var interface = ""
    var listen: SocketAddress?
    var count: Int?
    var idleMilliseconds = 0  // 0: wait for the next datagram for ever
}

func parse(_ arguments: ArraySlice<String>) -> Options {
    var options = Options()
    var rest = arguments
    while let flag = rest.popFirst() {
        guard let value = rest.popFirst() else { refuse("\(flag) needs a value") }
        switch flag {
        case "--interface":
            options.interface = value
        case "--listen":
            do { options.listen = try SocketAddress(parsing: value) } catch { refuse("\(error)") }
        case "--count":
            guard let count = Int(value), count >= 1 else { refuse("--count must be a whole number of 1 or more") }
            options.count = count
        case "--idle-ms":
            guard let milliseconds = Int(value), milliseconds >= 0 else { refuse("--idle-ms must be 0 or more") }
            options.idleMilliseconds = milliseconds
        default:
            refuse("unknown option \(flag)")
        }
    }
    if options.interface.isEmpty || options.listen == nil { refuse("--interface and --listen are needed") }
    return options
}

struct Counts {
    var datagrams = 0
    var bytes = 0
    var receives = 0
    var skipped = 0
}

/// Opens the socket on queue 0, attaches the program, and counts until the count or the idle time.
func count(_ options: Options, interfaceIndex: UInt32) throws -> (Counts, XDPStatistics) {
    let listen = options.listen!
    // The socket first: the program redirects to it as soon as the map holds it.
    var socket = try XDPSocket(interfaceIndex: interfaceIndex, queue: 0)
    let attachment = try XDPAttachment(interfaceIndex: interfaceIndex, address: listen, queues: 1)
    try attachment.insert(socket, queue: 0)
    say("ready: counting UDP for \(listen) on \(options.interface) queue 0 (\(socket.isZeroCopy ? "zero-copy" : "copy") mode)\n")

    var counts = Counts()
    var idle = 0
    let wait: Int32 = 100
    while counts.datagrams < options.count ?? .max {
        let frames = try socket.receive(limit: 64, waitMilliseconds: wait)
        if frames == 0 {
            idle += Int(wait)
            if options.idleMilliseconds > 0 && idle >= options.idleMilliseconds { break }
            continue
        }
        idle = 0
        counts.receives += 1
        // Frames are hostile input: forEachDatagram skips any that is not a whole UDP datagram.
        counts.skipped += socket.forEachDatagram { datagram in
            guard datagram.destination?.port == listen.port else { return }
            counts.datagrams += 1
            counts.bytes += datagram.bytes.count
        }
    }
    return (counts, try socket.statistics())
}

let options = parse(CommandLine.arguments.dropFirst())
let interfaceIndex = if_nametoindex(options.interface)
if interfaceIndex == 0 { refuse("no interface named '\(options.interface)'") }
do {
    let (counts, statistics) = try count(options, interfaceIndex: interfaceIndex)
    say("counted \(counts.datagrams) datagrams (\(counts.bytes) bytes) in \(counts.receives) receives; "
        + "\(counts.skipped) frames skipped, \(statistics.lostFrames) lost in the rings\n")
} catch {
    say("XDPCounter: \(error)\n", to: 2)
    exit(1)
}
