import PacketIO

/// The CPUs of the host: which are online, which share a core, and which NUMA node each is on.
package struct CPUTopology: Equatable, Sendable {
    /// Online CPUs (`/sys/devices/system/cpu/online`), sorted.
    package var online: [Int]
    /// Topology of each online CPU whose files could be read, by CPU number.
    package var places: [Int: CPUPlace]
    /// NUMA node → its CPUs (`/sys/devices/system/node/nodeN/cpulist`). Empty on
    /// kernels without NUMA support, where the machine is one node.
    package var nodes: [Int: [Int]]

    /// Creates a topology.
    package init(online: [Int], places: [Int: CPUPlace], nodes: [Int: [Int]]) {
        self.online = online
        self.places = places
        self.nodes = nodes
    }

    /// The CPUs sharing `cpu`'s core, `cpu` excluded.
    package func siblings(of cpu: Int) -> [Int] {
        (places[cpu]?.siblings ?? []).filter { $0 != cpu }
    }

    /// The NUMA node of `cpu`, nil when the kernel reports no nodes or does not place it.
    package func node(of cpu: Int) -> Int? {
        nodes.first { $0.value.contains(cpu) }?.key
    }

    /// The number of distinct cores among the online CPUs (one per set of siblings).
    package var coreCount: Int {
        Set(online.map { places[$0]?.siblings.first ?? $0 }).count
    }

    /// The groups of online CPUs that share a core, for cores with more than one (SMT), by first CPU.
    package var siblingGroups: [[Int]] {
        let groups = Set(online.compactMap { places[$0]?.siblings.filter { online.contains($0) } }.filter { $0.count > 1 })
        return groups.sorted { $0[0] < $1[0] }
    }

    /// The number of distinct packages (sockets), at least 1.
    package var packageCount: Int {
        max(1, Set(online.compactMap { places[$0]?.package }).count)
    }

    /// Reads the online list only: `/sys/devices/system/cpu/online`.
    package static func readOnline(_ files: HostFiles = HostFiles()) throws(HostReadError) -> [Int] {
        let path = "/sys/devices/system/cpu/online"
        let text = try files.value(path)
        guard let cpus = CPUList(kernelList: text)?.cpus else { throw .malformed(path, "expected a CPU list such as 0-3, found '\(text)'") }
        return cpus
    }

    /// Reads the topology under `files`' root. The online list is required; a CPU's
    /// or node's files that cannot be read are left out and reported in `failures`.
    package static func read(_ files: HostFiles = HostFiles(), failures: inout [HostReadError]) throws(HostReadError) -> CPUTopology {
        let online = try readOnline(files)
        var places: [Int: CPUPlace] = [:]
        for cpu in online {
            let directory = "/sys/devices/system/cpu/cpu\(cpu)/topology/"
            do throws(HostReadError) {
                let siblingsPath = directory + "thread_siblings_list"
                let text = try files.value(siblingsPath)
                guard let siblings = CPUList(kernelList: text)?.cpus else { throw .malformed(siblingsPath, "expected a CPU list, found '\(text)'") }
                places[cpu] = CPUPlace(cpu: cpu, core: try? files.integer(directory + "core_id"),
                                       package: try? files.integer(directory + "physical_package_id"), siblings: siblings)
            } catch {
                failures.append(error)
            }
        }
        var nodes: [Int: [Int]] = [:]
        let nodeDirectory = "/sys/devices/system/node"
        if let names = try? files.list(nodeDirectory) {
            for name in names where name.hasPrefix("node") {
                guard let node = Int(name.dropFirst(4)) else { continue }
                let path = "\(nodeDirectory)/\(name)/cpulist"
                do throws(HostReadError) {
                    let text = try files.value(path)
                    guard let cpus = CPUList(kernelList: text)?.cpus else { throw .malformed(path, "expected a CPU list, found '\(text)'") }
                    nodes[node] = cpus
                } catch {
                    failures.append(error)
                }
            }
        }
        return CPUTopology(online: online, places: places, nodes: nodes)
    }
}
