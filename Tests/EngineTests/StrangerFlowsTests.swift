import PacketIO
import SeededRandom
import Testing
@testable import Engine
@testable import Reporting

/// Without a flow key, strangers who send mpps's header in made-up flows, before
/// and during a real flow, can neither hide the real flow nor invent a loss:
/// the real flow keeps its exact account, and `lost` holds only what flows that
/// showed evidence miss after their first datagram seen.
@Suite struct StrangerFlowsTests {
    /// Feeds datagrams to a tally, each with its source's sockaddr bytes.
    struct Feeder: ~Copyable {
        var tally: Tally
        var datagram = [UInt8](repeating: 0, count: 24)
        var headers = 0
        /// Datagrams the tally called data when they were an end marker, or the other way round.
        var wrongAnswers = 0

        init(trackedFlows: Int = FlowTable.trackedFlows) {
            tally = Tally(hostTag: 1, trackedFlows: trackedFlows, seed: 42)
        }

        mutating func send(_ kind: SequenceHeader.Kind, flow: UInt32, _ sequence: UInt64, from source: [UInt8]) {
            datagram.withUnsafeMutableBytes {
                _ = SequenceHeader(kind: kind, hostTag: 2, flow: flow, sequence: sequence, sendTime: nil).write(to: $0)
            }
            headers += 1
            let answer = datagram.withUnsafeBytes { bytes in source.withUnsafeBytes { tally.countHeader(bytes, source: $0.baseAddress) } }
            if answer != (kind == .data) { wrongAnswers += 1 }
        }
    }

    static func sockaddr(_ text: String) -> [UInt8] {
        let address = try! SocketAddress(parsing: text)
        var bytes = [UInt8](repeating: 0, count: 128)
        address.withUnsafeSockaddr { pointer, length in
            bytes.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: Int(length))) }
        }
        return bytes
    }

    /// A receiver records sources only while a flow with a place lacks one: a flow
    /// admitted from datagrams without sources makes the tally want them, the first
    /// datagram with one gives the flow its source, and then the tally wants none.
    @Test func aFlowAdmittedWithoutItsSourceGetsItFromItsNextDatagram() {
        var tally = Tally(hostTag: 1, seed: 7)
        var wanted: [Bool] = []
        var datagram = [UInt8](repeating: 0, count: 24)
        let address = Self.sockaddr("127.0.0.1:5000")
        func feed(_ sequence: UInt64, withSource: Bool) {
            datagram.withUnsafeMutableBytes {
                _ = SequenceHeader(kind: .data, hostTag: 2, flow: 77, sequence: sequence, sendTime: nil).write(to: $0)
            }
            _ = datagram.withUnsafeBytes { bytes in
                address.withUnsafeBytes { tally.countHeader(bytes, source: withSource ? $0.baseAddress : nil) }
            }
        }
        wanted.append(tally.wantsSources)
        for sequence in 0..<UInt64(FlowCandidates.evidence) { feed(sequence, withSource: false) }
        wanted.append(tally.wantsSources)
        #expect(tally.result().flows.map(\.source) == [nil])
        feed(4, withSource: false)
        wanted.append(tally.wantsSources)
        feed(5, withSource: true)
        wanted.append(tally.wantsSources)
        let flows = tally.result().flows
        #expect(flows.map(\.source) == [try! SocketAddress(parsing: "127.0.0.1:5000")])
        #expect(flows.map(\.unique) == [6])
        #expect(wanted == [false, true, true, false])
    }

    /// An evicted flow that never had its source no longer makes the tally want sources.
    @Test func anEvictedFlowWithoutASourceWantsNoMore() {
        var feeder = Feeder(trackedFlows: 1)
        var wanted: [Bool] = []
        let address = Self.sockaddr("[::1]:6000")
        func feed(_ flow: UInt32, _ sequence: UInt64, from source: [UInt8]?) {
            feeder.datagram.withUnsafeMutableBytes {
                _ = SequenceHeader(kind: .data, hostTag: 2, flow: flow, sequence: sequence, sendTime: nil).write(to: $0)
            }
            _ = feeder.datagram.withUnsafeBytes { bytes in
                (source ?? []).withUnsafeBytes { feeder.tally.countHeader(bytes, source: source == nil ? nil : $0.baseAddress) }
            }
        }
        for sequence in 0..<UInt64(FlowCandidates.evidence) { feed(1, sequence, from: nil) }
        wanted.append(feeder.tally.wantsSources)
        // The table holds one flow: flow 2, with its source, evicts flow 1 once the
        // hand has seen flow 1 quiet for a sweep.
        var sequence: UInt64 = 0
        while feeder.tally.result().evicted.flows == 0 && sequence < 64 {
            feed(2, sequence, from: address)
            sequence += 1
        }
        #expect(feeder.tally.result().evicted.flows == 1)
        wanted.append(feeder.tally.wantsSources)
        let flows = feeder.tally.result().flows
        #expect(flows.map(\.flow) == [2])
        #expect(flows.map(\.source) == [try! SocketAddress(parsing: "[::1]:6000")])
        #expect(wanted == [true, false])
    }

    /// Made-up flows: each sends `datagrams` headers, of one of five kinds, from
    /// a stranger's address; `live` of them at a time, interleaved.
    struct Strangers {
        enum Kind: CaseIterable { case random, inOrder, short, forgedEnd, fromZero }
        struct Flow { var id: UInt32; var kind: Kind; var start: UInt64; var sent: Int }
        var random: SplitMix
        let salt: UInt32
        var live: [Flow] = []
        var made = 0
        let source: [UInt8]
        let avoid: UInt32

        init(seed: UInt64, source: [UInt8], avoid: UInt32, live count: Int = 1000) {
            random = SplitMix(state: seed)
            salt = UInt32(truncatingIfNeeded: seed &* 0x9E37_79B9_7F4A_7C15)
            self.source = source
            self.avoid = avoid
            for _ in 0..<count { live.append(newFlow()) }
        }

        mutating func newFlow() -> Flow {
            made += 1
            // Distinct ids (an odd multiplier is a bijection), none the real flow's.
            var id = UInt32(truncatingIfNeeded: made) &* 0x9E37_79B1 ^ salt
            if id == avoid { id = ~id }
            let kind = Kind.allCases[Int(random.below(UInt64(Kind.allCases.count)))]
            return Flow(id: id, kind: kind, start: random.below(1 << 20), sent: 0)
        }

        /// The next stranger header, into `feeder`.
        mutating func sendOne(into feeder: inout Feeder) {
            let slot = Int(random.below(UInt64(live.count)))
            var flow = live[slot]
            switch flow.kind {
            case .random:
                feeder.send(.data, flow: flow.id, random.below(1 << 20), from: source)
            case .inOrder:
                // Looks like a flow that began before the receiver did, then stops.
                feeder.send(.data, flow: flow.id, flow.start + UInt64(flow.sent), from: source)
            case .short:
                feeder.send(.data, flow: flow.id, UInt64(flow.sent), from: source)
            case .forgedEnd:
                if flow.sent % 2 == 0 {
                    feeder.send(.data, flow: flow.id, flow.start, from: source)
                } else {
                    feeder.send(.endOfFlow, flow: flow.id, flow.start + random.below(3), from: source)
                }
            case .fromZero:
                feeder.send(.data, flow: flow.id, UInt64(flow.sent), from: source)
            }
            flow.sent += 1
            let length = flow.kind == .short ? 3 : 10
            live[slot] = flow.sent >= length ? newFlow() : flow
        }
    }

    /// The real sender: 20,000 datagrams of flow `id`, with 20 lost (every 1000th),
    /// 10 swapped pairs (10 late) and 5 repeats, then its three end markers.
    static func realFlow() -> [(SequenceHeader.Kind, UInt64)] {
        var sequence: [(SequenceHeader.Kind, UInt64)] = []
        var number: UInt64 = 0
        while number < 20_000 {
            if number % 1000 == 500 { number += 1; continue }                        // lost
            if number % 2000 == 700 { sequence += [(.data, number + 1), (.data, number)]; number += 2; continue }  // late
            sequence.append((.data, number))
            if number % 4000 == 3 { sequence.append((.data, number)) }                // repeated
            number += 1
        }
        return sequence + [(.endOfFlow, 20_000), (.endOfFlow, 20_000), (.endOfFlow, 20_000)]
    }

    static let realID: UInt32 = 0xC0DE_F10E
    static let expectedReal = FlowSummary(flow: realID, unique: 19_980, duplicates: 5, reordered: 10, highest: 19_999, sent: 20_000)

    /// Strangers send `before` headers, then the real flow's datagrams with
    /// `perReal` stranger headers before each; the real flow's account and the run's loss.
    func run(real source: String, strangers strangerSource: String, before: Int, perReal: Int,
             seed: UInt64) -> (real: FlowSummary?, report: SequenceReport, totals: SequenceTotals, strangers: Int, headers: Int) {
        var feeder = Feeder()
        var strangers = Strangers(seed: seed, source: Self.sockaddr(strangerSource), avoid: Self.realID)
        for _ in 0..<before { strangers.sendOne(into: &feeder) }
        let realBytes = Self.sockaddr(source)
        for (kind, sequence) in Self.realFlow() {
            for _ in 0..<perReal { strangers.sendOne(into: &feeder) }
            feeder.send(kind, flow: Self.realID, sequence, from: realBytes)
        }
        let result = feeder.tally.result()
        let report = SequenceReport([result])
        #expect(feeder.wrongAnswers == 0)
        return (report.flows.first { $0.flow == Self.realID }, report, feeder.tally.totals, strangers.made, feeder.headers)
    }

    func expectExact(_ outcome: (real: FlowSummary?, report: SequenceReport, totals: SequenceTotals, strangers: Int, headers: Int),
                     source: String, sourceLocation: SourceLocation = #_sourceLocation) {
        var expected = Self.expectedReal
        expected.source = try! SocketAddress(parsing: source)
        #expect(outcome.real == expected, sourceLocation: sourceLocation)
        #expect(outcome.real?.lost == 20, sourceLocation: sourceLocation)
        // No made-up flow claims a loss: in-order ones miss nothing after their first datagram,
        // random ones never earn a place, and their unseen starts are apart.
        #expect(outcome.report.lost == 20, "\(outcome.report.lost)", sourceLocation: sourceLocation)
        #expect(outcome.totals.lost == 20, sourceLocation: sourceLocation)
        #expect(outcome.report.unseenStart > 0 && outcome.report.unjudged > 0, sourceLocation: sourceLocation)
        #expect(outcome.report.busiestFlows(1).first?.flow == Self.realID, sourceLocation: sourceLocation)
    }

    @Test func aMillionStrangerHeadersBeforeTheRealFlow() {
        let outcome = run(real: "127.0.0.1:40000", strangers: "127.0.0.9:9", before: 1_000_000, perReal: 0, seed: 1)
        #expect(outcome.strangers >= 100_000 && outcome.headers >= 1_000_000, "\(outcome.strangers) flows, \(outcome.headers)")
        expectExact(outcome, source: "127.0.0.1:40000")
    }

    @Test func strangersBeforeAndDuring() {
        let outcome = run(real: "127.0.0.1:40000", strangers: "127.0.0.9:9", before: 500_000, perReal: 25, seed: 2)
        #expect(outcome.strangers >= 100_000 && outcome.headers >= 1_000_000, "\(outcome.strangers) flows, \(outcome.headers)")
        expectExact(outcome, source: "127.0.0.1:40000")
        #expect(outcome.report.evictedFlows > 0, "the made-up flows that earned a place went quiet and gave it up")
    }

    @Test func ipv6StrangersBeforeAndDuring() {
        let outcome = run(real: "[2001:db8::7]:40000", strangers: "[2001:db8::66]:9", before: 500_000, perReal: 25, seed: 3)
        #expect(outcome.strangers >= 100_000 && outcome.headers >= 1_000_000)
        expectExact(outcome, source: "[2001:db8::7]:40000")
    }

    @Test func forgedEndsOnTheRealFlowChangeNothing() {
        var feeder = Feeder()
        let real = Self.sockaddr("127.0.0.1:40000"), stranger = Self.sockaddr("127.0.0.9:9")
        // An end before any data, a larger one mid-flow, a smaller one after the real end.
        feeder.send(.endOfFlow, flow: Self.realID, 5, from: stranger)
        for (index, (kind, sequence)) in Self.realFlow().enumerated() {
            if index == 10_000 { feeder.send(.endOfFlow, flow: Self.realID, 1_000_000, from: stranger) }
            feeder.send(kind, flow: Self.realID, sequence, from: real)
        }
        feeder.send(.endOfFlow, flow: Self.realID, 19_000, from: stranger)
        feeder.send(.endOfFlow, flow: Self.realID, 30_000, from: stranger)
        let result = feeder.tally.result()
        var expected = Self.expectedReal
        expected.source = try! SocketAddress(parsing: "127.0.0.1:40000")
        #expect(result.flows == [expected])
        #expect(SequenceReport([result]).lost == 20)
        #expect(result.implausible == 4, "the end before data, the larger two and the one below what arrived")
    }

    @Test func shortInOrderMadeUpFlowsClaimNothing() {
        // 200,000 made-up flows of 1 to 3 datagrams in order from 0, then the real flow.
        var feeder = Feeder()
        let stranger = Self.sockaddr("127.0.0.9:9")
        var unjudged: UInt64 = 0
        for flow in 0..<200_000 {
            let id = UInt32(flow) &* 0x9E37_79B1 ^ 0x5A5A_5A5A
            let length = 1 + flow % 3
            for sequence in 0..<length { feeder.send(.data, flow: id, UInt64(sequence), from: stranger) }
            unjudged += UInt64(length)
        }
        for (kind, sequence) in Self.realFlow() { feeder.send(kind, flow: Self.realID, sequence, from: Self.sockaddr("127.0.0.1:40000")) }
        let report = SequenceReport([feeder.tally.result()])
        #expect(report.flows.map(\.flow) == [Self.realID])
        #expect(report.lost == 20)
        #expect(report.unjudged == unjudged)
        #expect(report.unjudgedFlows == 200_000)
        #expect(report.unseenStart == 0)
    }

    @Test func aFlowFirstSeenLateClaimsNoLoss() {
        // The issue's case: one-datagram flows first seen at s claimed s lost.
        var feeder = Feeder()
        let stranger = Self.sockaddr("127.0.0.9:9")
        for flow in 0..<UInt32(1000) { feeder.send(.data, flow: flow &* 2_654_435_761, UInt64(flow) * 1000, from: stranger) }
        // A flow that began before the receiver: first seen at 5000, in order, then its end.
        for sequence in 5000..<5010 { feeder.send(.data, flow: 77, UInt64(sequence), from: stranger) }
        feeder.send(.endOfFlow, flow: 77, 5010, from: stranger)
        let report = SequenceReport([feeder.tally.result()])
        #expect(report.lost == 0)
        #expect(report.unjudged == 1000 && report.unjudgedFlows == 1000)
        #expect(report.unseenStartFlows == 1 && report.unseenStart == 5000)
        #expect(report.flows.map(\.expected) == [10])
    }

    @Test func aShortRealFlowEarnsItsPlaceWithItsEnd() {
        var feeder = Feeder()
        let source = Self.sockaddr("127.0.0.1:40000")
        for sequence: UInt64 in [0, 1, 2] { feeder.send(.data, flow: 5, sequence, from: source) }
        feeder.send(.endOfFlow, flow: 5, 3, from: source)
        // An end proves nothing: one past a broken run admits no flow (it would claim a loss).
        feeder.send(.data, flow: 6, 0, from: source)
        feeder.send(.data, flow: 6, 2, from: source)
        feeder.send(.endOfFlow, flow: 6, 3, from: source)
        let result = feeder.tally.result()
        let report = SequenceReport([result])
        #expect(report.flows == [FlowSummary(flow: 5, unique: 3, duplicates: 0, reordered: 0, highest: 2, sent: 3,
                                             source: try! SocketAddress(parsing: "127.0.0.1:40000"))])
        #expect(report.lost == 0)
        #expect(report.unjudged == 2 && report.unjudgedFlows == 1)
        #expect(result.implausible == 1)
    }

    @Test func anEndClaimsNoLongerATailThanTheFlowDelivered() {
        var feeder = Feeder()
        let source = Self.sockaddr("127.0.0.9:9")
        for sequence in 0..<10 { feeder.send(.data, flow: 8, UInt64(sequence), from: source) }
        feeder.send(.endOfFlow, flow: 8, 1_000_000, from: source)
        feeder.send(.endOfFlow, flow: 8, 21, from: source)
        feeder.send(.endOfFlow, flow: 8, 20, from: source)
        let result = feeder.tally.result()
        #expect(result.implausible == 2, "tails of 999,990 and of 11 for 10 delivered")
        #expect(result.flows.map(\.sent) == [20])
        #expect(SequenceReport([result]).lost == 10)
    }

    @Test func evictionKeepsTheTotalsAndTheProbeRuns() {
        // A table of 8: 200 in-order flows of 6 datagrams come and go; the totals,
        // evicted flows included, stay the sums of the accounts, and each flow stays findable.
        var feeder = Feeder(trackedFlows: 8)
        let source = Self.sockaddr("127.0.0.9:9")
        for flow in 0..<UInt32(200) {
            for sequence in 0..<6 { feeder.send(.data, flow: flow, UInt64(100 + sequence * 2), from: source) }
        }
        let result = feeder.tally.result()
        #expect(result.flows.count == 8)
        #expect(result.evicted.flows == 192)
        var totals = result.evicted
        for flow in result.flows { totals.add(flow) }
        #expect(totals.unique == 1200 && totals.lost == 1000 && totals.unseenStart == 20_000)
        #expect(feeder.tally.totals.lost == 1000)
        #expect(feeder.tally.totals.unique == 1200)
    }

    @Test func aProvenFlowIsNeverEvicted() {
        var feeder = Feeder(trackedFlows: 2)
        let source = Self.sockaddr("127.0.0.1:40000")
        for sequence in 0..<1024 { feeder.send(.data, flow: 1, UInt64(sequence), from: source) }
        // The real flow goes quiet; 500 made-up in-order flows come and go.
        for flow in 2..<UInt32(502) {
            for sequence in 0..<4 { feeder.send(.data, flow: flow, UInt64(sequence), from: source) }
        }
        feeder.send(.endOfFlow, flow: 1, 1024, from: source)
        let result = feeder.tally.result()
        #expect(result.flows.contains { $0.flow == 1 && $0.unique == 1024 && $0.sent == 1024 })
        #expect(result.evicted.flows == 499)
    }

    @Test func jsonListsTheBusiestFlows() {
        let flows = (1...20).map { FlowSummary(flow: UInt32($0), unique: UInt64($0), duplicates: 0, reordered: 0, highest: UInt64($0), sent: nil) }
            + [FlowSummary(flow: 99, unique: 100, duplicates: 1, reordered: 2, highest: 101, sent: 103,
                           source: try! SocketAddress(parsing: "[::1]:4000"))]
        let report = SequenceReport(flows: flows, latency: LatencyHistogram(), untracked: 0, endMarkers: 1, trackedFlowsPerThread: 3072)
        let accounts = report.json["flow_accounts"]?.array ?? []
        #expect(accounts.count == 16)
        #expect(accounts.first.map { JSONValue.array([$0]).rendered }
            == #"[{"flow":99,"source":"[::1]:4000","received":100,"lost":3,"reordered":2,"duplicates":1,"sent":103}]"#)
        #expect(accounts.last.map { JSONValue.array([$0]).rendered }
            == #"[{"flow":6,"source":null,"received":6,"lost":1,"reordered":0,"duplicates":0,"sent":null}]"#)
        var summary = RunSummary(total: CounterSnapshot(packets: 311), seconds: 1, meanPacketsPerSecond: 3, minPacketsPerSecond: 3,
                                 maxPacketsPerSecond: 3, threads: [CounterSnapshot(packets: 311)], reason: .signal)
        summary.sequences = report
        let text = HumanSink.summaryText(summary, verb: "received")
        #expect(text.contains("         flow 99 from [::1]:4000: 100 received, 3 lost, 2 reordered, 1 duplicates, 103 sent\n"
                              + "         flow 20 from an unrecorded source: 20 received, 1 lost, 0 reordered, 0 duplicates, no end\n"), "\(text)")
    }
}

