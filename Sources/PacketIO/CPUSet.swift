#if canImport(Glibc)
import Glibc
#endif
internal import CMPPSLinux

/// A list of CPU numbers, as `taskset -c` writes it: `0-3,8,10-11`.
public struct CPUList: Hashable, Sendable, CustomStringConvertible {
    /// The CPUs, ascending and without repeats.
    public let cpus: [Int]

    /// A list of the given CPUs (sorted, duplicates removed).
    public init<S: Sequence>(_ cpus: S) where S.Element == Int {
        self.cpus = Array(Set(cpus)).sorted()
    }

    /// Parses `0-3,8,10-11`: comma-separated CPU numbers and inclusive ranges.
    public init(parsing text: String) throws(CPUListError) {
        var result: [Int] = []
        if text.isEmpty { throw CPUListError(description: "empty CPU list: write CPUs like 0-3,8") }
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count == 1 || bounds.count == 2,
                  let low = Self.cpuNumber(bounds[0]), let high = Self.cpuNumber(bounds[bounds.count - 1]) else {
                throw CPUListError(description: "bad CPU list '\(text)' at '\(part)': write CPUs like 0-3,8,10-11")
            }
            guard low <= high else {
                throw CPUListError(description: "bad CPU range '\(part)' in '\(text)': the first CPU must not exceed the last")
            }
            guard high < Self.setSize else {
                throw CPUListError(description: "CPU \(high) in '\(text)' is beyond the largest CPU number Linux supports here (\(Self.setSize - 1))")
            }
            result.append(contentsOf: low...high)
        }
        self.init(result)
    }

    private static func cpuNumber(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 6, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    static let setSize = Int(CMPPSLinux_CPU_SETSIZE())

    /// The shortest form: `0-3,8`.
    public var description: String {
        var parts: [String] = []
        var index = 0
        while index < cpus.count {
            var end = index
            while end + 1 < cpus.count && cpus[end + 1] == cpus[end] + 1 { end += 1 }
            parts.append(end == index ? "\(cpus[index])" : "\(cpus[index])-\(cpus[end])")
            index = end + 1
        }
        return parts.joined(separator: ",")
    }

    /// The CPUs this process may run on (its affinity mask, as `taskset -p` shows it).
    /// The corresponding C function is `sched_getaffinity(2)`.
    public static func allowed() -> CPUList {
        var set = CMPPSLinux_cpu_set()
        guard Syscalls.processAffinity(&set) else { return CPUList([]) }
        return CPUList((0..<setSize).filter { CMPPSLinux_CPU_ISSET(Int32($0), &set) != 0 })
    }

    /// Throws a one-line error naming the first CPU of this list that the
    /// process may not use, and the CPUs it may.
    public func validate(against allowed: CPUList = .allowed()) throws(CPUListError) {
        let permitted = Set(allowed.cpus)
        if let missing = cpus.first(where: { !permitted.contains($0) }) {
            throw CPUListError(description: "CPU \(missing) is not available to this process: choose from \(allowed)")
        }
    }

    /// Pins the calling thread to exactly these CPUs.
    /// The corresponding C function is `pthread_setaffinity_np(3)`.
    public func pinCurrentThread() throws(Errno) {
        var set = CMPPSLinux_cpu_set()
        CMPPSLinux_CPU_ZERO(&set)
        for cpu in cpus { CMPPSLinux_CPU_SET(Int32(cpu), &set) }
        try Syscalls.setAffinity(&set)
    }

    /// The CPU the calling thread is running on right now.
    /// The corresponding C function is `sched_getcpu(3)`.
    public static func currentCPU() -> Int {
        Int(CMPPSLinux_sched_getcpu())
    }
}

/// Why a CPU list was rejected.
public struct CPUListError: Error, Equatable, CustomStringConvertible, Sendable {
    /// One line: what was wrong and what to write instead.
    public let description: String
}
