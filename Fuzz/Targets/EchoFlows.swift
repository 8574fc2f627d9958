// The echo's accounts of ping flows (Engine's EchoFlowTable) over any run of
// datagrams, as clients, strangers and forgers could send them: no trap, and the
// account keeps its rules. Each datagram is a length byte (0-63, so 32 is a whole
// header; its top two bits choose one of four sources) and that many bytes; the
// clock moves a second per datagram, so quiet flows retire after ten.
import Engine
import PacketIO
import Reporting

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let sources = [SocketAddress(ipv4: 127, 0, 0, 1, port: 4000), SocketAddress(ipv4: 127, 0, 0, 1, port: 4001),
                   SocketAddress(ipv4: 10, 0, 0, 1, port: 4000), .ipv6Loopback(port: 4000)]
    var table = EchoFlowTable(seed: 1)
    let bytes = FuzzInput(data, size).bytes
    var headers: UInt64 = 0
    var offset = 0
    var second: UInt64 = 1
    while offset < bytes.count {
        let length = Int(bytes[offset] & 63)
        let source = sources[Int(bytes[offset] >> 6)]
        offset += 1
        let end = min(offset + length, bytes.count)
        let datagram = UnsafeRawBufferPointer(rebasing: bytes[offset..<end])
        if PingHeader(reading: datagram) != nil { headers += 1 }
        var now = second * 1_000_000_000
        table.count(datagram, source: source, now: &now)
        second += 1
        offset = end
    }
    let result = table.result()
    require(result.requests + result.untracked + result.implausible == headers,
            "every request with the header is counted once: \(result) for \(headers)")
    require(result.accounts.count <= EchoFlowTable.capacity && UInt64(result.accounts.count) <= result.flows, "accounts fit the table")
    require(result.accounts.reduce(0) { $0 + $1.requests } <= result.requests, "the accounts are within the totals")
    for account in result.accounts {
        require(account.lowest <= account.highest && account.lostIn <= account.highest - account.lowest, "a flow's gaps lie within its span")
        require(account.distinct >= 1 && account.reordered < account.distinct, "a flow's first request is neither late nor repeated")
    }
    return 0
}
