/// A network interface as sysfs describes it (`/sys/class/net/IF`): its index,
/// state, driver, the device behind it and that device's NUMA node.
package struct NetworkInterface: Equatable, Sendable {
    /// The interface name: `eth2`.
    package var name: String
    /// `ifindex`.
    package var index: Int?
    /// `operstate`: `up`, `down`, `unknown` (loopback and many virtual devices), ...
    package var operationalState: String?
    /// `type`: the ARPHRD_ hardware type (1 Ethernet, 772 loopback).
    package var hardwareType: Int?
    /// The driver bound to the device (`DRIVER=` in `device/uevent`): `sfc`, `mlx5_core`, `virtio_net`.
    /// Nil for virtual interfaces without a device (`lo`, `veth`, `ifb`).
    package var driver: String?
    /// The device's name, the last part of the `device` link: a PCI address
    /// (`0000:81:00.0`) or a bus device (`virtio2`). Interrupt names carry it.
    package var device: String?
    /// The NUMA node of the device (`device/numa_node`, or its parent's for a virtio
    /// device on PCI); nil when the kernel does not know (-1) or the interface has no device.
    package var numaNode: Int?

    /// Creates an interface description.
    package init(name: String, index: Int? = nil, operationalState: String? = nil, hardwareType: Int? = nil,
                driver: String? = nil, device: String? = nil, numaNode: Int? = nil) {
        self.name = name
        self.index = index
        self.operationalState = operationalState
        self.hardwareType = hardwareType
        self.driver = driver
        self.device = device
        self.numaNode = numaNode
    }

    /// ARPHRD_LOOPBACK.
    package static let loopbackType = 772

    /// True for the loopback interface.
    package var isLoopback: Bool { hardwareType == NetworkInterface.loopbackType || name == "lo" }

    /// True unless the interface is administratively or physically down.
    package var isUp: Bool { operationalState != "down" && operationalState != "lowerlayerdown" && operationalState != "notpresent" }

    /// The sysfs directory of an interface.
    package static func directory(_ name: String) -> String { "/sys/class/net/\(name)" }

    /// The interfaces of the host, by `ifindex` (as `ip link` lists them), then name.
    package static func names(_ files: HostFiles = HostFiles()) throws(HostReadError) -> [String] {
        let names = try files.list("/sys/class/net").filter { !$0.hasPrefix(".") && $0 != "bonding_masters" }
        let indexed = names.map { ($0, (try? files.integer(directory($0) + "/ifindex")) ?? Int.max) }
        return indexed.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.map(\.0)
    }

    /// The interfaces `mpps doctor` looks at by default: all but `lo`, or `lo` when it is the only one.
    package static func defaultSelection(_ names: [String]) -> [String] {
        let others = names.filter { $0 != "lo" }
        return others.isEmpty ? names : others
    }

    /// Reads what sysfs says of `name`. Files that are absent because the interface
    /// has no device are not failures; other failures are appended to `failures`.
    package static func read(_ name: String, _ files: HostFiles = HostFiles(), failures: inout [HostReadError]) -> NetworkInterface {
        let base = directory(name)
        var interface = NetworkInterface(name: name)
        interface.index = try? files.integer(base + "/ifindex")
        interface.operationalState = try? files.value(base + "/operstate")
        interface.hardwareType = try? files.integer(base + "/type")
        guard files.exists(base + "/device") else { return interface }
        if let target = try? files.link(base + "/device"), let last = target.split(separator: "/").last {
            interface.device = String(last)
        }
        if let uevent = try? files.read(base + "/device/uevent") {
            interface.driver = ueventValue(uevent, key: "DRIVER")
        }
        // A PCI NIC has numa_node itself; a virtio NIC's device is a child of the PCI function that has it.
        let candidates = [base + "/device/numa_node", base + "/device/../numa_node"]
        var lastError: HostReadError?
        for path in candidates {
            do throws(HostReadError) {
                let node = try files.integer(path)
                interface.numaNode = node >= 0 ? node : nil
                lastError = nil
                break
            } catch {
                lastError = error
            }
        }
        if let lastError, lastError.kind != .missing { failures.append(lastError) }
        return interface
    }

    /// The value of `KEY=value` in a uevent file.
    static func ueventValue(_ text: String, key: String) -> String? {
        for line in text.split(separator: "\n") where line.hasPrefix(key + "=") {
            return String(line.dropFirst(key.count + 1))
        }
        return nil
    }
}
