// Sends UDP datagrams through an AF_XDP socket on an interface's first TX queue,
// on PacketIO alone: frames built once from a template (the destination's MAC from
// the kernel's neighbour table), each stamped with a sequence header and its UDP
// checksum, queued on the TX ring and counted when the kernel completes them.
// Needs root (or CAP_NET_RAW) and Linux 5.4 or later; nothing is attached to the
// interface, so nothing outlives the process.
//
//     XDPSender --interface veth1 --from 198.18.0.2:5000 --to 198.18.0.1:9000 --count 100000
//
// It prints "ready" once the socket is bound, then one line with the totals.
#if canImport(Glibc)
import Glibc
#endif
import PacketIO

let usage = "usage: XDPSender --interface IF --from ADDR:PORT --to ADDR:PORT --count N [--payload BYTES]"

/// Writes `text` to descriptor `fd` at once (standard output may be a file, which stdio would buffer).
func say(_ text: String, to fd: Int32 = 1) {
    var text = text
    text.withUTF8 { bytes in _ = write(fd, bytes.baseAddress, bytes.count) }
}

/// Writes `message` and the usage line to standard error and exits with EX_USAGE.
func refuse(_ message: String) -> Never {
    say("XDPSender: \(message)\n\(usage)\n", to: 2)
    exit(64)
}

struct Options {
    var interface = ""
    var from: SocketAddress?
    var to: SocketAddress?
    var count = 0
    var payload = 32
}

func parse(_ arguments: ArraySlice<String>) -> Options {
    var options = Options()
    var rest = arguments
    while let flag = rest.popFirst() {
        guard let value = rest.popFirst() else { refuse("\(flag) needs a value") }
        switch flag {
        case "--interface": options.interface = value
        case "--from", "--to":
            do {
                let address = try SocketAddress(parsing: value)
                if flag == "--from" { options.from = address } else { options.to = address }
            } catch { refuse("\(error)") }
        case "--count":
            guard let count = Int(value), count >= 1 else { refuse("--count must be a whole number of 1 or more") }
            options.count = count
        case "--payload":
            guard let payload = Int(value), payload >= SequenceHeader.size, payload <= 1400 else { refuse("--payload must be 16 to 1400") }
            options.payload = payload
        default:
            refuse("unknown option \(flag)")
        }
    }
    guard !options.interface.isEmpty, let from = options.from, let to = options.to, options.count > 0 else {
        refuse("--interface, --from, --to and --count are needed")
    }
    if from.family != to.family { refuse("--from and --to must both be IPv4 or both IPv6") }
    return options
}

/// The interface's own MAC address, from sysfs.
func interfaceMAC(_ name: String) -> MACAddress? {
    guard let file = fopen("/sys/class/net/\(name)/address", "r") else { return nil }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 64)
    guard fgets(&line, 64, file) != nil else { return nil }
    let text = String(decoding: line.prefix { $0 != 0 && $0 != 10 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return MACAddress(parsing: text)
}

/// Sends `count` datagrams on queue 0 and returns how many left (completed and not dropped) and the wake-ups made.
func send(_ options: Options, interfaceIndex: UInt32, template: UDPFrameTemplate) throws -> (sent: UInt64, wakeups: UInt64) {
    var socket = try XDPTransmitSocket(interfaceIndex: interfaceIndex, queue: 0)
    say("ready: sending to \(options.to!) on \(options.interface) queue 0 (copy mode)\n")
    // Every frame gets its headers once: the payload past the stamped header stays zero.
    for index in 0..<socket.frameCount { template.write(to: socket.frame(index)) }
    let stamped = options.payload >= SequenceHeader.sizeWithTime ? SequenceHeader.sizeWithTime : SequenceHeader.size
    var next: UInt64 = 0
    let total = UInt64(options.count)
    while next < total {
        socket.reclaim()
        // Up to 256 frames: as many as are free; none while every frame is in flight (it wakes the kernel then).
        _ = try socket.transmit(limit: Int(min(total - next, 256))) { _, frame in
            let header = SequenceHeader(kind: .data, hostTag: 0, flow: 1, sequence: next, sendTime: 0)
            header.write(to: UnsafeMutableRawBufferPointer(start: frame + template.payloadOffset, count: stamped))
            template.updateChecksum(frame, changedBytes: stamped)
            next += 1
            return template.frameLength
        }
    }
    // The last frames: wait until the kernel has completed every one (a second at most).
    let deadline = MonotonicClock.now() + 1_000_000_000
    while socket.inFlight > 0 && MonotonicClock.now() < deadline {
        socket.reclaim()
        try socket.wake()
    }
    return (socket.completed - socket.dropped, socket.wakeups)
}

let options = parse(CommandLine.arguments.dropFirst())
let interfaceIndex = if_nametoindex(options.interface)
if interfaceIndex == 0 { refuse("no interface named '\(options.interface)'") }
guard let sourceMAC = interfaceMAC(options.interface) else { refuse("\(options.interface) has no Ethernet address") }
do {
    guard let destinationMAC = try NeighbourTable.linkAddress(of: options.to!, interfaceIndex: interfaceIndex) else {
        say("XDPSender: no neighbour entry for \(options.to!.hostDescription) on \(options.interface): ping it first\n", to: 2)
        exit(1)
    }
    let template = UDPFrameTemplate(source: options.from!, destination: options.to!, sourceMAC: sourceMAC,
                                    destinationMAC: destinationMAC, payloadLength: options.payload)
    let (sent, wakeups) = try send(options, interfaceIndex: interfaceIndex, template: template)
    say("sent \(sent) datagrams (\(sent * UInt64(options.payload)) bytes) in \(wakeups) wake-ups\n")
} catch {
    say("XDPSender: \(error)\n", to: 2)
    exit(1)
}
