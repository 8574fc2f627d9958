// ControlMessages.value(in:level:type:) over any msg_control buffer: the walk a
// receive does to find UDP_GRO's segment size must end, in bounds, for any bytes.
import CMPPSLinux
import PacketIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = FuzzInput(data, size)
    // As ReceiveBatch asks for the GRO segment size.
    if let value = ControlMessages.value(in: input.bytes, level: CMPPSLinux_SOL_UDP, type: CMPPSLinux_UDP_GRO) {
        _ = value
    }
    // Any level and type, taken from the first 8 bytes, over the rest: the fuzzer can
    // then reach messages past the first by matching what it chose.
    if input.bytes.count >= 8 {
        let level = input.bytes.loadUnaligned(fromByteOffset: 0, as: Int32.self)
        let type = input.bytes.loadUnaligned(fromByteOffset: 4, as: Int32.self)
        let rest = UnsafeRawBufferPointer(rebasing: input.bytes[8...])
        if ControlMessages.value(in: rest, level: level, type: type) != nil {
            require(rest.count >= ControlMessages.headerSize + 4, "a value needs a header and 4 bytes")
        }
    }
    return 0
}
