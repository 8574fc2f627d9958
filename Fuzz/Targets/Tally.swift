// The receiving loop's reading of datagrams (Engine's Tally: flow keys, the flow
// table, latency) over any run of datagrams, as a stranger could send them: no
// trap, and the account keeps its own rules. The first byte chooses the host tag
// and whether a flow key is given; then each datagram is a length byte (0-63)
// and that many bytes.
import Engine
import PacketIO
import Reporting

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let (selector, rest) = FuzzInput(data, size).selectorAndRest else { return 0 }
    let key = FlowKey(0x0123_4567_89ab_cdef)
    var tally = Tally(hostTag: selector >> 1, flowKeys: selector & 1 == 1 ? [key] : [])
    let bytes = rest.bytes
    var datagrams: UInt64 = 0
    var counted: UInt64 = 0
    var offset = 0
    tally.startBatch()
    while offset < bytes.count {
        let length = Int(bytes[offset] & 63)
        offset += 1
        let end = min(offset + length, bytes.count)
        let datagram = UnsafeRawBufferPointer(rebasing: bytes[offset..<end])
        datagrams += 1
        if !tally.hasHeader(datagram) || tally.countHeader(datagram) { counted += 1 }
        offset = end
    }
    let result = tally.result()
    require(counted + result.endMarkers == datagrams, "every datagram is data or an end marker")
    require(result.implausible <= datagrams, "at most one implausible per datagram")
    let unique = result.flows.map { $0.unique }.saturatingSum()
    require(unique <= counted, "flows hold no more datagrams than were counted: \(unique) > \(counted)")
    for flow in result.flows {
        require(flow.unique > 0, "a flow exists only once data of it arrived")
        require(flow.highest < 1 << 48, "no plausible sequence reaches 2^48")
        if let sent = flow.sent { require(sent > flow.highest, "an end stands only past the highest sequence") }
        if selector & 1 == 1 { require(key.made(flow.flow), "with a key, only its flows are counted") }
    }
    let report = SequenceReport([result])
    require(report.lost <= report.flows.map { $0.expected }.saturatingSum(), "no more lost than expected")
    return 0
}
