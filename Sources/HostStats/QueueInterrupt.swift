import PacketIO

/// An interrupt that serves one of an interface's queues, with its affinity.
package struct QueueInterrupt: Equatable, Sendable {
    /// What the queue carries.
    package enum Kind: String, Equatable, Sendable {
        /// Receive only (`eth2-rx-4`, `virtio2-input.0`).
        case receive = "rx"
        /// Transmit only (`eth2-tx-4`, `virtio2-output.0`).
        case transmit = "tx"
        /// Receive and transmit on one interrupt (`eth2-4`, `eth2-TxRx-4`, `mlx5_comp4`).
        case combined = "rx/tx"
        /// Not a queue: configuration, link events, asynchronous commands.
        case other
    }

    /// The IRQ number.
    package var irq: Int
    /// The action's name.
    package var name: String
    /// What the queue carries.
    package var kind: Kind
    /// The queue (channel) number, when the name carries one.
    package var queue: Int?
    /// Count per CPU since boot.
    package var counts: [Int: UInt64]
    /// The CPUs allowed to take it (`/proc/irq/N/smp_affinity_list`); nil when unread.
    package var affinity: [Int]?
    /// The CPUs the interrupt controller actually targets (`effective_affinity_list`, on newer kernels); nil when absent.
    package var effectiveAffinity: [Int]?

    /// Creates a queue interrupt.
    package init(irq: Int, name: String, kind: Kind, queue: Int?, counts: [Int: UInt64] = [:],
                affinity: [Int]? = nil, effectiveAffinity: [Int]? = nil) {
        self.irq = irq
        self.name = name
        self.kind = kind
        self.queue = queue
        self.counts = counts
        self.affinity = affinity
        self.effectiveAffinity = effectiveAffinity
    }

    /// True for interrupts that deliver received packets (receive or combined queues).
    package var receives: Bool { kind == .receive || kind == .combined }

    /// The CPUs that take this interrupt: the effective affinity when known, else the allowed set.
    package var servingCPUs: [Int]? { effectiveAffinity ?? affinity }

    /// The interrupts' sum over CPUs; UInt64.max if it would not fit.
    package var total: UInt64 { counts.values.saturatingSum }

    /// Classifies an action name by what follows its owner (interface or device name):
    /// the last number is the queue; `rx`/`input` alone means receive, `tx`/`output` alone
    /// transmit, both or neither (`TxRx`, `comp`, a bare number) combined; no number: other.
    package static func classify(_ name: String, owner: String) -> (Kind, Int?) {
        var rest = name
        if let range = rest.firstRange(of: owner) { rest.removeSubrange(range) }
        let words = rest.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        // The whole name is the owner's: one interrupt for the whole device (e1000 and other single-queue NICs).
        if words.isEmpty { return (.combined, nil) }
        var queue: Int?
        for word in words.reversed() {
            let digits = word.reversed().prefix(while: { $0.isNumber })
            if !digits.isEmpty, let number = Int(String(digits.reversed())) { queue = number; break }
        }
        let letters = words.map { $0.filter(\.isLetter) }.joined(separator: " ")
        let receives = letters.contains("rx") || letters.contains("input")
        let transmits = letters.contains("tx") || letters.contains("output")
        guard let queue else { return (.other, nil) }
        if ["async", "ctrl", "config", "lsc", "misc", "event"].contains(where: { letters.contains($0) }) { return (.other, nil) }
        if receives && !transmits { return (.receive, queue) }
        if transmits && !receives { return (.transmit, queue) }
        return (.combined, queue)
    }

    /// Reads `/proc/irq/N/smp_affinity_list` and, when present, `effective_affinity_list` into `interrupt`.
    package static func readAffinity(_ interrupt: inout QueueInterrupt, _ files: HostFiles = HostFiles(),
                                    failures: inout [HostReadError]) {
        let base = "/proc/irq/\(interrupt.irq)/"
        do throws(HostReadError) {
            interrupt.affinity = try cpuList(files, base + "smp_affinity_list")
        } catch {
            failures.append(error)
        }
        do throws(HostReadError) {
            interrupt.effectiveAffinity = try cpuList(files, base + "effective_affinity_list")
        } catch {
            if error.kind != .missing { failures.append(error) }
        }
    }

    private static func cpuList(_ files: HostFiles, _ path: String) throws(HostReadError) -> [Int] {
        let text = try files.value(path)
        guard let cpus = CPUList(kernelList: text)?.cpus else { throw .malformed(path, "expected a CPU list, found '\(text)'") }
        return cpus
    }
}
