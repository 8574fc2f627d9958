// The receiving loop's reading of datagrams (Engine's Tally: flow keys, admission
// on evidence, the flow table and its evictions, latency) over any run of datagrams,
// as a stranger could send them: no trap, and the account keeps its own rules. The
// first byte chooses whether a flow key is given (bit 0), a flow table of 4 flows
// so that admissions evict (bit 1), and the host tag (the rest); then each datagram
// is a length byte (0-63; its top two bits choose the source: none, an IPv4, an
// IPv6 or an unknown family) and that many bytes.
#if canImport(Glibc)
import Glibc
#endif
import Engine
import PacketIO
import Reporting

/// The sockaddr of each source choice, 128 bytes each (what a receive batch holds).
private let sources: [[UInt8]] = {
    func bytes(_ address: SocketAddress) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 128)
        address.withUnsafeSockaddr { pointer, length in
            bytes.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: Int(length))) }
        }
        return bytes
    }
    return [bytes(SocketAddress(ipv4: 127, 0, 0, 9, port: 9)), bytes(.ipv6Loopback(port: 4000)), [UInt8](repeating: 0xEE, count: 128)]
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let (selector, rest) = FuzzInput(data, size).selectorAndRest else { return 0 }
    let key = FlowKey(0x0123_4567_89ab_cdef)
    let keyed = selector & 1 == 1
    let small = selector & 2 == 2
    var tally = Tally(hostTag: selector >> 2, flowKeys: keyed ? [key] : [], trackedFlows: small ? 4 : Tally.trackedFlows, seed: 1)
    let bytes = rest.bytes
    var datagrams: UInt64 = 0
    var counted: UInt64 = 0
    var dataHeaders: UInt64 = 0
    var offset = 0
    tally.startBatch()
    while offset < bytes.count {
        let length = Int(bytes[offset] & 63)
        let choice = Int(bytes[offset] >> 6)
        offset += 1
        let end = min(offset + length, bytes.count)
        let datagram = UnsafeRawBufferPointer(rebasing: bytes[offset..<end])
        datagrams += 1
        let isData = !tally.hasHeader(datagram) || (choice == 0
            ? tally.countHeader(datagram)
            : sources[choice - 1].withUnsafeBytes { tally.countHeader(datagram, source: $0.baseAddress) })
        if isData { counted += 1 }
        if tally.hasHeader(datagram), SequenceHeader(reading: datagram)?.kind == .data { dataHeaders += 1 }
        offset = end
    }
    let result = tally.result()
    require(counted + result.endMarkers == datagrams, "every datagram is data or an end marker")
    require(result.implausible <= datagrams, "at most one implausible per datagram")
    require(result.flows.count <= (small ? 4 : Tally.trackedFlows), "no more flows than the table holds")
    var held = result.evicted
    for flow in result.flows { held.add(flow) }
    // Each data header is in one place: a flow (kept or evicted), a candidate, untracked, or implausible.
    let placed = held.unique.addingSaturating(held.duplicates).addingSaturating(result.unjudged).addingSaturating(result.untracked)
    require(placed <= dataHeaders, "flows and candidates hold no more datagrams than had data headers: \(placed) > \(dataHeaders)")
    require(placed.addingSaturating(result.implausible) >= dataHeaders,
            "a data header is somewhere: \(placed) + \(result.implausible) < \(dataHeaders)")
    require(result.unjudgedFlows <= result.unjudged, "a flow too short to judge sent at least a datagram")
    if !small { require(result.evicted.flows == 0, "a table with room evicts nothing") }
    for flow in result.flows {
        require(flow.unique > 0, "a flow exists only once data of it arrived")
        require(flow.highest < 1 << 48, "no plausible sequence reaches 2^48")
        require(flow.lowest <= flow.highest, "the lowest seen is at most the highest")
        if let sent = flow.sent { require(sent > flow.highest, "an end stands only past the highest sequence") }
        if keyed { require(key.made(flow.flow), "with a key, only its flows are counted") }
    }
    let report = SequenceReport([result])
    require(report.lost <= report.flows.map { $0.expected }.saturatingSum().addingSaturating(result.evicted.lost),
            "no more lost than expected")
    require(report.lost == tally.totals.lost || report.flows.contains { $0.unique > $0.expected }
                || result.evicted.unique > 0, "the live totals say what the summary says")
    return 0
}
