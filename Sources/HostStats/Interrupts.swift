import PacketIO

/// One row of `/proc/interrupts`: an interrupt, its count on each CPU, and who raises it.
package struct InterruptRow: Equatable, Sendable {
    /// The label before the colon: `33` for a numbered IRQ, `NMI`, `LOC`...
    package var label: String
    /// The IRQ number, nil for the architecture's named rows.
    package var irq: Int? { Int(label) }
    /// Counts in the order of ``InterruptTable/cpus`` (a row may have fewer, `ERR:` has one).
    package var counts: [UInt64]
    /// The interrupt controller (`IR-PCI-MSIX-0000:81:00.0`, `IO-APIC`); nil for named rows.
    package var chip: String?
    /// The actions' names (`eth2-4`, `mlx5_comp3@pci:0000:3b:00.0`); for named rows, the description.
    package var names: [String]

    /// Creates a row.
    package init(label: String, counts: [UInt64], chip: String?, names: [String]) {
        self.label = label
        self.counts = counts
        self.chip = chip
        self.names = names
    }

    /// The sum over all CPUs.
    package var total: UInt64 { counts.reduce(0, +) }
}

/// `/proc/interrupts`: per-CPU interrupt counts, one column per online CPU.
package struct InterruptTable: Equatable, Sendable {
    /// The CPU of each count column, from the header (`CPU0 CPU1 ...`; offline CPUs have no column).
    package var cpus: [Int]
    /// The rows, in the kernel's order.
    package var rows: [InterruptRow]

    /// Creates a table.
    package init(cpus: [Int], rows: [InterruptRow]) {
        self.cpus = cpus
        self.rows = rows
    }

    /// The host path this reads.
    package static let path = "/proc/interrupts"

    /// Parses `/proc/interrupts`. Returns nil without a `CPUn` header.
    ///
    /// A numbered row is `N: counts... chip [hwirq]-handler name[, name...]`: the names
    /// are what follows the handler token (``handlers``), or all after the chip when there is none.
    package static func parse(_ text: String) -> InterruptTable? {
        let lines = text.split(separator: "\n")
        guard let header = lines.first else { return nil }
        let cpus = fields(header).compactMap { $0.hasPrefix("CPU") ? Int($0.dropFirst(3)) : nil }
        guard !cpus.isEmpty else { return nil }
        var rows: [InterruptRow] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let label = trimmed(line[..<colon])
            let tokens = fields(line[line.index(after: colon)...])
            var counts: [UInt64] = []
            var index = 0
            while index < tokens.count && counts.count < cpus.count, let count = UInt64(tokens[index]) {
                counts.append(count)
                index += 1
            }
            let rest = tokens[index...].map(String.init)
            if Int(label) == nil {
                rows.append(InterruptRow(label: label, counts: counts, chip: nil, names: rest.isEmpty ? [] : [rest.joined(separator: " ")]))
                continue
            }
            guard !rest.isEmpty else {
                rows.append(InterruptRow(label: label, counts: counts, chip: nil, names: []))
                continue
            }
            let trigger = rest.firstIndex(where: isHandlerToken)
            let nameTokens: ArraySlice<String> = trigger.map { rest[($0 + 1)...] } ?? rest.dropFirst()
            let names = nameTokens.joined(separator: " ").split(separator: ",").map { trimmed($0) }.filter { !$0.isEmpty }
            rows.append(InterruptRow(label: label, counts: counts, chip: rest[0], names: names))
        }
        return InterruptTable(cpus: cpus, rows: rows)
    }

    /// The flow handlers the kernel names after the hardware IRQ number (`5-edge`,
    /// `16-fasteoi`) or, before Linux 4.x, after the chip (`IR-PCI-MSI-edge`).
    static let handlers = ["edge", "level", "fasteoi", "simple", "percpu", "percpu_devid", "edge-eoi", "level-eoi"]

    /// True for the token that ends a row's chip part: `5-edge`, `IO-APIC-fasteoi`, `edge`.
    static func isHandlerToken(_ token: String) -> Bool {
        handlers.contains { token == $0 || token.hasSuffix("-" + $0) }
    }

    /// Reads `/proc/interrupts` under `files`' root.
    package static func read(_ files: HostFiles = HostFiles()) throws(HostReadError) -> InterruptTable {
        guard let table = parse(try files.read(path)) else { throw .malformed(path, "expected a header of CPU columns") }
        return table
    }

    /// The queue interrupts of an interface: rows one of whose names carries the interface
    /// name (`eth2-4`, `i40e-eth2-TxRx-3`) or its device's name (`mlx5_comp3@pci:0000:3b:00.0`,
    /// `virtio2-input.0`) as a whole word, classified by ``QueueInterrupt/classify(_:owner:)``.
    package func queueInterrupts(interface: String, device: String?) -> [QueueInterrupt] {
        var result: [QueueInterrupt] = []
        for row in rows {
            guard let irq = row.irq else { continue }
            for name in row.names {
                let owner = [interface, device].compactMap { $0 }.first { containsWord(name, $0) }
                guard let owner else { continue }
                let (kind, queue) = QueueInterrupt.classify(name, owner: owner)
                var perCPU: [Int: UInt64] = [:]
                for (column, count) in row.counts.enumerated() where column < cpus.count { perCPU[cpus[column]] = count }
                result.append(QueueInterrupt(irq: irq, name: name, kind: kind, queue: queue, counts: perCPU))
                break
            }
        }
        return result
    }

    /// True when `word` occurs in `text` between non-alphanumeric characters (or the ends),
    /// so `eth2` matches `eth2-4` but not `eth20-4`.
    func containsWord(_ text: String, _ word: String) -> Bool {
        guard !word.isEmpty else { return false }
        let characters = Array(text)
        let target = Array(word)
        guard characters.count >= target.count else { return false }
        let isWordCharacter: (Character) -> Bool = { $0.isLetter || $0.isNumber }
        for start in 0...(characters.count - target.count) where Array(characters[start..<(start + target.count)]) == target {
            let before = start == 0 || !isWordCharacter(characters[start - 1]) || target.first.map { !isWordCharacter($0) } == true
            let afterIndex = start + target.count
            let after = afterIndex == characters.count || !isWordCharacter(characters[afterIndex])
            if before && after { return true }
        }
        return false
    }
}

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

    /// The interrupts' sum over CPUs.
    package var total: UInt64 { counts.values.reduce(0, +) }

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
