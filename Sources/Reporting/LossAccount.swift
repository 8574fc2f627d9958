import PacketIO

/// Every datagram a sender sent, accounted for at its receiver: sent = received
/// + lost, and the lost ones by where they were dropped.
///
/// `mpps demo` (sender and receiver in one process) and the trials of `mpps lab`
/// and `mpps ndr` (two child processes, read back from their JSON summaries)
/// both account with this one type, so the three commands agree on what was
/// lost and why.
package struct LossAccount: Equatable, Sendable {
    /// Data datagrams the kernel accepted from the sender.
    package var sent: UInt64
    /// Data datagrams the receiver counted.
    package var received: UInt64
    /// Data datagrams the receiver's sequence numbers show missing; nil when no datagram carried a header.
    package var sequenceLost: UInt64?
    /// Drops the kernel counted at the receiving sockets (SO_MEMINFO): buffer full; nil when unread.
    package var socketDrops: UInt64?
    /// Drops from the per-CPU backlog (`netdev_max_backlog`), all CPUs, host-wide.
    package var backlogDrops: UInt64
    /// True when the receiver used UDP GRO: the kernel then drops whole coalesced
    /// messages and counts each once at the socket, however many datagrams it held.
    package var socketDropsCountMessages: Bool

    /// Creates an account.
    package init(sent: UInt64, received: UInt64, sequenceLost: UInt64? = nil, socketDrops: UInt64? = nil,
                backlogDrops: UInt64 = 0, socketDropsCountMessages: Bool = false) {
        self.sent = sent
        self.received = received
        self.sequenceLost = sequenceLost
        self.socketDrops = socketDrops
        self.backlogDrops = backlogDrops
        self.socketDropsCountMessages = socketDropsCountMessages
    }

    /// The account of a receiver's ``RunSummary`` against `sent`: its count, its
    /// sequence numbers, its sockets' drops and the softnet backlog's.
    package init(sent: UInt64, receiver summary: RunSummary, coalescing: Bool = false) {
        let backlog = (summary.host?.softnet ?? []).reduce(UInt64(0)) { $0.addingSaturating(UInt64($1.dropped)) }
        self.init(sent: sent, received: summary.total.packets,
                  sequenceLost: summary.sequences.flatMap { $0.hasSequences ? $0.lost : nil },
                  socketDrops: summary.host?.socketDrops, backlogDrops: backlog, socketDropsCountMessages: coalescing)
    }

    /// Datagrams lost: the larger of what the sequence numbers miss and `sent - received`.
    /// The sequence count alone misses the tail of a flow whose end-of-flow
    /// datagrams were all dropped too; the difference alone hides losses behind
    /// duplicates. Either one is a lower bound, so the larger is the better.
    package var lost: UInt64 {
        max(sequenceLost ?? 0, sent > received ? sent - received : 0)
    }

    /// Datagrams received more than once, as far as the account shows: what
    /// `received + lost` exceeds `sent` by (0 when sent = received + lost closes).
    package var countedTwice: UInt64 {
        received.addingSaturating(lost).subtractingSaturating(sent)
    }

    /// Lost datagrams neither the socket's nor the backlog's drop counts explain
    /// (0 with GRO when the socket dropped anything: its count is of messages).
    package var lostElsewhere: UInt64 {
        let socket = socketDrops ?? 0
        if socketDropsCountMessages && socket > 0 { return 0 }
        let explained = socket.addingSaturating(backlogDrops)
        return lost > explained ? lost - explained : 0
    }

    /// Where datagrams were lost, one cause per counter that moved, in this order.
    package var causes: [Cause] {
        var causes: [Cause] = []
        if let socket = socketDrops, socket > 0 {
            causes.append(socketDropsCountMessages ? .coalescedAtSocket(socket) : .socketBuffer(socket))
        }
        if backlogDrops > 0 { causes.append(.backlog(backlogDrops)) }
        if lostElsewhere > 0 { causes.append(.elsewhere(lostElsewhere)) }
        return causes
    }

    /// The causes in a few words, for a table or a trial's line: `"none"`, or
    /// `94 at the socket (buffer full), 6 from a CPU's backlog (netdev_max_backlog)`.
    package var causesInWords: String {
        let causes = self.causes
        return causes.isEmpty ? "none" : causes.map(\.words).joined(separator: ", ")
    }

    /// The account as `mpps demo` closes with it: `account: 1000 sent = 900 received + 100 lost`,
    /// then a line per cause when anything was lost.
    package var text: String {
        var text = countedTwice == 0
            ? "account: \(sent) sent = \(received) received + \(lost) lost\n"
            : "account: \(sent) sent, \(received) received (\(countedTwice) more than once), \(lost) lost\n"
        guard lost > 0 else { return text }
        if let sequenceLost {
            text += "         the sequence numbers miss \(sequenceLost)\n"
        }
        for cause in causes { text += "         " + cause.explanation + "\n" }
        return text
    }

    /// The account as `mpps demo --json`'s last line, keys in this order: `type` (`"account"`),
    /// `sent`, `received`, `lost` (``lost``), `socket_drops` (null when unread), `sequence_lost`
    /// (null without headers), `backlog_drops`, `other_drops` (``lostElsewhere``).
    package var json: JSONValue {
        [
            "type": "account",
            "sent": .unsigned(sent),
            "received": .unsigned(received),
            "lost": .unsigned(lost),
            "socket_drops": .optional(socketDrops) { .unsigned($0) },
            "sequence_lost": .optional(sequenceLost) { .unsigned($0) },
            "backlog_drops": .unsigned(backlogDrops),
            "other_drops": .unsigned(lostElsewhere),
        ]
    }

    /// Where some lost datagrams went, and how many.
    package enum Cause: Equatable, Sendable {
        /// Dropped at the receiving socket because its buffer was full.
        case socketBuffer(UInt64)
        /// With GRO: whole coalesced messages dropped at the receiving socket (a count of messages, not datagrams).
        case coalescedAtSocket(UInt64)
        /// Dropped from a CPU's backlog (`netdev_max_backlog`).
        case backlog(UInt64)
        /// Lost where no counter saw them.
        case elsewhere(UInt64)

        /// A few words with a short count: `1.2k at the socket (buffer full)`.
        package var words: String {
            switch self {
            case .socketBuffer(let count): return "\(Units.count(count)) at the socket (buffer full)"
            case .coalescedAtSocket(let count): return "\(Units.count(count)) coalesced messages at the socket (buffer full)"
            case .backlog(let count): return "\(Units.count(count)) from a CPU's backlog (netdev_max_backlog)"
            case .elsewhere(let count): return "\(Units.count(count)) elsewhere"
            }
        }

        /// A sentence with the exact count and what it means.
        package var explanation: String {
            switch self {
            case .socketBuffer(let count):
                return "the kernel dropped \(count) at the receiving socket because its buffer was full: the receiving thread did not keep up"
            case .coalescedAtSocket(let count):
                return "the kernel dropped \(count) coalesced messages at the receiving socket because its buffer was full: the receiving thread did not keep up"
            case .backlog(let count):
                return "the kernel dropped \(count) from a CPU's backlog (netdev_max_backlog, host-wide): the receive stack did not keep up"
            case .elsewhere(let count):
                return "\(count) were lost where no counter saw them"
            }
        }
    }
}
