import Reporting

/// The lines of one `mpps recv` or `mpps send` run (ready, intervals, summary),
/// gathered into what its plot draws: datagrams/s per thread, drops by cause,
/// and, when the lines carry them, CPU shares and the threads' CPU time.
///
/// Memory stays bounded however long the run: at most ``maximumPoints``
/// buckets are kept; when one more would not fit, neighbours merge in pairs and
/// each bucket from then on covers twice as many intervals.
package struct RunPlotData: Sendable {
    /// Points per line at most: more than an 800-pixel plot can show apart.
    package static let maximumPoints = 2000
    /// Threads drawn one by one at most (the total line counts them all).
    package static let maximumThreads = 16
    /// CPUs drawn at most.
    package static let maximumCPUs = 64

    /// Full buckets, in order of time (fewer than ``maximumPoints``).
    private(set) var buckets: [IntervalBucket] = []
    /// The bucket being filled, and how many intervals it holds.
    private var pending: IntervalBucket?
    private var pendingCount = 0
    /// Intervals per bucket: 1, then 2, 4, ... as the run grows.
    private(set) var intervalsPerBucket = 1
    private var lastEnd = 0.0
    /// Interval lines read.
    package private(set) var intervals = 0
    /// The `ready` line, when there was one.
    package private(set) var ready: JSONValue?
    /// The `summary` line, when there was one.
    package private(set) var summary: JSONValue?

    /// No lines yet.
    package init() {}

    /// Takes one line of the stream: `ready`, `interval` and `summary` lines count; others are passed over.
    package mutating func add(_ line: JSONValue) {
        switch line["type"]?.string {
        case "ready": ready = line
        case "summary": summary = line
        case "interval": addInterval(line)
        default: break
        }
    }

    private mutating func addInterval(_ line: JSONValue) {
        let bucket = IntervalBucket(interval: line, previousEnd: lastEnd, maximumThreads: Self.maximumThreads,
                                    maximumCPUs: Self.maximumCPUs)
        lastEnd = bucket.end
        intervals += 1
        pending = pending.map { $0.merged(with: bucket) } ?? bucket
        pendingCount += 1
        guard pendingCount >= intervalsPerBucket, let full = pending else { return }
        buckets.append(full)
        pending = nil
        pendingCount = 0
        if buckets.count >= Self.maximumPoints {
            buckets = stride(from: 0, to: buckets.count, by: 2).map { index in
                index + 1 < buckets.count ? buckets[index].merged(with: buckets[index + 1]) : buckets[index]
            }
            intervalsPerBucket *= 2
        }
    }

    /// Every bucket, the partly filled last one included.
    var points: [IntervalBucket] { buckets + (pending.map { [$0] } ?? []) }

    /// `recv` or `send`, from the ready line (a receiver names its `address`, a sender its `targets`); nil when unknown.
    package var command: String? {
        if ready?["address"] != nil { return "recv" }
        if ready?["targets"] != nil { return "send" }
        return nil
    }

    /// What the ready line says, in a few words: `received on 127.0.0.1:4321 by 2 threads`.
    package var description: String? {
        guard let ready else { return nil }
        let threads = ready["threads"]?.count.map { $0 == 1 ? "1 thread" : "\($0) threads" } ?? "? threads"
        if let address = ready["address"]?.string { return "received on \(address) by \(threads)" }
        if let targets = ready["targets"]?.array?.compactMap(\.string) {
            let list = targets.count > 3 ? targets.prefix(3).joined(separator: ", ") + " and \(targets.count - 3) more"
                : targets.joined(separator: ", ")
            return "sent to \(list) by \(threads)"
        }
        return nil
    }

    /// The summary in one line: `summary: 3000000 datagrams in 3.000 s, mean 1.00M/s, min 0.98M/s, max 1.02M/s; stop: duration`.
    package var summaryLine: String? {
        guard let summary else { return nil }
        var line = "summary: "
        if let packets = summary["packets"]?.count { line += "\(packets) datagrams" }
        if let seconds = summary["seconds"]?.double { line += " in \(Units.fixed(seconds, decimals: 3)) s" }
        if let mean = summary["pps_mean"]?.double { line += ", mean \(AxisScale.short(mean, suffix: "/s"))" }
        if let low = summary["pps_min"]?.double, let high = summary["pps_max"]?.double {
            line += ", min \(AxisScale.short(low, suffix: "/s")), max \(AxisScale.short(high, suffix: "/s"))"
        }
        if let lost = summary["lost"]?.count { line += "; \(lost) lost by the sequence numbers" }
        if let drops = summary["socket_drops"]?.count { line += "; \(drops) dropped at the sockets" }
        if let refused = summary["refused"]?.count, refused > 0 { line += "; \(refused) sends refused (nothing listened)" }
        if let nanoseconds = summary["cpu_ns_per_datagram"]?.double, nanoseconds.isFinite, nanoseconds >= 0 {
            line += "; \(Units.fixed(min(nanoseconds, 1e12), decimals: 0)) ns of the receiving threads' CPU per datagram"
        }
        if let stop = summary["stop"]?.string { line += "; stop: \(XMLText.shortened(stop, to: 20))" }
        return line
    }

    /// The summary's `findings` (what the CPU shares say about the limit), at most 5, each shortened.
    package var findings: [String] {
        (summary?["findings"]?.array ?? []).prefix(5).compactMap(\.string).map { "finding: " + XMLText.shortened($0, to: 300) }
    }

    /// The panels: datagrams/s per thread; drops by cause (when the lines carry the host's
    /// counters); CPU shares over time and by kind (when they carry `cpus`); the threads' CPU
    /// use (when they carry `cpu_user_s`/`cpu_system_s`). Empty when there were no intervals.
    package var panels: [Panel] {
        let points = self.points
        guard !points.isEmpty else { return [] }
        var panels: [Panel] = [.lines(rateChart(points))]
        if points.contains(where: { $0.drops != nil }) { panels.append(.lines(dropChart(points))) }
        let cpus = Set(points.flatMap(\.cpuSeconds.keys)).sorted()
        if !cpus.isEmpty {
            panels.append(.lines(cpuBusyChart(points, cpus: cpus)))
            panels.append(.bars(cpuKindChart(points, cpus: cpus)))
        }
        if points.contains(where: { $0.threadCPUSeconds != nil }) { panels.append(.lines(threadCPUChart(points))) }
        return panels
    }

    private func rateChart(_ points: [IntervalBucket]) -> LineChart {
        let threads = points.map(\.threadPackets.count).max() ?? 0
        var series: [Series] = []
        for thread in 0..<threads {
            series.append(Series(name: "thread \(thread)", color: Palette.color(thread), points: points.compactMap { bucket in
                bucket.rate(thread < bucket.threadPackets.count ? bucket.threadPackets[thread] : 0).map { PlotPoint(x: bucket.end, y: $0) }
            }))
        }
        if threads != 1 {
            series.append(Series(name: "all threads", color: Palette.ink, points: points.compactMap { bucket in
                bucket.rate(bucket.packets).map { PlotPoint(x: bucket.end, y: $0) }
            }))
        }
        let verb = command == "send" ? "sent" : (command == "recv" ? "received" : "counted")
        return LineChart(title: "Datagrams \(verb) per second, per thread", yTitle: "datagrams/s",
                         yUnit: .si(suffix: "/s"), series: series)
    }

    private func dropChart(_ points: [IntervalBucket]) -> LineChart {
        var series: [Series] = []
        for cause in IntervalBucket.DropCause.allCases {
            let values = points.map { $0.drops.map { $0[cause.rawValue] } ?? 0 }
            // The socket's line is always drawn: a flat line at 0 says "no drops" as plainly as any.
            guard cause == .socket || values.contains(where: { $0 > 0 }) else { continue }
            series.append(Series(name: cause.name, color: Palette.color(cause.rawValue + 1), points: zip(points, values).compactMap { bucket, value in
                bucket.rate(value).map { PlotPoint(x: bucket.end, y: $0) }
            }))
        }
        return LineChart(title: "Drops per second, by cause", yTitle: "drops/s", yUnit: .si(suffix: "/s"), series: series, minimumTop: 1)
    }

    private func cpuBusyChart(_ points: [IntervalBucket], cpus: [Int]) -> LineChart {
        let series = cpus.enumerated().map { index, cpu in
            Series(name: "CPU \(cpu) busy", color: Palette.color(index), points: points.compactMap { bucket in
                guard let seconds = bucket.cpuSeconds[cpu] else { return nil }
                // Waiting for I/O is idle time: busy is every other kind.
                let busy = zip(IntervalBucket.cpuKinds, seconds).filter { $0.0 != "iowait" }.reduce(0) { $0 + $1.1 }
                return bucket.rate(busy).map { PlotPoint(x: bucket.end, y: min($0, 1)) }
            })
        }
        return LineChart(title: "Each CPU's busy share (all but idle and iowait), per interval", yTitle: "share of the CPU",
                         yUnit: .percent, series: series, minimumTop: 1)
    }

    private func cpuKindChart(_ points: [IntervalBucket], cpus: [Int]) -> BarChart {
        let parts = IntervalBucket.cpuKinds.enumerated().map { index, kind in
            ChartFrame.LegendEntry(name: kind, color: [Palette.offered, "#9467bd", Palette.socket, Palette.backlog, "#8c564b", Palette.other][index])
        }
        let bars = cpus.map { cpu -> Bar in
            let covered = points.filter { $0.cpuSeconds[cpu] != nil }
            let time = covered.reduce(0) { $0 + $1.length }
            let sums = covered.reduce(Array(repeating: 0.0, count: IntervalBucket.cpuKinds.count)) { IntervalBucket.add($0, $1.cpuSeconds[cpu] ?? []) }
            let shares = sums.map { time > 0 ? min($0 / time, 1) : 0 }
            return Bar(label: "CPU \(cpu)", values: shares, caption: Units.fixed(min(shares.reduce(0, +), 1) * 100, decimals: 0) + "%")
        }
        return BarChart(title: "Where each CPU's time went, over the run", yTitle: "share of the CPU", yUnit: .percent,
                        parts: parts, bars: bars)
    }

    private func threadCPUChart(_ points: [IntervalBucket]) -> LineChart {
        let threads = points.map { $0.threadCPUSeconds?.count ?? 0 }.max() ?? 0
        let series = (0..<threads).map { thread in
            Series(name: "thread \(thread)", color: Palette.color(thread), points: points.compactMap { bucket in
                guard let seconds = bucket.threadCPUSeconds, thread < seconds.count else { return nil }
                return bucket.rate(seconds[thread]).map { PlotPoint(x: bucket.end, y: $0) }
            })
        }
        return LineChart(title: "Each thread's CPU time (user + system) per second", yTitle: "share of one CPU",
                         yUnit: .percent, series: series, minimumTop: 1)
    }
}
