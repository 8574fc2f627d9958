// The parsers of where CPU time goes: /proc/stat's per-CPU lines (ProcessorTimes) and
// a thread's or process's stat line (TaskCPUTime, read from the last ')'), the shares
// between two readings, and the findings CPUDiagnosis draws from them.
// Input: up to three texts separated by NUL bytes: an earlier /proc/stat, a later one,
// and a stat line.
import HostStats

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let texts = FuzzInput(data, size).texts()
    let earlier = texts.first ?? ""
    let later = texts.count > 1 ? texts[1] : earlier
    if let before = ProcessorTimes.parse(earlier), let after = ProcessorTimes.parse(later) {
        let shares = after.shares(since: before)
        for share in shares {
            let parts = [share.user, share.system, share.softirq, share.irq, share.iowait, share.steal, share.idle]
            require(parts.allSatisfy { $0 >= 0 && $0 <= 1 }, "each share is a fraction")
            let sum = parts.reduce(0, +)
            require(sum == 0 || abs(sum - 1) < 1e-9, "the shares make 1, or 0 when no tick passed: \(sum)")
            require(share.busy >= 0 && share.busy <= 1, "busy is a fraction")
        }
        require(before.shares(since: before).allSatisfy { $0.busy == 0 }, "no time passes between a reading and itself")
        let threads = shares.map { ReceivingThreadCPU(id: $0.cpu, cpu: $0.cpu, busy: $0.user + $0.system) }
        for finding in CPUDiagnosis.findings(cpus: shares, threads: threads) {
            require(!finding.text.isEmpty && !finding.text.contains("\n"), "a finding is one line")
        }
    }
    if texts.count > 2, let time = TaskCPUTime.parse(texts[2]) {
        let still = time.seconds(since: time)
        require(still.user == 0 && still.system == 0, "no time passes between a reading and itself")
        _ = TaskCPUTime(userTicks: 0, systemTicks: 0).seconds(since: time, ticksPerSecond: 0)
    }
    return 0
}
