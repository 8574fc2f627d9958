/// The sysctls that decide how many packets a UDP receiver can hold and how the
/// kernel spends its receive time, read from `/proc/sys`.
package struct NetworkSysctls: Equatable, Sendable {
    /// Sysctl name (`net.core.rmem_max`) to its text as the kernel prints it
    /// (`udp_mem` is three numbers separated by tabs).
    package var values: [String: String]

    /// Creates a set of values.
    package init(values: [String: String]) { self.values = values }

    /// The sysctls read, in the order shown.
    package static let names = [
        "net.core.rmem_max", "net.core.rmem_default", "net.core.wmem_max", "net.core.wmem_default",
        "net.core.netdev_max_backlog", "net.core.netdev_budget", "net.core.netdev_budget_usecs",
        "net.core.busy_read", "net.core.busy_poll", "net.core.skb_defer_max",
        "net.ipv4.udp_mem", "net.ipv4.udp_rmem_min", "net.ipv4.udp_wmem_min",
    ]

    /// Sysctls only newer kernels have: absent, they are left out without a complaint
    /// (`net.core.skb_defer_max`, Linux 5.19).
    package static let newerNames: Set<String> = ["net.core.skb_defer_max"]

    /// The file of a sysctl: `net.core.rmem_max` → `/proc/sys/net/core/rmem_max`.
    package static func path(_ name: String) -> String {
        "/proc/sys/" + name.split(separator: ".").joined(separator: "/")
    }

    /// A sysctl's value as one whole number; nil when unread or not a number.
    package func integer(_ name: String) -> Int? { values[name].flatMap { Int($0) } }

    /// A sysctl's value as numbers (`net.ipv4.udp_mem` → three page counts).
    package func integers(_ name: String) -> [Int]? {
        guard let text = values[name] else { return nil }
        let numbers = fields(text).compactMap { Int($0) }
        return numbers.isEmpty ? nil : numbers
    }

    /// `net.core.rmem_max`: the largest receive buffer a process may ask for without privilege.
    package var receiveBufferMax: Int? { integer("net.core.rmem_max") }
    /// `net.core.rmem_default`: a new socket's receive buffer.
    package var receiveBufferDefault: Int? { integer("net.core.rmem_default") }
    /// `net.core.netdev_max_backlog`: packets each CPU's backlog holds before dropping.
    package var maxBacklog: Int? { integer("net.core.netdev_max_backlog") }
    /// `net.core.netdev_budget`: packets one receive softirq run may process.
    package var budget: Int? { integer("net.core.netdev_budget") }
    /// `net.core.busy_read`: microseconds a blocking read busy-polls the device (0: off).
    package var busyRead: Int? { integer("net.core.busy_read") }
    /// `net.core.busy_poll`: microseconds poll/select busy-poll (0: off).
    package var busyPoll: Int? { integer("net.core.busy_poll") }
    /// `net.core.skb_defer_max`: packet buffers a CPU takes back at a time from other
    /// CPUs that freed them; a CPU that frees more frees the rest itself.
    package var deferredFreeMax: Int? { integer("net.core.skb_defer_max") }

    /// Reads each sysctl in ``names``; ones that cannot be read are left out and appended to `failures`.
    package static func read(_ files: HostFiles = HostFiles(), failures: inout [HostReadError]) -> NetworkSysctls {
        var values: [String: String] = [:]
        for name in names {
            do throws(HostReadError) {
                values[name] = try files.value(path(name))
            } catch {
                if error.kind == .missing && newerNames.contains(name) { continue }
                failures.append(error)
            }
        }
        return NetworkSysctls(values: values)
    }
}
