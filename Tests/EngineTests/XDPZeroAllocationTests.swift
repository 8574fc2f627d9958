#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import AllocationCounter
import NetLab
import PacketIO
@testable import Engine
import Reporting

/// The AF_XDP loop allocates nothing per batch either: frames queued in the RX
/// ring by `mpps send` from inside a namespace, read 4 at a time by the worker on
/// this thread, with headers, flows and latency counted as on the UDP path.
extension ZeroAllocationTests {
    /// The built `mpps` beside the test bundle.
    static let mpps = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("mpps").path

    /// Allocations made on this thread while the worker reads `count` datagrams that wait in the ring.
    func xdpAllocations(_ lab: VethLab, _ receivers: XDPReceivers, port: UInt16, count: Int) throws -> UInt {
        try lab.runInside([Self.mpps, "send", "\(lab.hostAddress):\(port)", "--count", "\(count)", "--rate", "100k", "--quiet"])
        let control = RunControl()
        let counters = ThreadCounters(count: 1)
        let work = XDPReceiveWorker(socket: receivers.sockets[0], batch: 4, port: port, latch: StartLatch(),
                                    limit: UInt64(count), slot: counters.slot(0), stop: control.flag,
                                    total: control.sharedTotal, flowKeys: [])
        let before = AllocationCounter_thisThread()
        let (result, failure) = work.run()
        let after = AllocationCounter_thisThread()
        #expect(failure == nil)
        #expect(counters.read(0).packets == UInt64(count))
        #expect(result.flows.count == 1 && result.flows.first?.unique == UInt64(count))
        #expect(result.latency.total == UInt64(count))
        return after - before
    }

    @Test(.enabled(if: VethLab.unavailableReason() == nil && FileManager.default.isExecutableFile(atPath: mpps),
                   "needs root, ip and python3 for a namespace, and the built mpps"))
    func xdpReceivingAllocatesNothingPerBatch() throws {
        let lab = try VethLab(queues: 1)
        defer { lab.remove() }
        let port = UInt16(20_000 + Int(getpid()) % 20_000)
        var options = ReceiveOptions()
        options.address = try SocketAddress(parsing: "\(lab.hostAddress):\(port)")
        let xdp = XDPOptions(interface: lab.hostEnd)
        options.xdp = xdp
        let receivers = try XDPReceivers(options, xdp, control: RunControl())
        _ = try xdpAllocations(lab, receivers, port: port, count: 80)            // warm-up
        let few = try withoutFaults { try xdpAllocations(lab, receivers, port: port, count: 80) }      // 20 batches
        let many = try withoutFaults { try xdpAllocations(lab, receivers, port: port, count: 4000) }   // 1000 batches
        #expect(few == many, "20 batches allocated \(few) times, 1000 batches \(many) times")
        #expect(few <= 8, "set-up allocations: \(few)")
    }
}
