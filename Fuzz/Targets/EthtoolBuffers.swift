// The raw tables the kernel writes for `ethtool -S`: an ETHTOOL_GSTRINGS reply (names,
// 32 bytes each) and an ETHTOOL_GSTATS reply (64-bit values), decoded as
// Ethtool.statisticNames(reply:) and statisticValues(reply:) do after the ioctls,
// then used as the reporter and the doctor use them.
//
// Input: a 2-byte little-endian length n, n bytes of the GSTRINGS reply, then the
// GSTATS reply (n is clamped to what is there).
import HostStats

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = FuzzInput(data, size).bytes
    guard bytes.count >= 2 else { return 0 }
    let length = min(Int(bytes[0]) | Int(bytes[1]) << 8, bytes.count - 2)
    let stringsReply = UnsafeRawBufferPointer(rebasing: bytes[2..<2 + length])
    let statsReply = UnsafeRawBufferPointer(rebasing: bytes[(2 + length)...])
    let names = Ethtool.statisticNames(reply: stringsReply)
    let values = Ethtool.statisticValues(reply: statsReply)
    if let names { require(names.count * 32 <= stringsReply.count, "no more names than the reply holds") }
    if let values { require(values.count * 8 <= statsReply.count, "no more values than the reply holds") }
    // The reader pairs names and values only when the counts agree (EthtoolReader reads the names again otherwise).
    guard let names, let values, names.count == values.count else { return 0 }
    let statistics = EthtoolStatistics(interface: "eth0", names: names, values: values)
    _ = statistics.entries
    if let first = names.first { _ = statistics[first] }
    if let queues = statistics.rxQueuePackets { _ = queues.total }
    _ = statistics.nicDrops
    _ = statistics.since(statistics)
    let earlier = EthtoolStatistics(interface: "eth0", names: names.reversed(), values: values.map { $0 / 2 })
    _ = statistics.since(earlier).rxQueuePackets?.total
    return 0
}
