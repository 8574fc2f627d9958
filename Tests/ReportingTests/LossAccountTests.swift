import Testing
import PacketIO
import HostStats
@testable import Reporting

/// sent = received + lost, by cause: the one account of the demo and the trials.
@Suite struct LossAccountTests {
    @Test func lostIsTheLargerOfTheSequenceCountAndTheDifference() {
        #expect(LossAccount(sent: 1000, received: 900).lost == 100)
        #expect(LossAccount(sent: 1000, received: 900, sequenceLost: 40).lost == 100, "a lost tail the sequence numbers miss")
        #expect(LossAccount(sent: 1000, received: 1000, sequenceLost: 5).lost == 5, "duplicates hide losses in the difference")
        #expect(LossAccount(sent: 1000, received: 1000, sequenceLost: 5).countedTwice == 5)
        #expect(LossAccount(sent: 900, received: 1000).lost == 0)
        #expect(LossAccount(sent: 1000, received: 900).countedTwice == 0)
    }

    @Test func causesInWords() {
        #expect(LossAccount(sent: 1000, received: 1000).causesInWords == "none")
        #expect(LossAccount(sent: 1000, received: 950).causesInWords == "50 elsewhere")
        #expect(LossAccount(sent: 1000, received: 950, socketDrops: 20).causesInWords == "20 at the socket (buffer full), 30 elsewhere")
        #expect(LossAccount(sent: 10_000, received: 8_000, socketDrops: 1_500, backlogDrops: 500).causesInWords
            == "1.5k at the socket (buffer full), 500 from a CPU's backlog (netdev_max_backlog)")
        // With GRO the socket counts whole coalesced messages, so it explains more than its number.
        let coalesced = LossAccount(sent: 1000, received: 950, socketDrops: 2, socketDropsCountMessages: true)
        #expect(coalesced.causes == [.coalescedAtSocket(2)])
        #expect(coalesced.lostElsewhere == 0)
        // Drops at the socket with nothing lost: end-of-flow datagrams, which are not data.
        #expect(LossAccount(sent: 10, received: 10, socketDrops: 3).causesInWords == "3 at the socket (buffer full)")
    }

    @Test func theDemosAccount() {
        #expect(LossAccount(sent: 1000, received: 1000, sequenceLost: 0, socketDrops: 0).text
            == "account: 1000 sent = 1000 received + 0 lost\n")
        #expect(LossAccount(sent: 888_832, received: 570_643, sequenceLost: 318_189, socketDrops: 318_190, backlogDrops: 7).text == """
            account: 888832 sent = 570643 received + 318189 lost
                     the sequence numbers miss 318189
                     the kernel dropped 318190 at the receiving socket because its buffer was full: the receiving thread did not keep up
                     the kernel dropped 7 from a CPU's backlog (netdev_max_backlog, host-wide): the receive stack did not keep up

            """)
        #expect(LossAccount(sent: 100, received: 100, sequenceLost: 2, socketDrops: 0).text == """
            account: 100 sent, 100 received (2 more than once), 2 lost
                     the sequence numbers miss 2
                     2 were lost where no counter saw them

            """)
    }

    @Test func theDemosJSONLine() {
        #expect(LossAccount(sent: 10, received: 7, sequenceLost: 3, socketDrops: 1, backlogDrops: 1).json.rendered
            == #"{"type":"account","sent":10,"received":7,"lost":3,"socket_drops":1,"sequence_lost":3,"backlog_drops":1,"other_drops":1}"#)
        #expect(LossAccount(sent: 10, received: 10).json.rendered
            == #"{"type":"account","sent":10,"received":10,"lost":0,"socket_drops":null,"sequence_lost":null,"backlog_drops":0,"other_drops":0}"#)
    }

    @Test func fromAReceiversSummary() {
        var host = HostDelta()
        host.socketDrops = 4
        host.softnet = [SoftnetCPU(cpu: 0, processed: 10, dropped: 2, timeSqueeze: 0), SoftnetCPU(cpu: 1, processed: 10, dropped: 1, timeSqueeze: 0)]
        var summary = RunSummary(total: CounterSnapshot(packets: 90), seconds: 1, meanPacketsPerSecond: 90, minPacketsPerSecond: 90,
                                 maxPacketsPerSecond: 90, threads: [CounterSnapshot(packets: 90)], reason: .signal, host: host)
        #expect(LossAccount(sent: 100, receiver: summary)
            == LossAccount(sent: 100, received: 90, sequenceLost: nil, socketDrops: 4, backlogDrops: 3))
        summary.sequences = SequenceReport(flows: [FlowSummary(flow: 1, unique: 90, duplicates: 0, reordered: 0, highest: 99, sent: 100)],
                                           latency: LatencyHistogram(), untracked: 0, endMarkers: 3, trackedFlowsPerThread: 4096)
        let account = LossAccount(sent: 100, receiver: summary, coalescing: true)
        #expect(account == LossAccount(sent: 100, received: 90, sequenceLost: 10, socketDrops: 4, backlogDrops: 3,
                                       socketDropsCountMessages: true))
        #expect(account.lostElsewhere == 0)
    }
}
