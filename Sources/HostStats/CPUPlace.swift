/// One CPU's place in the machine, from `/sys/devices/system/cpu/cpuN/topology`.
package struct CPUPlace: Equatable, Sendable {
    /// The CPU number.
    package var cpu: Int
    /// `core_id`: the core within its package (cores of different packages may share an id).
    package var core: Int?
    /// `physical_package_id`: the socket.
    package var package: Int?
    /// `thread_siblings_list`: the CPUs sharing this CPU's core (SMT/hyper-threads), itself included.
    package var siblings: [Int]

    /// Creates a place.
    package init(cpu: Int, core: Int?, package: Int?, siblings: [Int]) {
        self.cpu = cpu
        self.core = core
        self.package = package
        self.siblings = siblings
    }
}
