/// The two ways the kernel writes a set of CPUs: lists (`0-3,8`, as in
/// `/sys/devices/system/cpu/online` and `smp_affinity_list`) and hexadecimal
/// masks in comma-separated 32-bit groups (`ff,ffffffff`, as in `rps_cpus`).
package enum CPUSetText {
    /// Parses a CPU list such as `0-3,8`; an empty text is the empty set.
    /// Returns sorted, distinct CPU numbers, or nil when the text is not a list.
    package static func parseList(_ text: String) -> [Int]? {
        let body = trimmed(text)
        if body.isEmpty { return [] }
        var cpus = Set<Int>()
        for part in body.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count == 1 || bounds.count == 2,
                  let first = Int(bounds[0]), first >= 0,
                  let last = Int(bounds[bounds.count - 1]), last >= first, last - first < 65536 else { return nil }
            for cpu in first...last { cpus.insert(cpu) }
        }
        return cpus.sorted()
    }

    /// Formats CPUs as the kernel's list: `[0, 1, 2, 3, 8]` → `0-3,8`; empty → ``.
    package static func formatList<C: Collection>(_ cpus: C) -> String where C.Element == Int {
        let sorted = Set(cpus).sorted()
        var parts: [String] = []
        var index = 0
        while index < sorted.count {
            var end = index
            while end + 1 < sorted.count && sorted[end + 1] == sorted[end] + 1 { end += 1 }
            parts.append(end == index ? "\(sorted[index])" : "\(sorted[index])-\(sorted[end])")
            index = end + 1
        }
        return parts.joined(separator: ",")
    }

    /// Parses a hexadecimal CPU mask such as `ff` or `00000000,00000f00`
    /// (bit *n* is CPU *n*; commas separate 32-bit groups, most significant first).
    /// Returns sorted CPU numbers, or nil when the text is not a mask.
    package static func parseMask(_ text: String) -> [Int]? {
        let digits = trimmed(text).filter { $0 != "," }
        guard !digits.isEmpty else { return nil }
        var cpus: [Int] = []
        for (position, digit) in digits.reversed().enumerated() {
            guard let nibble = digit.hexDigitValue else { return nil }
            for bit in 0..<4 where nibble & (1 << bit) != 0 {
                cpus.append(position * 4 + bit)
            }
        }
        return cpus.sorted()
    }

    /// Formats CPUs as a mask the kernel accepts in `rps_cpus`: `[1, 2, 3]` → `e`,
    /// `[0, 40]` → `100,00000001`; empty → `0`.
    package static func formatMask<C: Collection>(_ cpus: C) -> String where C.Element == Int {
        guard let highest = cpus.max() else { return "0" }
        var words = [UInt32](repeating: 0, count: highest / 32 + 1)
        for cpu in cpus where cpu >= 0 { words[cpu / 32] |= 1 << UInt32(cpu % 32) }
        var groups: [String] = []
        for (index, word) in words.enumerated().reversed() {
            let hex = String(word, radix: 16)
            groups.append(index == words.count - 1 ? hex : String(repeating: "0", count: 8 - hex.count) + hex)
        }
        return groups.joined(separator: ",")
    }
}
