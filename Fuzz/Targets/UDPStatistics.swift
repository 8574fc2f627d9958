// The parsers of /proc/net/snmp and /proc/net/snmp6 (UDP counters), and the deltas
// the monitor takes between two readings. The input is one reading, or two separated
// by a NUL byte.
import HostStats

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let texts = FuzzInput(data, size).texts()
    let now = texts.last ?? ""
    let earlier = texts.first ?? ""
    for parse in [UDPStatistics.parseSNMP, UDPStatistics.parseSNMP6] {
        guard let statistics = parse(now) else { continue }
        _ = statistics["InDatagrams"] + statistics["RcvbufErrors"]
        require(statistics.since(statistics).counters.values.allSatisfy { $0 == 0 }, "no growth since itself")
        if let before = parse(earlier) {
            let delta = statistics.since(before)
            for (name, value) in delta.counters { require(value <= statistics[name], "a delta is at most the counter") }
        }
    }
    return 0
}
