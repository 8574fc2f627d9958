import Testing
@testable import Engine
import PacketIO
import Reporting

/// `mpps ping --sockperf`'s judge: a reply from the target counts only with sockperf's
/// header exactly as sockperf's server returns the request's (the client flag cleared).
@Suite struct PingSockperfTests {
    static let target = SocketAddress(ipv4: 127, 0, 0, 1, port: 11111)
    static let now: UInt64 = 1 << 41

    /// Request `sequence` of a closed loop as `PingSendPart` writes it with `--sockperf`, 46 bytes.
    static func request(_ sequence: UInt64) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 46)
        let header = PingHeader(flow: 0, token: 0x1234_5678, sequence: sequence, intended: now - 1000, actual: now - 1000)
        bytes.withUnsafeMutableBytes { buffer in
            SockperfHeader.writeRequest(sequence: sequence, length: buffer.count, to: buffer)
            header.write(to: UnsafeMutableRawBufferPointer(rebasing: buffer[SockperfHeader.size...]))
        }
        return bytes
    }

    /// A request as sockperf's server answers it: the client flag (bit 0 of the flags' low byte) cleared.
    static func answer(_ sequence: UInt64) -> [UInt8] {
        var bytes = request(sequence)
        bytes[9] &= ~1
        return bytes
    }

    @Test func onlyTheServersAnswerCompletesARequest() {
        let counters = WordCounters(count: 1, words: PingCount.words)
        let window = WordCounters(count: 1, words: 1024)
        var tracker = PingTracker(token: 0x1234_5678, flow: 0, payload: 32, target: Self.target, timeout: 1_000_000_000,
                                  schedule: nil, answered: window.slot(0), slot: counters.slot(0))
        func judge(_ bytes: [UInt8], from source: SocketAddress = Self.target) -> PingTracker.Verdict {
            bytes.withUnsafeBytes { tracker.judge(sockperf: $0, source: source, now: Self.now, sent: 10) }
        }
        #expect(Self.request(3)[0..<14] == [0, 0, 0, 0, 0, 0, 0, 3, 0, 3, 0, 0, 0, 46])
        #expect(judge(Self.request(3)) == .forged, "the client flag still set: a plain echo's reply")
        var otherSequence = Self.answer(3)
        otherSequence[7] = 4
        #expect(judge(otherSequence) == .forged)
        var otherLength = Self.answer(3)
        otherLength[13] = 47
        #expect(judge(otherLength) == .forged)
        var warmUp = Self.answer(3)
        warmUp[9] |= 4
        #expect(judge(warmUp) == .forged, "a flag sockperf's server never sets")
        #expect(judge(Array(Self.answer(3).prefix(13))) == .forged)
        #expect(judge(Array(Self.answer(3).prefix(14))) == .forged)
        #expect(judge(Self.answer(3) + [0]) == .forged, "one byte longer than the requests")
        #expect(judge(Self.answer(3), from: SocketAddress(ipv4: 127, 0, 0, 1, port: 11112)) == .wrongSource)
        #expect(judge(Self.answer(3)) == .reply(3))
        #expect(judge(Self.answer(3)) == .duplicate)
        #expect(judge(Self.answer(10)) == .forged, "a sequence not sent yet")
        let totals = PingTotals(slots: [counters.slot(0).read()])
        #expect(totals[.replies] == 1)
        #expect(totals[.forged] == 8)
        #expect(totals[.wrongSource] == 1)
        #expect(totals[.duplicates] == 1)
    }
}
