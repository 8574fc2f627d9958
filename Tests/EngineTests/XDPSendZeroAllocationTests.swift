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

/// The AF_XDP sending loop allocates nothing per batch: the worker sends 20 and then
/// 1000 batches of 64 frames on this thread, from the host end of a veth into the
/// namespace (whose stack drops them: nobody listens), and both cost the same set-up.
extension ZeroAllocationTests {
    /// Allocations made on this thread while an ``XDPSendWorker`` sends `batches` batches of 64.
    func xdpSendAllocations(_ senders: XDPSenders, batches: Int) throws -> UInt {
        let control = RunControl()
        let counters = ThreadCounters(count: 1)
        let work = XDPSendWorker(socket: senders.sockets[0], templates: senders.templates, flowIDs: [7], batch: 64, payload: 32,
                                 hostTag: HostTag.local, quota: UInt64(batches * 64), rate: nil, slot: counters.slot(0),
                                 stop: control.flag, control: control, interface: "test")
        let before = AllocationCounter_thisThread()
        try work.run()
        let after = AllocationCounter_thisThread()
        #expect(counters.read(0).packets == UInt64(batches * 64))
        return after - before
    }

    @Test(.enabled(if: VethLab.unavailableReason() == nil, "needs root, ip and python3 for a namespace"))
    func xdpSendingAllocatesNothingPerBatch() throws {
        let lab = try VethLab(queues: 1)
        defer { lab.remove() }
        var options = SendOptions()
        options.targets = [try SocketAddress(parsing: "\(lab.peerAddress):9")]
        let xdp = XDPOptions(interface: lab.hostEnd)
        options.xdp = xdp
        let senders = try XDPSenders(options, xdp, sources: [try SocketAddress(parsing: "\(lab.hostAddress):5000")], control: RunControl())
        _ = try xdpSendAllocations(senders, batches: 20)            // warm-up
        let few = try withoutFaults { try xdpSendAllocations(senders, batches: 20) }
        let many = try withoutFaults { try xdpSendAllocations(senders, batches: 1000) }
        #expect(few == many, "20 batches allocated \(few) times, 1000 batches \(many) times")
        #expect(few <= 8, "set-up allocations: \(few)")
    }
}
