// The two ways the kernel writes a set of CPUs: lists (`0-3,8`, as in
// /sys/devices/system/cpu/online and smp_affinity_list) and hexadecimal masks
// in comma-separated 32-bit groups (`ff,ffffffff`, as in rps_cpus). One parser
// and one formatter of each, for user input and kernel text alike.
extension CPUList {
    /// Parses a list as the kernel writes it: surrounding white space (a
    /// sysfs newline) is ignored and an empty text is the empty set.
    /// Nil when the text is not a CPU list.
    public init?(kernelList text: String) {
        let body = text.trimmingWhitespace()
        if body.isEmpty {
            self.init([])
            return
        }
        guard let list = try? CPUList(parsing: String(body)) else { return nil }
        self = list
    }

    /// Parses a hexadecimal mask such as `ff` or `00000000,00000f00` (bit *n*
    /// is CPU *n*; commas separate 32-bit groups, most significant first).
    /// Nil when the text is not a mask or names a CPU past Linux's largest here.
    public init?(kernelMask text: String) {
        let digits = text.trimmingWhitespace().filter { $0 != "," }
        guard !digits.isEmpty, digits.count <= Self.setSize / 4 else { return nil }
        var cpus: [Int] = []
        for (position, digit) in digits.reversed().enumerated() {
            guard let nibble = digit.hexDigitValue else { return nil }
            for bit in 0..<4 where nibble & (1 << bit) != 0 { cpus.append(position * 4 + bit) }
        }
        self.init(cpus)
    }

    /// The mask the kernel accepts in `rps_cpus`: `[1, 2, 3]` → `e`,
    /// `[0, 40]` → `100,00000001`; the empty set → `0`.
    public var kernelMask: String {
        guard let highest = cpus.last else { return "0" }
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

extension String {
    /// The text without leading and trailing spaces, tabs and newlines.
    func trimmingWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return self[first...last]
    }
}
