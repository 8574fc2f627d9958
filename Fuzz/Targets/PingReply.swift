// The ping's judgement of what reaches its socket (Engine's PingTracker): any run of
// datagrams, as an echo, a stranger or a forger could send them. No trap, and the
// account keeps its rules: every datagram is one verdict, a request is completed at
// most once and only if it was sent. The first byte chooses an open (odd) or closed
// loop, whether the datagrams come from the target (bit 1 clear) and whether they are
// judged as `--sockperf` replies (bit 2: sockperf's 14-byte header first, then ping's);
// then each datagram is a length byte (0-63, so 32 is a whole header, 46 both) and that many bytes.
import Engine
import PacketIO
import Reporting

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let (selector, rest) = FuzzInput(data, size).selectorAndRest else { return 0 }
    let target = SocketAddress(ipv4: 127, 0, 0, 1, port: 4321)
    let source = selector & 2 == 0 ? target : SocketAddress(ipv4: 127, 0, 0, 1, port: 4322)
    let schedule = selector & 1 == 1 ? Pacer(rate: 1e6, maximumBurst: 64, start: 1000) : nil
    let sockperf = selector & 4 != 0
    let counters = WordCounters(count: 1, words: PingCount.words)
    let window = WordCounters(count: 1, words: 1024)  // 65536 sequences
    var tracker = PingTracker(token: 0x1234_5678, flow: 0, payload: 32, target: target, timeout: 1_000_000,
                              schedule: schedule, answered: window.slot(0), slot: counters.slot(0))
    let sent: UInt64 = 1 << 40
    let now: UInt64 = 1 << 41
    var completed = Set<UInt64>()
    var datagrams: UInt64 = 0
    let bytes = rest.bytes
    var offset = 0
    while offset < bytes.count {
        let length = Int(bytes[offset] & 63)
        offset += 1
        let end = min(offset + length, bytes.count)
        datagrams += 1
        let datagram = UnsafeRawBufferPointer(rebasing: bytes[offset..<end])
        let verdict = sockperf ? tracker.judge(sockperf: datagram, source: source, now: now, sent: sent)
            : tracker.judge(datagram, source: source, now: now, sent: sent)
        switch verdict {
        case .reply(let sequence), .late(let sequence):
            require(sequence < sent, "only a request sent is completed")
            if sockperf {
                require(datagram.count == 46 && datagram[8] == 0 && datagram[9] == 2, "a sockperf reply has the server's flags")
                require(datagram.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } == sequence, "and its request's sequence")
            }
            require(completed.insert(sequence).inserted, "a request is completed once: \(sequence)")
        case .wrongSource: require(source != target, "only a stranger's datagram is from the wrong source")
        default: break
        }
        offset = end
    }
    let totals = PingTotals(slots: [counters.slot(0).read()])
    let verdicts = [PingCount.replies, .late, .duplicates, .wrongSource, .forged, .stale].map { totals[$0] }.reduce(0, +)
    require(verdicts == datagrams, "one verdict per datagram: \(verdicts) for \(datagrams)")
    require(totals[.replies] + totals[.late] == UInt64(completed.count), "replies and late ones are the requests completed")
    require(totals.intended.total == totals[.replies] && totals.actual.total == totals[.replies], "one RTT per reply in each histogram")
    return 0
}
