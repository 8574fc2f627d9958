#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PacketIO
import Testing

/// Issue 21, end to end: `mpps recv` without `--flow-key`, strangers sending
/// mpps's header in made-up flows before and during a real `mpps send`. The real
/// flow keeps its exact account in `flow_accounts`, no made-up flow adds to
/// `lost`, and the receiver's memory does not grow with the made-up flows.
@Suite(.serialized) struct StrangerFlowsCLITests {
    /// Sends `flows` made-up flows of 5 headers each to `target`, in turns of 64
    /// flows 4 ms apart (80,000 headers a second at most, which a receiver under the
    /// sanitizers keeps up with); returns the data datagrams sent.
    static func strangers(to target: SocketAddress, flows: Range<UInt32>, salt: UInt32) throws -> Int {
        let socket = try UDPSocket(family: target.family)
        var payload = [UInt8](repeating: 0, count: 32)
        var data = 0
        var random = SystemRandomNumberGenerator()
        func send(_ kind: SequenceHeader.Kind, _ flow: UInt32, _ sequence: UInt64) throws {
            payload.withUnsafeMutableBytes { _ = SequenceHeader(kind: kind, hostTag: 0, flow: flow, sequence: sequence, sendTime: nil).write(to: $0) }
            try payload.withUnsafeBytes { _ = try socket.send($0, to: target) }
            if kind == .data { data += 1 }
        }
        for group in stride(from: flows.lowerBound, to: flows.upperBound, by: 64) {
            for step in 0..<5 {
                for index in group..<min(group + 64, flows.upperBound) {
                    let flow = index &* 0x9E37_79B1 ^ salt
                    let start = UInt64(index % 1000) * 1000
                    switch index % 4 {
                    case 0: try send(.data, flow, UInt64.random(in: 0..<(1 << 20), using: &random))       // random numbers
                    case 1: try send(.data, flow, start + UInt64(step))                                   // in order, then quiet
                    case 2: if step < 2 { try send(.data, flow, UInt64(step)) }                           // too short to judge
                    default: try send(step == 4 ? .endOfFlow : .data, flow, step == 4 ? start + 1000 : start + UInt64(step))  // a forged end
                    }
                }
            }
            usleep(4000)
        }
        return data
    }

    static func residentKiB(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
    }

    func realFlowKeepsItsAccount(host: String, target: (UInt16) throws -> SocketAddress, family: Int32) throws {
        let port = freePort(family: family)
        let receiver = try Program("mpps", ["recv", "\(host):\(port)", "--json", "--interval", "0.2", "--rcvbuf", "32M", "--duration", "120"])
        #expect(receiver.waitForReady(), "\(receiver.stderr)")
        let address = try target(port)
        let residentAtStart = Self.residentKiB(receiver.process.processIdentifier)
        // Before: 10,000 made-up flows (50,000 headers).
        var data = try Self.strangers(to: address, flows: 0..<10_000, salt: 0x1234_5678)
        // During: 10,000 more while the real flow runs.
        let group = DispatchGroup()
        let during = Shared<Result<Int, ProgramError>>(.failure(ProgramError("not done")))
        DispatchQueue.global().async(group: group) {
            do { during.value = .success(try Self.strangers(to: address, flows: 10_000..<20_000, salt: 0x1234_5678)) } catch {
                during.value = .failure(ProgramError("\(error)"))
            }
        }
        let sender = try Program.run("mpps", ["send", "\(host):\(port)", "--count", "20000", "--rate", "50k", "--quiet"])
        group.wait()
        #expect(sender.status == 0, "\(sender.stderr)")
        data += try during.value.get() + 20_000
        // Wait until every data datagram was counted, then for one more interval (the end markers).
        func counted(_ program: Program) -> (packets: Int, intervals: Int) {
            let intervals = program.stdoutLines.compactMap(jsonObject).filter { $0["type"] as? String == "interval" }
            return (intervals.reduce(0) { $0 + ($1["packets"] as? Int ?? 0) }, intervals.count)
        }
        #expect(receiver.waitFor(seconds: 60) { counted($0).packets >= data }, "counted \(counted(receiver).packets) of \(data)")
        let reached = counted(receiver).intervals
        receiver.waitFor(seconds: 5) { counted($0).intervals > reached }
        let residentAtEnd = Self.residentKiB(receiver.process.processIdentifier)
        receiver.send(SIGINT)
        #expect(receiver.finish(within: 10) == 0)
        let summary = try #require(receiver.stdoutLines.last.flatMap(jsonObject))
        #expect(summary["socket_drops"] as? Int == 0, "the run must not overflow the socket to be exact: \(summary)")
        let accounts = try #require(summary["flow_accounts"] as? [[String: Any]])
        let real = try #require(accounts.first)
        #expect(real["received"] as? Int == 20_000, "\(real)")
        #expect(real["lost"] as? Int == 0 && real["reordered"] as? Int == 0 && real["duplicates"] as? Int == 0, "\(real)")
        #expect(real["sent"] as? Int == 20_000, "\(real)")
        #expect((real["source"] as? String)?.hasPrefix(host + ":") == true, "\(real)")
        #expect(summary["lost"] as? Int == 0, "no made-up flow claims a loss: \(summary)")
        #expect((summary["unjudged"] as? Int ?? 0) > 0 && (summary["unseen_start"] as? Int ?? 0) > 0, "\(summary)")
        #expect(summary["packets"] as? Int == data)
        // Memory is fixed when the receiver starts: the made-up flows take none. Under a
        // sanitizer the resident set also holds its shadow and quarantine, which grow with
        // every allocation of the run (16.4 MiB here under ASan): the bound is a plain build's.
        #expect(residentAtStart > 0)
        if !Program.isSanitized {
            #expect(residentAtEnd - residentAtStart < 16 * 1024, "RSS \(residentAtStart) KiB, then \(residentAtEnd) KiB")
        }
    }

    @Test func ipv4() throws {
        try realFlowKeepsItsAccount(host: "127.0.0.1", target: { SocketAddress(ipv4: 127, 0, 0, 1, port: $0) }, family: AF_INET)
    }

    @Test func ipv6() throws {
        try realFlowKeepsItsAccount(host: "[::1]", target: { .ipv6Loopback(port: $0) }, family: AF_INET6)
    }
}

/// A value set on one thread and read on another.
final class Shared<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}

