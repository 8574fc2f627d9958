// The CPU list and mask parsers (`--cpus`, /sys lists, rps_cpus masks): no trap, and
// what each formatter writes parses back to the same set.
import PacketIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = FuzzInput(data, size).text
    if let list = try? CPUList(parsing: text) {
        require(!list.cpus.isEmpty, "a parsed list names a CPU")
        check(list)
        _ = try? list.validate(against: CPUList([0, 1]))
    }
    if let list = CPUList(kernelList: text) { check(list) }
    if let list = CPUList(kernelMask: text) { check(list) }
    return 0
}

/// The formatters' output reads back as the same set.
func check(_ list: CPUList) {
    require(list.cpus == list.cpus.sorted() && Set(list.cpus).count == list.cpus.count, "CPUs ascending without repeats")
    require(CPUList(kernelList: list.description) == list, "'\(list)' reads back as a kernel list")
    require(CPUList(kernelMask: list.kernelMask) == list, "mask '\(list.kernelMask)' reads back")
    if !list.cpus.isEmpty {
        require((try? CPUList(parsing: list.description)) == list, "'\(list)' reads back as --cpus")
    }
}
