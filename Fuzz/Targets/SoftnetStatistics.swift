// The parser of /proc/net/softnet_stat (per-CPU backlog drops and squeezes), its
// totals, and the deltas between two readings (the input: one reading, or two
// separated by a NUL byte).
import HostStats

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let texts = FuzzInput(data, size).texts()
    let now = texts.last ?? ""
    let earlier = texts.first ?? ""
    // Without an online list, with one that has gaps (a CPU offline), and with an empty one.
    for online in [nil, [0, 2, 3, 7], []] as [[Int]?] {
        guard let statistics = SoftnetStatistics.parse(now, onlineCPUs: online) else { continue }
        _ = statistics.total
        _ = statistics[cpu: 0]
        let still = statistics.since(statistics)
        require(still.total.dropped == 0 || Set(statistics.cpus.map(\.cpu)).count < statistics.cpus.count,
                "no drops since itself when each CPU has one row")
        if let before = SoftnetStatistics.parse(earlier, onlineCPUs: online) {
            _ = statistics.since(before).total
        }
    }
    return 0
}
