// SocketAddress(parsing:) and SocketAddress.parseList (every target and listen address
// on a command line): no trap, and an address's text parses back to the same address.
// Names resolve through the stand-in resolver in Fuzz/Support/Addresses.swift.
import PacketIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = FuzzInput(data, size).text
    if let address = try? SocketAddress(parsing: text) { check(address) }
    if let list = try? SocketAddress.parseList(text) {
        require(!list.isEmpty && list.count <= 256, "a list holds 1 to 256 addresses, not \(list.count)")
        for address in list { check(address) }
    }
    return 0
}

/// The address's text and its sockaddr both read back as the same address.
func check(_ address: SocketAddress) {
    require((try? SocketAddress(parsing: address.description)) == address, "'\(address)' reads back")
    let fromKernel = address.withUnsafeSockaddr { pointer, _ in SocketAddress(UnsafeRawPointer(pointer)) }
    require(fromKernel == address, "'\(address)' survives a sockaddr")
}
