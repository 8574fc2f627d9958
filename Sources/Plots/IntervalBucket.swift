import Reporting

/// One or more consecutive intervals of a recv or send run, as sums, so two
/// buckets merge into one by adding (``RunPlotData`` halves its points that
/// way when a long run has more than it draws). Every number is read from a
/// line that may be hostile: only finite, non-negative values count.
struct IntervalBucket: Sendable, Equatable {
    /// Elapsed seconds at the end of the last interval.
    var end: Double = 0
    /// Seconds covered.
    var length: Double = 0
    /// Datagrams of each thread, by thread id (ids from ``RunPlotData/maximumThreads`` up are left out).
    var threadPackets: [Double] = []
    /// Datagrams of all threads.
    var packets: Double = 0
    /// Drops by ``DropCause``, when the line carried the host's counters.
    var drops: [Double]?
    /// Per CPU (by CPU number), seconds spent in each ``CPUKind``: share × length.
    var cpuSeconds: [Int: [Double]] = [:]
    /// Per thread id, user + system CPU seconds (`cpu_user_s` + `cpu_system_s`).
    var threadCPUSeconds: [Double]?

    /// Why datagrams were dropped, as the interval lines tell.
    enum DropCause: Int, CaseIterable {
        /// A full socket buffer; a full CPU backlog; UDP memory; no listener; other receive errors.
        case socket, backlog, memory, noPort, otherErrors

        /// The legend's words for it.
        var name: String {
            switch self {
            case .socket: return "socket buffer full"
            case .backlog: return "CPU backlog full"
            case .memory: return "UDP memory (MemErrors)"
            case .noPort: return "no listener (NoPorts)"
            case .otherErrors: return "other receive errors"
            }
        }
    }

    /// The kinds of CPU time of an interval's `cpus` entries, in the order they stack.
    static let cpuKinds = ["user", "system", "softirq", "irq", "iowait", "steal"]

    /// A non-negative finite number from `value`, else 0.
    static func amount(_ value: JSONValue?) -> Double {
        guard let number = value?.double, number.isFinite, number > 0 else { return 0 }
        return min(number, 1e300)
    }

    /// Reads one `{"type":"interval",...}` object; `previousEnd` is the elapsed
    /// time of the interval before (0 for the first).
    init(interval line: JSONValue, previousEnd: Double, maximumThreads: Int, maximumCPUs: Int) {
        let elapsed = line["elapsed"]?.double ?? previousEnd
        end = elapsed.isFinite ? min(max(elapsed, 0), 1e12) : previousEnd
        length = max(0, end - previousEnd)
        packets = Self.amount(line["packets"])
        let threads = line["threads"]?.array ?? []
        var perThreadCPU: [Double] = []
        var sawThreadCPU = false
        for entry in threads.prefix(4096) {
            guard let id = entry["id"]?.count, id < UInt64(maximumThreads) else { continue }
            let index = Int(id)
            if threadPackets.count <= index { threadPackets += Array(repeating: 0, count: index + 1 - threadPackets.count) }
            threadPackets[index] += Self.amount(entry["packets"])
            if entry["cpu_user_s"] != nil || entry["cpu_system_s"] != nil {
                sawThreadCPU = true
                if perThreadCPU.count <= index { perThreadCPU += Array(repeating: 0, count: index + 1 - perThreadCPU.count) }
                perThreadCPU[index] += Self.amount(entry["cpu_user_s"]) + Self.amount(entry["cpu_system_s"])
            }
        }
        if sawThreadCPU { threadCPUSeconds = perThreadCPU }
        let kernel = line["kernel"]
        let socketDrops = line["socket_drops"]
        let softnet = line["softnet"]?.array
        if kernel != nil || socketDrops != nil || softnet != nil {
            var drops = Array(repeating: 0.0, count: DropCause.allCases.count)
            let rcvbuf = Self.amount(kernel?["rcvbuf_errors"])
            let memory = Self.amount(kernel?["mem_errors"])
            drops[DropCause.socket.rawValue] = socketDrops != nil ? Self.amount(socketDrops) : rcvbuf
            drops[DropCause.backlog.rawValue] = (softnet ?? []).prefix(4096).reduce(0) { $0 + Self.amount($1["dropped"]) }
            drops[DropCause.memory.rawValue] = memory
            drops[DropCause.noPort.rawValue] = Self.amount(kernel?["no_ports"])
            drops[DropCause.otherErrors.rawValue] = max(0, Self.amount(kernel?["in_errors"]) - rcvbuf - memory)
            self.drops = drops
        }
        for entry in (line["cpus"]?.array ?? []).prefix(4096) {
            guard let cpu = entry["cpu"]?.count, cpu < UInt64(maximumCPUs) else { continue }
            // A share is a fraction of the interval: more than 1 is a lie, and is taken as 1.
            cpuSeconds[Int(cpu)] = Self.cpuKinds.map { min(Self.amount(entry[$0]), 1) * length }
        }
    }

    /// An empty bucket.
    init() {}

    /// This bucket and the one after it, as one.
    func merged(with later: IntervalBucket) -> IntervalBucket {
        var sum = IntervalBucket()
        sum.end = later.end
        sum.length = length + later.length
        sum.packets = packets + later.packets
        sum.threadPackets = Self.add(threadPackets, later.threadPackets)
        if drops != nil || later.drops != nil {
            sum.drops = Self.add(drops ?? [], later.drops ?? [])
        }
        sum.cpuSeconds = cpuSeconds.merging(later.cpuSeconds) { Self.add($0, $1) }
        if threadCPUSeconds != nil || later.threadCPUSeconds != nil {
            sum.threadCPUSeconds = Self.add(threadCPUSeconds ?? [], later.threadCPUSeconds ?? [])
        }
        return sum
    }

    /// Element-wise sum; the shorter one counts as zeros.
    static func add(_ a: [Double], _ b: [Double]) -> [Double] {
        (0..<max(a.count, b.count)).map { (($0 < a.count) ? a[$0] : 0) + (($0 < b.count) ? b[$0] : 0) }
    }

    /// `amount` per second of this bucket; nil when it covers no time.
    func rate(_ amount: Double) -> Double? {
        length > 0 ? amount / length : nil
    }
}
