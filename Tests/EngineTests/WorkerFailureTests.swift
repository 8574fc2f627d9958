#if DEBUG
#if canImport(Glibc)
import Glibc
#endif
import Testing
import PacketIO
@testable import Engine
import Reporting

/// A receiving thread whose system call fails ends the run with one line, and
/// what it counted until then stays in the account.
@Suite(.serialized) struct WorkerFailureTests {
    /// Sends `count` datagrams of flow 5 (sequence numbers from `first`) to `target`;
    /// returns the address they came from.
    @discardableResult
    func send(_ count: Int, from first: Int, to target: SocketAddress) throws -> SocketAddress {
        let socket = try UDPSocket(family: .inet)
        var payload = [UInt8](repeating: 0, count: 32)
        for sequence in first..<(first + count) {
            payload.withUnsafeMutableBytes {
                _ = SequenceHeader(kind: .data, hostTag: 0, flow: 5, sequence: UInt64(sequence), sendTime: nil).write(to: $0)
            }
            try payload.withUnsafeBytes { _ = try socket.send($0, to: target) }
        }
        return SocketAddress(ipv4: 127, 0, 0, 1, port: try Syscalls.localAddress(socket.descriptor).port)
    }

    @Test func aFailedReceiveKeepsTheThreadsCountsAndFlows() throws {
        var options = ReceiveOptions()
        options.address = SocketAddress(ipv4: 127, 0, 0, 1, port: 0)
        options.receiveBuffer = 1 << 20
        let run = try ReceiveRun(options)
        try run.start()
        let port = run.boundAddress.port
        let source = try send(100, from: 0, to: run.boundAddress)
        #expect(waitUntil(seconds: 5) { run.counters.total().packets == 100 })
        // The thread blocks in recvmmsg; the next call after it wakes fails as if the kernel ran out of memory.
        let rule = FaultInjection.fail(.recvmmsg, with: ENOMEM, where: { descriptor in
            (try? Syscalls.localAddress(descriptor))?.port == port
        })
        let laterSource = try send(20, from: 100, to: run.boundAddress)
        #expect(waitUntil(seconds: 5) { run.control.failureMessage != nil })
        run.stop()
        FaultInjection.remove(rule)
        #expect(run.control.failureMessage == "receiving thread 0 failed: recvmmsg: cannot allocate memory")
        // The thread read at least the first of the 20 (the call that woke it), maybe more, before
        // its next call failed: whatever it read is in both the counters and the flow.
        let read = run.counters.total().packets
        #expect(read >= 101 && read <= 120, "\(read)")
        let report = run.sequenceReport()
        // The flow's source is the address of the first of its datagrams read while the
        // receiver recorded sources (it asks once the flow has its place): either sender's.
        let flowSource = report.flows.first?.source
        #expect(flowSource == source || flowSource == laterSource)
        #expect(report.flows == [FlowSummary(flow: 5, unique: read, duplicates: 0, reordered: 0, highest: read - 1, sent: nil,
                                                   source: flowSource)])
        #expect(report.lost == 0)
    }
}
#endif
