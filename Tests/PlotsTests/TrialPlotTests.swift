import Testing
import Reporting
@testable import Plots

/// The lab's and ndr's plots from hand-written JSON lines.
@Suite struct TrialPlotTests {
    @Test func aBarPerExperimentWithLossesStackedByCause() throws {
        let stream = try Lines.stream(Lines.lab)
        #expect(stream.kind == .lab)
        guard case .bars(let chart)? = stream.lab.panel else { Issue.record("a bar chart"); return }
        #expect(chart.parts.map(\.name) == ["received", "lost: socket buffer full", "lost: CPU backlog full", "lost: no counter saw it"])
        #expect(chart.markerName == "sent")
        #expect(chart.bars.map(\.label) == ["naive", "steer-cpu", "gro"])
        // 400k/s sent, 300k/s received; of 100000 lost, 60000 at the socket, 30000 from a backlog, 10000 unseen.
        #expect(chart.bars[0].values == [300_000, 60_000, 30_000, 10_000])
        #expect(chart.bars[0].marker == 400_000)
        #expect(chart.bars[0].caption == "300k")
        #expect(chart.bars[1].values.isEmpty && chart.bars[1].caption == "not run")
        #expect(chart.bars[2].values == [20_000_000, 0, 0, 0])
        #expect(stream.lab.description == "3 experiments on loopback, CPUs 0-1, 4.5 s; best: gro 20.0M/s")
    }

    @Test func aGROReceiversSocketDropsExplainItsLoss() throws {
        // Its socket counts coalesced messages: 5100 of them held the 323500 datagrams lost, as the lab's account says.
        let line = #"{"type":"experiment","name":"gro","receiver":["mpps","recv","0.0.0.0:4321","--gro"],"received_pps":767000.0,"sent_pps":1090500.0,"sent":1090500,"received":767000,"lost":323500,"drops":{"socket":5100,"backlog":0}}"#
        guard case .bars(let chart)? = try Lines.stream(line).lab.panel else { Issue.record("a bar chart"); return }
        #expect(chart.bars[0].values == [767_000, 323_500, 0, 0])
    }

    @Test func eachTrialOfferedAgainstReceivedWithTheResult() throws {
        let stream = try Lines.stream(Lines.ndr)
        #expect(stream.kind == .ndr)
        guard case .bars(let chart)? = stream.ndr.panel else { Issue.record("a bar chart"); return }
        #expect(chart.bars.map(\.label) == ["1", "2", "3 confirm"])
        #expect(chart.bars.map(\.caption) == ["FAIL", "pass", "pass"])
        #expect(chart.bars[0].values == [0, 900_000])
        #expect(chart.bars[1].values == [505_000, 0])
        #expect(chart.bars.map(\.marker) == [1_000_000, 505_000, 505_000])
        #expect(stream.ndr.notes == ["result: 0.505M datagrams/s with loss at most 0%, confirmed by a second trial (3 trials); above it limited by the loss"])
    }

    @Test func manyExperimentsAreCutAtAHundredBars() throws {
        let line = #"{"type":"experiment","name":"x","received_pps":1.0,"sent_pps":1.0,"sent":1,"received":1,"lost":0}"#
        let stream = try Lines.stream(Array(repeating: line, count: 150).joined(separator: "\n"))
        guard case .bars(let chart)? = stream.lab.panel else { Issue.record("a bar chart"); return }
        #expect(chart.bars.count == 100)
        #expect(stream.lab.notes == ["50 more experiments not drawn (the first 100 are)"])
    }
}
