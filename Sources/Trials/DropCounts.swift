import PacketIO
import Reporting

/// Where a trial's lost datagrams were dropped, from the receiver's summary.
package struct DropCounts: Equatable, Sendable {
    /// Dropped at the receiver's own sockets (`socket_drops`, SO_MEMINFO): buffer full.
    package var socket: UInt64 = 0
    /// The namespace's `RcvbufErrors` (`kernel.rcvbuf_errors`).
    package var rcvbufErrors: UInt64 = 0
    /// The namespace's UDP `InErrors`.
    package var inErrors: UInt64 = 0
    /// The namespace's UDP `MemErrors` (udp_mem exhausted).
    package var memErrors: UInt64 = 0
    /// The namespace's UDP `NoPorts` (nothing listening).
    package var noPorts: UInt64 = 0
    /// Dropped from the per-CPU backlog (`softnet` `dropped`, netdev_max_backlog) on any CPU.
    package var backlog: UInt64 = 0

    /// Creates counts.
    package init(socket: UInt64 = 0, rcvbufErrors: UInt64 = 0, inErrors: UInt64 = 0, memErrors: UInt64 = 0,
                noPorts: UInt64 = 0, backlog: UInt64 = 0) {
        self.socket = socket
        self.rcvbufErrors = rcvbufErrors
        self.inErrors = inErrors
        self.memErrors = memErrors
        self.noPorts = noPorts
        self.backlog = backlog
    }

    /// `{"socket":N,"rcvbuf_errors":N,"in_errors":N,"mem_errors":N,"no_ports":N,"backlog":N}`
    package var json: String {
        "{\"socket\":\(socket),\"rcvbuf_errors\":\(rcvbufErrors),\"in_errors\":\(inErrors)"
            + ",\"mem_errors\":\(memErrors),\"no_ports\":\(noPorts),\"backlog\":\(backlog)}"
    }
}
