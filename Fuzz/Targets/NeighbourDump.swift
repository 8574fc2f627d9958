// NeighbourTable.parse on any buffer, as `send --xdp` reads each buffer of the
// kernel's RTM_GETNEIGH dump: no trap, only entries with a 4- or 16-byte address on
// an interface, and a MAC address that prints as six octets and parses back.
import PacketIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = FuzzInput(data, size)
    let part = NeighbourTable.parse(input.bytes)
    for entry in part.entries {
        require(entry.address.count == 4 || entry.address.count == 16, "an IPv4 or IPv6 address")
        require(entry.interfaceIndex > 0, "an interface")
        require(MACAddress(parsing: entry.linkAddress.description) == entry.linkAddress, "the MAC address reads back")
    }
    if part.error != nil { require(part.done, "an error ends the dump") }
    return 0
}
