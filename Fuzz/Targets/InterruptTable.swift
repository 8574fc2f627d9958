// The parser of /proc/interrupts, per-row totals, and how `mpps doctor` picks an
// interface's queue interrupts out of it and classifies them (rx, tx, combined).
import HostStats

/// Interfaces and devices of the fixture hosts whose interrupts are looked for.
let owners: [(interface: String, device: String?)] = [
    ("eth2", "0000:04:00.0"), ("eth0", "virtio2"), ("enp59s0f0np0", "0000:3b:00.0"), ("lo", nil), ("", ""),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let table = InterruptTable.parse(FuzzInput(data, size).text) else { return 0 }
    require(!table.cpus.isEmpty, "a table has CPU columns")
    for row in table.rows {
        require(row.counts.count <= table.cpus.count, "no more counts than CPU columns")
        _ = row.total
        _ = row.irq
    }
    for (interface, device) in owners {
        for interrupt in table.queueInterrupts(interface: interface, device: device) {
            _ = interrupt.total
            _ = interrupt.receives
            _ = QueueInterrupt.classify(interrupt.name, owner: device ?? interface)
        }
    }
    return 0
}
