// SequenceHeader(reading:) on any payload, as every received datagram is read:
// no trap, and writing what was read and reading it again gives the same header.
import PacketIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = FuzzInput(data, size)
    guard let header = SequenceHeader(reading: input.bytes) else {
        require(input.bytes.count < SequenceHeader.size || input.bytes.first != 0x50 || input.bytes[1] != 0x4D
                    || ![1, 2].contains(input.bytes[2]), "a payload with the magic and a known kind reads as a header")
        return 0
    }
    require(header.sendTime == nil || input.bytes.count >= SequenceHeader.sizeWithTime, "a send time needs 24 bytes")
    var copy = [UInt8](repeating: 0, count: input.bytes.count)
    copy.withUnsafeMutableBytes { payload in
        require(header.write(to: payload), "a header read from \(input.bytes.count) bytes fits in as many")
        require(SequenceHeader(reading: UnsafeRawBufferPointer(payload)) == header, "a written header reads back the same")
    }
    let written = min(input.bytes.count, header.sendTime == nil ? SequenceHeader.size : SequenceHeader.sizeWithTime)
    require(copy.prefix(written).elementsEqual(input.bytes.prefix(written)), "writing reproduces the bytes read")
    return 0
}
