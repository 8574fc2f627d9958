import Foundation
import Testing
@testable import Trials
import HostStats
import Reporting

/// Reading the children's summaries and writing the lab's and ndr's lines.
@Suite struct LabReportTests {
    static let receiverLine = """
    {"type":"summary","packets":900,"bytes":28800,"seconds":3.2,"pps_mean":281.2,"pps_min":0.0,"pps_max":500.0,"calls":9,\
    "threads":[600,300],"refused":0,"no_buffers":0,"truncated":0,"stop":"signal","kernel":{"udp_in":906,"rcvbuf_errors":94,\
    "in_errors":94,"no_ports":0,"mem_errors":0},"socket_drops":94,"softnet":[{"cpu":0,"processed":1000,"dropped":4,\
    "time_squeeze":0},{"cpu":1,"processed":0,"dropped":2,"time_squeeze":0}],"lost":100,"reordered":0,"duplicates":0,\
    "flows":2,"flows_without_end":0,"untracked":0,"end_markers":6,"latency_us":{"p50":1.5,"p99":3.0,"p999":4.0,"max":5.0},\
    "incoming_cpus":[0,-1],"note":"a \\"quoted\\" word\\n"}
    """
    static let senderLine = """
    {"type":"summary","packets":1000,"bytes":32000,"seconds":2.000,"pps_mean":500.0,"pps_min":500.0,"pps_max":500.0,\
    "calls":1,"threads":[500,500],"refused":0,"no_buffers":0,"truncated":0,"stop":"duration"}
    """

    func measurement() throws -> TrialMeasurement {
        let receiver = try #require(JSONValue(parsing: Self.receiverLine))
        let sender = try #require(JSONValue(parsing: Self.senderLine))
        return try TrialMeasurement.parse(receiver: receiver, sender: sender).get()
    }

    @Test func readsJSON() throws {
        let value = try #require(JSONValue(parsing: Self.receiverLine))
        #expect(value["packets"]?.count == 900)
        #expect(value["kernel"]?["rcvbuf_errors"]?.count == 94)
        #expect(value["threads"]?.array?.compactMap(\.count) == [600, 300])
        #expect(value["note"]?.string == "a \"quoted\" word\n")
        #expect(value["latency_us"]?["p50"]?.double == 1.5)
        #expect(value["missing"] == nil)
        #expect(JSONValue(parsing: #"{"a":[1,true,null,"\u00e9"],"b":{}}"#) ==
            .object(["a": .array([.number(1), .bool(true), .null, .string("é")]), "b": .object([:])]))
        #expect(JSONValue(parsing: #"{"a":-1.5e3}"#)?["a"]?.double == -1500)
        #expect(JSONValue(parsing: #"{"a":-1}"#)?["a"]?.count == nil)
        for bad in ["", "{", #"{"a"}"#, #"{"a":1,}"#, "[1 2]", "{} x", "tru", #""open"#] {
            #expect(JSONValue(parsing: bad) == nil, "\(bad)")
        }
        #expect(JSONValue.array([.number(0), .number(-1), .number(0.5)]).rendered == "[0,-1,0.5]")
        #expect(JSONValue(parsing: #"{"b":1,"a":"x\ny"}"#)?.rendered == #"{"b":1,"a":"x\ny"}"#)
    }

    @Test func theLastSummaryOfAChildsOutput() {
        let output = """
        {"type":"interval","packets":1}
        not json
        {"type":"summary","packets":2}
        {"type":"account","sent":3}

        """
        #expect(JSONValue.lastObject(ofType: "summary", in: output)?["packets"]?.count == 2)
        #expect(JSONValue.lastObject(ofType: "interval", in: output)?["packets"]?.count == 1)
        #expect(JSONValue.lastObject(ofType: "trial", in: output) == nil)
    }

    @Test func aTrialFromTwoSummaries() throws {
        let m = try measurement()
        #expect(m == TrialMeasurement(sent: 1000, senderSeconds: 2, received: 900, sequenceLost: 100,
                                      drops: DropCounts(socket: 94, rcvbufErrors: 94, inErrors: 94, backlog: 6),
                                      threadPackets: [600, 300], incomingCPUs: .array([.number(0), .number(-1)])))
        #expect(m.receivedPerSecond == 450)
        #expect(m.sentPerSecond == 500)
        #expect(m.lossFraction == 0.1)
        #expect(m.shares == [600.0 / 900, 300.0 / 900])
        #expect(m.sharesInWords == "67/33")
        #expect(m.lostElsewhere == 0)
        #expect(m.dropsInWords == "94 at the socket (buffer full), 6 from a CPU's backlog (netdev_max_backlog)")
        #expect(m.incomingCPUsInWords == "0/?")
    }

    @Test func whereDatagramsWent() {
        var m = TrialMeasurement(sent: 1000, senderSeconds: 1, received: 1000, threadPackets: [1000])
        #expect(m.dropsInWords == "none")
        m.sequenceLost = 50  // all 1000 arrived by count, but 50 of them twice
        #expect(m.lost == 50)
        #expect(m.dropsInWords == "50 elsewhere")
        m.drops.socket = 20
        #expect(m.dropsInWords == "20 at the socket (buffer full), 30 elsewhere")
        // With GRO the socket counts whole coalesced messages, so it explains more than its number.
        m.socketDropsCountMessages = true
        #expect(m.dropsInWords == "20 coalesced messages at the socket (buffer full)")
        #expect(m.lostElsewhere == 0)
        #expect(m.incomingCPUsInWords == nil)
    }

    @Test func lossIsTheLargerOfTheSequenceCountAndTheDifference() throws {
        let sender = try #require(JSONValue(parsing: #"{"type":"summary","packets":1000,"seconds":1.0}"#))
        // A flow whose end-of-flow datagrams were dropped too: its lost tail is not in "lost".
        let tailLost = try #require(JSONValue(parsing: #"{"type":"summary","packets":700,"lost":200,"flows_without_end":1}"#))
        #expect(try TrialMeasurement.parse(receiver: tailLost, sender: sender).get().lost == 300)
        #expect(try TrialMeasurement.parse(receiver: tailLost, sender: sender).get().sequenceLost == 200)
        // Duplicates make up for losses in the difference, not in the sequence count.
        let duplicated = try #require(JSONValue(parsing: #"{"type":"summary","packets":1000,"lost":5,"duplicates":5}"#))
        #expect(try TrialMeasurement.parse(receiver: duplicated, sender: sender).get().lost == 5)
    }

    @Test func withoutSequenceHeadersLossIsSentMinusReceived() throws {
        let receiver = try #require(JSONValue(parsing: #"{"type":"summary","packets":70,"threads":[70]}"#))
        let sender = try #require(JSONValue(parsing: #"{"type":"summary","packets":100,"seconds":1.0}"#))
        let m = try TrialMeasurement.parse(receiver: receiver, sender: sender).get()
        #expect(m.lost == 30)
        #expect(m.drops == DropCounts())
        let broken = try #require(JSONValue(parsing: #"{"type":"summary"}"#))
        #expect(throws: RunError.self) { try TrialMeasurement.parse(receiver: broken, sender: sender).get() }
        #expect(throws: RunError.self) { try TrialMeasurement.parse(receiver: receiver, sender: broken).get() }
    }

    func result(_ outcome: LabOutcome) -> LabResult {
        let experiment = LabExperiment(name: "reuseport", title: "SO_REUSEPORT", shows: "the article: 1.1M pps",
                                       receiver: ["recv", "0.0.0.0:4321", "--reuseport"], sender: ["send", "127.0.0.1:4321"],
                                       missing: [], notes: ["too few CPUs"])
        return LabResult(experiment: experiment, receiverArgv: ["mpps"] + experiment.receiver,
                         senderArgv: ["ip", "netns", "exec", "mpps-1-tx", "mpps"] + experiment.sender, outcome: outcome)
    }

    @Test func anExperimentAsJSON() throws {
        let line = LabReport.json(result(.measured(try measurement()))).rendered
        #expect(line == #"{"type":"experiment","name":"reuseport","title":"SO_REUSEPORT","#
            + #""sender":["ip","netns","exec","mpps-1-tx","mpps","send","127.0.0.1:4321"],"#
            + #""receiver":["mpps","recv","0.0.0.0:4321","--reuseport"],"#
            + #""received_pps":450.0,"sent_pps":500.0,"sent":1000,"received":900,"lost":100,"sequence_lost":100,"loss":0.100000,"#
            + #""drops":{"socket":94,"rcvbuf_errors":94,"in_errors":94,"mem_errors":0,"no_ports":0,"backlog":6},"#
            + #""threads":[600,300],"shares":[0.6667,0.3333],"incoming_cpus":[0,-1],"cpu_ns_per_datagram":null,"findings":[],"#
            + #""notes":["too few CPUs"]}"#)
        #expect(JSONValue(parsing: line) != nil)
        #expect(LabReport.json(result(.skipped("not available"))).rendered == #"{"type":"experiment","name":"reuseport","title":"SO_REUSEPORT","#
            + #""sender":["ip","netns","exec","mpps-1-tx","mpps","send","127.0.0.1:4321"],"#
            + #""receiver":["mpps","recv","0.0.0.0:4321","--reuseport"],"skipped":"not available","notes":["too few CPUs"]}"#)
        #expect(LabReport.json(result(.failed("it broke"))).rendered.contains(#","error":"it broke","#) == true)
    }

    @Test func theSummaryAsJSON() throws {
        let results = [result(.measured(try measurement())), result(.skipped("no")), result(.failed("x"))]
        let line = LabReport.summaryJSON(results, planned: 11, seconds: 12.5, place: "loopback", cpus: [0, 1],
                                         notes: ["a note"], stop: "done").rendered
        #expect(line == #"{"type":"summary","experiments":11,"completed":1,"skipped":1,"failed":1,"seconds":12.500,"#
            + #""place":"loopback","cpus":"0-1","best":{"name":"reuseport","received_pps":450.0},"notes":["a note"],"stop":"done"}"#)
    }

    @Test func anExperimentAsText() throws {
        let text = LabReport.text(result(.measured(try measurement())), index: 6, count: 11)
        #expect(text == """
        6/11 reuseport: SO_REUSEPORT
          $ mpps recv 0.0.0.0:4321 --reuseport
          $ ip netns exec mpps-1-tx mpps send 127.0.0.1:4321
          = 0.000M pps received of 0.001M sent; lost 100 (10.00%): 94 at the socket (buffer full), 6 from a CPU's backlog (netdev_max_backlog); per thread 67/33 %; incoming CPU per socket 0/?
          the article: 1.1M pps
          cannot show here: too few CPUs

        """)
    }

    @Test func anExperimentWithCPUSharesAndFindings() throws {
        let receiver = try #require(JSONValue(parsing: Self.receiverLine.replacingOccurrences(of: #""incoming_cpus":[0,-1],"#, with:
            #""cpus":[{"cpu":0,"user":0.0100,"system":0.0900,"softirq":0.9000,"irq":0,"iowait":0,"steal":0,"idle":0},"#
            + #"{"cpu":"x"},{"cpu":2,"user":2,"system":0,"softirq":0,"irq":0,"iowait":0,"steal":0,"idle":0},"#
            + #"{"cpu":1,"user":0.2000,"system":0.3000,"softirq":0,"irq":0,"iowait":0,"steal":0,"idle":0.5000}],"#
            + #""cpu_ns_per_datagram":412.5,"findings":["cpu0 is 90% in softirq", 7],"#)))
        let sender = try #require(JSONValue(parsing: Self.senderLine))
        let m = try TrialMeasurement.parse(receiver: receiver, sender: sender).get()
        // The entry without a CPU number and the one whose share is no fraction are left out; so is a finding that is no string.
        #expect(m.cpus == [CPUShare(cpu: 0, user: 0.01, system: 0.09, softirq: 0.9), CPUShare(cpu: 1, user: 0.2, system: 0.3, idle: 0.5)])
        #expect(m.findings == ["cpu0 is 90% in softirq"])
        #expect(m.cpuNanosecondsPerDatagram == 412.5)
        let text = LabReport.text(result(.measured(m)), index: 6, count: 11)
        #expect(text.contains("\n  cpu: cpu0 si 90% sys 9% usr 1% | cpu1 sys 30% usr 20%; receiving threads 412.5 ns per datagram\n"
            + "  finding: cpu0 is 90% in softirq\n"))
        let line = LabReport.json(result(.measured(m))).rendered
        #expect(line.contains(#""cpus":[{"cpu":0,"user":0.0100,"system":0.0900,"softirq":0.9000,"irq":0.0000,"iowait":0.0000,"steal":0.0000,"idle":0.0000},"#
            + #"{"cpu":1,"user":0.2000,"system":0.3000,"softirq":0.0000,"irq":0.0000,"iowait":0.0000,"steal":0.0000,"idle":0.5000}],"#
            + #""cpu_ns_per_datagram":412.5,"findings":["cpu0 is 90% in softirq"],"notes""#))
    }

    @Test func theClosingTable() throws {
        var big = try measurement()
        big.sent = 2_000_000
        big.received = 1_500_000
        big.drops = DropCounts(socket: 500_000)
        let table = LabReport.table([result(.measured(big)), result(.skipped("not available in this build (needs mpps recv --steer)"))])
        #expect(table == """
        experiment  received      sent      lost  per thread %   drops
        reuseport     0.750M    1.000M    500.0k  67/33          500.0k at the socket (buffer full)
        reuseport   not run: not available in this build (needs mpps recv --steer)

        """)
    }

    @Test func anNDRTrialsVerdict() {
        let full = TrialMeasurement(sent: 100_000, senderSeconds: 0.5, received: 100_000, threadPackets: [100_000])
        let pass = NDRTrial(number: 3, phase: .search, offered: 200_000, expected: 100_000, measurement: full, loss: 0)
        #expect(pass.passed && pass.limit == nil)
        #expect(pass.text == "trial 3      offered 0.200M  sent 0.200M  received 0.200M  lost 0 (0%)  pass: loss 0% within 0%")
        #expect(pass.json.rendered == #"{"type":"trial","number":3,"phase":"search","offered":200000.0,"expected":100000,"#
            + #""sent":100000,"received":100000,"lost":0,"sequence_lost":null,"loss":0.000000,"sent_pps":200000.0,"received_pps":200000.0,"#
            + #""drops":{"socket":0,"rcvbuf_errors":0,"in_errors":0,"mem_errors":0,"no_ports":0,"backlog":0},"#
            + #""socket_drops":0,"other_drops":0,"passed":true,"limit":null,"reason":"loss 0% within 0%"}"#)

        var short = full
        short.sent = 80_000
        short.received = 80_000
        let sender = NDRTrial(number: 1, phase: .search, offered: 400_000, expected: 200_000, measurement: short, loss: 0)
        #expect(sender.limit == .sender)
        #expect(sender.reason == "the sender offered only 0.160M/s (80000 of 200000 datagrams in time)")

        var lossy = full
        lossy.received = 99_000
        lossy.drops.socket = 1_000
        #expect(NDRTrial(number: 2, phase: .confirm, offered: 200_000, expected: 100_000, measurement: lossy, loss: 0.01).passed)
        let failed = NDRTrial(number: 2, phase: .confirm, offered: 200_000, expected: 100_000, measurement: lossy, loss: 0.001)
        #expect(failed.limit == .loss)
        #expect(failed.text == "confirm (2)  offered 0.200M  sent 0.200M  received 0.198M  lost 1000 (1.00%): 1.0k at the socket (buffer full)  FAIL: lost 1.00%, more than 0.10%")
    }

    @Test func theNDRSummary() {
        let ok = TrialMeasurement(sent: 100, senderSeconds: 1, received: 100, threadPackets: [100])
        var short = ok
        short.sent = 50
        var options = NDROptions()
        options.maximum = 400_000
        let trials = [NDRTrial(number: 1, phase: .search, offered: 400_000, expected: 100, measurement: short, loss: 0),
                      NDRTrial(number: 2, phase: .search, offered: 205_000, expected: 100, measurement: ok, loss: 0),
                      NDRTrial(number: 3, phase: .confirm, offered: 205_000, expected: 100, measurement: ok, loss: 0)]
        let outcome = NDROutcome(result: NDRSearch.Result(rate: 205_000, confirmed: true), trials: trials, options: options)
        #expect(outcome.limitedBy == .sender)
        #expect(outcome.json.rendered == #"{"type":"summary","rate":205000.0,"loss":0.000000,"trials":3,"confirmed":true,"#
            + #""max_loss":0.000000,"min":10000.0,"max":400000.0,"limited_by":"sender","stop":"done"}"#)
        #expect(outcome.text.hasPrefix("result: 0.205M datagrams/s with loss at most 0%, confirmed by a second trial (3 trials)\n"
            + "  above it the sender could not offer the rate"))
        let none = NDROutcome(result: NDRSearch.Result(rate: 0, confirmed: false), trials: [trials[0]], options: options)
        #expect(none.text.hasPrefix("result: 0 — no rate without loss: even --min 10.0k failed"))
        let stopped = NDROutcome(result: nil, trials: Array(trials.prefix(2)), options: options)
        #expect(stopped.text == "stopped by a signal after 2 trials; the best rate that passed was 0.205M/s, unconfirmed\n")
        #expect(stopped.json.rendered.hasSuffix(#""stop":"signal"}"#))
    }
}
