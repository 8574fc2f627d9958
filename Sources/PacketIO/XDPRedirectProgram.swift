internal import CMPPSLinux

/// The XDP program `mpps recv --xdp` loads: it hands the UDP datagrams for one
/// address and port to the AF_XDP socket of the RX queue they arrived on, and
/// passes every other frame to the kernel's stack.
///
/// In order: an Ethernet header (14 bytes) → IPv4 without options (IHL 5) and not a
/// fragment, or IPv6 whose next header is UDP (no extension headers) → UDP with the
/// destination port (and, unless the address is a wildcard, the destination address)
/// asked for → `bpf_redirect_map(xsks, rx_queue_index, XDP_PASS)`. An empty slot of
/// the map passes the frame too. ARP, other ports, fragments and IP options reach the
/// kernel as if no program ran. A wildcard IPv6 address (`[::]`) takes IPv4 as well,
/// as a dual-stack socket would.
public struct XDPRedirectProgram: Sendable {
    /// The instructions, ready for `bpf(BPF_PROG_LOAD)`.
    public let instructions: [ExtendedBPFInstruction]

    /// Registers by their role in the program.
    private static let context: UInt8 = 6, data: UInt8 = 2, end: UInt8 = 3, cursor: UInt8 = 4, scratch: UInt8 = 5

    /// Byte offsets in the frame.
    private static let ethernetType: Int16 = 12, ethernetLength: Int32 = 14
    private static let ipv4VersionLength: Int16 = 14, ipv4Fragment: Int16 = 20, ipv4Protocol: Int16 = 23
    private static let ipv4Destination: Int16 = 30, ipv4Port: Int16 = 36
    private static let ipv6Next: Int16 = 20, ipv6Destination: Int16 = 38, ipv6Port: Int16 = 56

    /// The program for datagrams to `address` (its port; its host unless a wildcard),
    /// redirected through the XSKMAP `mapDescriptor`.
    public init(address: SocketAddress, mapDescriptor: Int32) {
        var builder = Builder()
        let portWord = UInt32(UInt16(address.port).bigEndian)  // the two bytes as a little-endian load sees them
        let takesIPv4: Bool
        let takesIPv6: Bool
        var ipv4Host: UInt32? = nil
        var ipv6Host: [UInt32]? = nil
        switch address.storage {
        case .inet(let host, _):
            takesIPv4 = true
            takesIPv6 = false
            if host != 0 { ipv4Host = host.bigEndian }
        case .inet6(let host, _, _):
            takesIPv6 = true
            let words = withUnsafeBytes(of: host) { bytes in (0..<4).map { bytes.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self) } }
            takesIPv4 = words.allSatisfy { $0 == 0 }
            if !takesIPv4 { ipv6Host = words }
        }
        builder.emit(.move(Self.context, from: 1))
        builder.emit(.load(Self.data, .word, from: 1, offset: 0))     // xdp_md.data
        builder.emit(.load(Self.end, .word, from: 1, offset: 4))      // xdp_md.data_end
        builder.boundsCheck(Self.ethernetLength)
        builder.emit(.load(Self.scratch, .half, from: Self.data, offset: Self.ethernetType))
        if takesIPv4 { builder.jump(if: .equal, Self.scratch, UInt32(UInt16(0x0800).bigEndian), to: "ipv4") }
        if takesIPv6 { builder.jump(if: .equal, Self.scratch, UInt32(UInt16(0x86dd).bigEndian), to: "ipv6") }
        builder.goto("pass")
        if takesIPv4 {
            builder.mark("ipv4")
            builder.boundsCheck(Self.ethernetLength + 20 + 8)
            builder.emit(.load(Self.scratch, .byte, from: Self.data, offset: Self.ipv4VersionLength))
            builder.jump(if: .notEqual, Self.scratch, 0x45, to: "pass")
            builder.emit(.load(Self.scratch, .byte, from: Self.data, offset: Self.ipv4Protocol))
            builder.jump(if: .notEqual, Self.scratch, 17, to: "pass")
            builder.emit(.load(Self.scratch, .half, from: Self.data, offset: Self.ipv4Fragment))
            // Flags and offset, as a little-endian load sees them: MF (0x20 of the first
            // byte), the offset's top 5 bits and its low byte. Any set: a fragment.
            builder.emit(.and(Self.scratch, constant: 0xff3f))
            builder.jump(if: .notEqual, Self.scratch, 0, to: "pass")
            if let ipv4Host {
                builder.emit(.load(Self.scratch, .word, from: Self.data, offset: Self.ipv4Destination))
                builder.jump(if: .notEqual, Self.scratch, ipv4Host, to: "pass")
            }
            builder.emit(.load(Self.scratch, .half, from: Self.data, offset: Self.ipv4Port))
            builder.jump(if: .notEqual, Self.scratch, portWord, to: "pass")
            builder.goto("redirect")
        }
        if takesIPv6 {
            builder.mark("ipv6")
            builder.boundsCheck(Self.ethernetLength + 40 + 8)
            builder.emit(.load(Self.scratch, .byte, from: Self.data, offset: Self.ipv6Next))
            builder.jump(if: .notEqual, Self.scratch, 17, to: "pass")
            if let ipv6Host {
                for (index, word) in ipv6Host.enumerated() {
                    builder.emit(.load(Self.scratch, .word, from: Self.data, offset: Self.ipv6Destination + Int16(index * 4)))
                    builder.jump(if: .notEqual, Self.scratch, word, to: "pass")
                }
            }
            builder.emit(.load(Self.scratch, .half, from: Self.data, offset: Self.ipv6Port))
            builder.jump(if: .notEqual, Self.scratch, portWord, to: "pass")
            builder.goto("redirect")
        }
        builder.mark("redirect")
        builder.emit(.load(2, .word, from: Self.context, offset: Int16(CMPPSLinux_XDP_MD_RX_QUEUE_INDEX_OFFSET)))
        for instruction in ExtendedBPFInstruction.loadMap(1, descriptor: mapDescriptor) { builder.emit(instruction) }
        builder.emit(.move(3, constant: CMPPSLinux_XDP_PASS))
        builder.emit(.call(CMPPSLinux_BPF_FUNC_redirect_map))
        builder.emit(.exit)
        builder.mark("pass")
        builder.emit(.move(0, constant: CMPPSLinux_XDP_PASS))
        builder.emit(.exit)
        instructions = builder.resolved()
    }

    /// Emits instructions and resolves jumps to named places once all are known.
    private struct Builder {
        enum Condition { case equal, notEqual, always }
        var instructions: [ExtendedBPFInstruction] = []
        var places: [String: Int] = [:]
        var jumps: [(at: Int, to: String)] = []

        mutating func emit(_ instruction: ExtendedBPFInstruction) { instructions.append(instruction) }
        mutating func mark(_ name: String) { places[name] = instructions.count }

        mutating func jump(if condition: Condition, _ register: UInt8, _ value: UInt32, to place: String) {
            jumps.append((instructions.count, place))
            emit(condition == .equal ? .jumpIfEqual(register, value, offset: 0) : .jumpIfNotEqual(register, value, offset: 0))
        }

        mutating func goto(_ place: String) {
            jumps.append((instructions.count, place))
            emit(.jump(offset: 0))
        }

        /// Passes the frame unless `bytes` of it are there: `cursor = data + bytes; if cursor > end goto pass`.
        mutating func boundsCheck(_ bytes: Int32) {
            emit(.move(XDPRedirectProgram.cursor, from: XDPRedirectProgram.data))
            emit(.add(XDPRedirectProgram.cursor, constant: bytes))
            jumps.append((instructions.count, "pass"))
            emit(.jumpIfGreater(XDPRedirectProgram.cursor, than: XDPRedirectProgram.end, offset: 0))
        }

        func resolved() -> [ExtendedBPFInstruction] {
            var result = instructions
            for jump in jumps {
                let target = places[jump.to]!
                result[jump.at].offset = Int16(target - jump.at - 1)
            }
            return result
        }
    }
}
