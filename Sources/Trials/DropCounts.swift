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

    /// The `drops` member of the lab's and ndr's lines, keys in this order: `socket`
    /// (`socket_drops`), `rcvbuf_errors`, `in_errors`, `mem_errors`, `no_ports`, `backlog`.
    package var json: JSONValue {
        ["socket": .unsigned(socket), "rcvbuf_errors": .unsigned(rcvbufErrors), "in_errors": .unsigned(inErrors),
         "mem_errors": .unsigned(memErrors), "no_ports": .unsigned(noPorts), "backlog": .unsigned(backlog)]
    }
}
