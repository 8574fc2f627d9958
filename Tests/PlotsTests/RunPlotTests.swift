import Testing
import Reporting
@testable import Plots

/// The plot of a recv or send run, from hand-written JSON lines: its panels, with
/// and without the CPU keys, and its bounded memory on a long run.
@Suite struct RunPlotTests {
    func lines(_ panel: Panel) -> LineChart? {
        if case .lines(let chart) = panel { return chart }
        return nil
    }

    func values(_ series: Series?) -> [Double] { series?.points.map(\.y) ?? [] }

    @Test func aReceiverWithoutCPUKeysHasRatesAndDrops() throws {
        let stream = try Lines.stream(Lines.run(cpu: false))
        #expect(stream.kind == .run)
        let panels = stream.run.panels
        #expect(panels.count == 2)
        let rates = try #require(lines(panels[0]))
        #expect(rates.title == "Datagrams received per second, per thread")
        #expect(rates.series.map(\.name) == ["thread 0", "thread 1", "all threads"])
        #expect(values(rates.series.first) == [600_000, 600_000, 600_000])
        #expect(rates.series[0].points.map(\.x) == [1, 2, 3])
        #expect(values(rates.series.last) == [1_000_000, 1_000_000, 1_000_000])
        let drops = try #require(lines(panels[1]))
        #expect(drops.series.map(\.name) == ["socket buffer full"])
        #expect(values(drops.series.first) == [10, 10, 10])
        #expect(stream.run.description == "received on 127.0.0.1:4321 by 2 threads")
        #expect(stream.run.summaryLine == "summary: 3000000 datagrams in 3.000 s, mean 1.00M/s, min 1.00M/s, max 1.00M/s; 30 dropped at the sockets; stop: duration")
    }

    @Test func cpuKeysAddThreePanels() throws {
        let stream = try Lines.stream(Lines.run(cpu: true))
        let panels = stream.run.panels
        #expect(panels.count == 5)
        let busy = try #require(lines(panels[2]))
        #expect(busy.series.map(\.name) == ["CPU 0 busy", "CPU 1 busy"])
        #expect(values(busy.series.first) == [1, 1, 1])
        #expect(values(busy.series.last).map { ($0 * 1000).rounded() } == [800, 800, 800])
        guard case .bars(let kinds) = panels[3] else { Issue.record("the fourth panel is the CPU kinds' bars"); return }
        #expect(kinds.parts.map(\.name) == ["user", "system", "softirq", "irq", "iowait", "steal"])
        #expect(kinds.bars.map(\.label) == ["CPU 0", "CPU 1"])
        #expect(kinds.bars[1].values.map { ($0 * 100).rounded() } == [10, 40, 30, 0, 0, 0])
        #expect(kinds.bars.map(\.caption) == ["100%", "80%"])
        let threads = try #require(lines(panels[4]))
        #expect(threads.series.map(\.name) == ["thread 0", "thread 1"])
        #expect(values(threads.series.first).map { ($0 * 100).rounded() } == [95, 95, 95])
        #expect(values(threads.series.last).map { ($0 * 100).rounded() } == [50, 50, 50])
    }

    @Test func theSummarysCPUFiguresAndFindingsAreNotes() throws {
        let summary = #"{"type":"summary","packets":10,"seconds":1.000,"stop":"count","cpu_ns_per_datagram":512.4,"findings":["CPU 1 is saturated by softirq work while the receiving threads wait","x"]}"#
        let stream = try Lines.stream(Lines.interval(1) + "\n" + summary)
        let figure = try stream.figure(title: "t", subtitle: [])
        #expect(figure.notes == ["summary: 10 datagrams in 1.000 s; 512 ns of the receiving threads' CPU per datagram; stop: count",
                                 "finding: CPU 1 is saturated by softirq work while the receiving threads wait", "finding: x"])
    }

    @Test func aSenderHasOnlyItsRates() throws {
        let stream = try Lines.stream(Lines.sendStream)
        let panels = stream.run.panels
        #expect(panels.count == 1)
        let rates = try #require(lines(panels[0]))
        #expect(rates.title == "Datagrams sent per second, per thread")
        #expect(rates.series.map(\.name) == ["thread 0"])
        #expect(values(rates.series.first) == [300_000, 310_000])
        #expect(stream.run.description == "sent to 127.0.0.1:4321 by 1 thread")
    }

    @Test func aLongRunIsMergedIntoBoundedPointsWithNothingLost() {
        var data = RunPlotData()
        for n in 1...5000 {
            data.add(JSONValue(parsing: #"{"type":"interval","elapsed":\#(n).0,"packets":1000,"threads":[{"id":0,"cpu":0,"packets":1000}]}"#)!)
        }
        let points = data.points
        #expect(points.count <= RunPlotData.maximumPoints)
        #expect(points.count >= RunPlotData.maximumPoints / 2)
        #expect(points.reduce(0) { $0 + $1.packets } == 5_000_000)
        #expect(points.reduce(0) { $0 + $1.length } == 5000)
        #expect(points.allSatisfy { $0.rate($0.packets) == 1000 })
        #expect(data.intervals == 5000)
        let figure = RunPlotData.figure(data, title: "t", subtitle: [])
        #expect(figure.notes == ["5000 intervals drawn as \(points.count) points of 4 intervals each"])
    }

    @Test func hostileNumbersAreLeftOutNotTrapped() throws {
        let text = [
            #"{"type":"interval","elapsed":1e308,"packets":-5,"threads":[{"id":18446744073709551615,"packets":1e400},{"id":-1},{"id":0.5},{"id":3,"packets":"many"}],"cpus":[{"cpu":1e30,"user":5},{"cpu":2,"user":1e308,"system":-1,"softirq":"x"}]}"#,
            #"{"type":"interval","elapsed":-3,"packets":1e308,"threads":"none","kernel":{"in_errors":1e308,"rcvbuf_errors":1e308},"softnet":[{"dropped":1e308},{"dropped":1e308}]}"#,
            #"{"type":"interval","threads":[{"id":15,"packets":1},{"id":16,"packets":1}]}"#,
        ].joined(separator: "\n")
        let stream = try Lines.stream(text)
        let svg = RunPlotData.figure(stream.run, title: "hostile", subtitle: []).svg
        #expect(svg.hasPrefix("<?xml"))
        #expect(!svg.contains("nan") && !svg.contains("inf"))
        // Thread ids beyond the 16 drawn one by one are counted in no line of their own.
        #expect(stream.run.points.map(\.threadPackets.count).max() == 16)
    }
}
