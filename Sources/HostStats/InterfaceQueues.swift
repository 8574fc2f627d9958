import PacketIO

/// One receive queue in sysfs (`/sys/class/net/IF/queues/rx-N`).
package struct ReceiveQueue: Equatable, Sendable {
    /// N.
    package var index: Int
    /// The CPUs RPS may steer this queue's packets to (`rps_cpus`); empty when RPS is off,
    /// nil when the mask could not be read (kernels without CONFIG_RPS).
    package var rpsCPUs: [Int]?

    /// Creates a queue.
    package init(index: Int, rpsCPUs: [Int]?) {
        self.index = index
        self.rpsCPUs = rpsCPUs
    }
}

/// One transmit queue in sysfs (`/sys/class/net/IF/queues/tx-N`).
package struct TransmitQueue: Equatable, Sendable {
    /// N.
    package var index: Int
    /// The CPUs whose sends XPS maps to this queue (`xps_cpus`); empty when unset, nil when
    /// it does not apply (the kernel has no XPS map for a single-queue device) or could not be read.
    package var xpsCPUs: [Int]?

    /// Creates a queue.
    package init(index: Int, xpsCPUs: [Int]?) {
        self.index = index
        self.xpsCPUs = xpsCPUs
    }
}

/// The queues the kernel created for an interface, with their RPS and XPS CPU masks.
package struct InterfaceQueues: Equatable, Sendable {
    /// Receive queues, by index.
    package var receive: [ReceiveQueue]
    /// Transmit queues, by index.
    package var transmit: [TransmitQueue]

    /// Creates queues.
    package init(receive: [ReceiveQueue], transmit: [TransmitQueue]) {
        self.receive = receive
        self.transmit = transmit
    }

    /// True when no receive queue has an RPS mask set (every mask read was empty).
    package var rpsOff: Bool { receive.allSatisfy { ($0.rpsCPUs ?? []).isEmpty } }

    /// The indexes N of `rx-N` (or `tx-N`) entries among directory names, sorted.
    package static func indexes(_ names: [String], prefix: String) -> [Int] {
        names.compactMap { $0.hasPrefix(prefix) ? Int($0.dropFirst(prefix.count)) : nil }.sorted()
    }

    /// Reads `/sys/class/net/IF/queues`. Masks that cannot be read are nil and appended to
    /// `failures`, except `xps_cpus` of a single-queue device, which the kernel does not offer.
    package static func read(interface: String, _ files: HostFiles = HostFiles(),
                            failures: inout [HostReadError]) throws(HostReadError) -> InterfaceQueues {
        let directory = NetworkInterface.directory(interface) + "/queues"
        let names = try files.list(directory)
        let rx = indexes(names, prefix: "rx-")
        let tx = indexes(names, prefix: "tx-")
        let receive = rx.map { index in
            ReceiveQueue(index: index, rpsCPUs: mask(files, "\(directory)/rx-\(index)/rps_cpus", failures: &failures))
        }
        let transmit = tx.map { index in
            let path = "\(directory)/tx-\(index)/xps_cpus"
            // The kernel keeps no XPS map for a device with one TX queue: reading it fails with ENOENT.
            if tx.count == 1 && (try? files.read(path)) == nil { return TransmitQueue(index: index, xpsCPUs: nil) }
            return TransmitQueue(index: index, xpsCPUs: mask(files, path, failures: &failures))
        }
        return InterfaceQueues(receive: receive, transmit: transmit)
    }

    private static func mask(_ files: HostFiles, _ path: String, failures: inout [HostReadError]) -> [Int]? {
        do throws(HostReadError) {
            let text = try files.value(path)
            guard let cpus = CPUList(kernelMask: text)?.cpus else { throw .malformed(path, "expected a hexadecimal CPU mask, found '\(text)'") }
            return cpus
        } catch {
            failures.append(error)
            return nil
        }
    }
}
