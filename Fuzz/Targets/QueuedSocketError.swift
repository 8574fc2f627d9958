// QueuedSocketError.parse on what recvmsg(MSG_ERRQUEUE) fills: any control area
// and any name must give nil or an entry read in bounds, whose addresses write
// back as the same sockaddr bytes.
#if canImport(Glibc)
import Glibc
#endif
import PacketIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = FuzzInput(data, size)
    // A 2-byte name length (little-endian), the name, then the control area.
    guard input.bytes.count >= 2 else { return 0 }
    let declared = Int(input.bytes.loadUnaligned(as: UInt16.self).littleEndian)
    let nameLength = min(declared, input.bytes.count - 2)
    let name = UnsafeRawBufferPointer(rebasing: input.bytes[2..<(2 + nameLength)])
    let control = UnsafeRawBufferPointer(rebasing: input.bytes[(2 + nameLength)...])
    guard let entry = QueuedSocketError.parse(control: control, name: name) else { return 0 }
    require(control.count >= ControlMessages.headerSize + 16, "an entry needs a header and a sock_extended_err")
    let report = ControlMessages.data(in: control, level: Int32(IPPROTO_IP), type: IP_RECVERR)
        ?? ControlMessages.data(in: control, level: Int32(IPPROTO_IPV6), type: IPV6_RECVERR)
    require(report.map { $0.count >= 16 } == true, "an entry comes from a whole IP_RECVERR or IPV6_RECVERR message")
    if let report {
        require(UInt32(bitPattern: entry.errno.rawValue) == report.loadUnaligned(as: UInt32.self), "errno is ee_errno")
        require(entry.origin.rawValue == report[4] && entry.type == report[5] && entry.code == report[6],
                "origin, type and code are ee_origin, ee_type, ee_code")
    }
    for address in [entry.destination, entry.offender].compactMap({ $0 }) {
        address.withUnsafeSockaddr { pointer, length in
            let written = UnsafeRawBufferPointer(start: pointer, count: Int(length))
            require(SocketAddress(sockaddrBytes: written) == address, "an address read writes back and reads the same")
        }
    }
    require(entry.destination == nil || name.count >= 16, "a destination needs a whole sockaddr")
    _ = entry.description
    return 0
}
