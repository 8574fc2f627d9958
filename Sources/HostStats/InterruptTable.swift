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

    /// The sum over all CPUs; UInt64.max if it would not fit.
    package var total: UInt64 { counts.saturatingSum }
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
