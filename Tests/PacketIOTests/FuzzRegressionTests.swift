import Testing
import PacketIO

/// Inputs on which a fuzz target (Fuzz/Targets) crashed, kept as tests once fixed.
/// Fuzz/README.md says how a crash becomes one of these.
@Suite struct FuzzRegressionTests {
    /// Fuzz/Targets/ControlMessages.swift: a first message of 32 bytes, then a header whose
    /// cmsg_len is Int.max. `offset + length` overflowed (a trap in the receive loop)
    /// instead of ending the walk. The fuzzer's input, byte for byte.
    @Test func controlMessageLengthNearIntMaxEndsTheWalk() {
        let control: [UInt8] = [
            0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x40, 0x00, 0x00, 0x23, 0x00, 0x00, 0x00,
            0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x68, 0x00,
            0x44, 0x69, 0x63, 0x05, 0x00,
        ]
        let found = control.withUnsafeBytes { ControlMessages.value(in: $0, level: 17, type: 104) }
        #expect(found == nil)
    }

    /// The same walk with every large length after a valid first message: none traps,
    /// and a GRO message before them is still found.
    @Test func hugeLengthsAfterAValidMessage() {
        for length in [Int.max, Int.max - 7, Int.max - 16, 1 << 62, -1, Int.min] {
            var control: [UInt8] = []
            append(&control, 24, level: 17, type: 104)          // UDP_GRO, 1472
            control += withUnsafeBytes(of: UInt32(1472).littleEndian, Array.init) + [0, 0, 0, 0]
            append(&control, length, level: 1, type: 35)
            control += [UInt8](repeating: 0xAB, count: 16)
            #expect(control.withUnsafeBytes { ControlMessages.value(in: $0, level: 17, type: 104) } == 1472)
            #expect(control.withUnsafeBytes { ControlMessages.value(in: $0, level: 1, type: 35) } == nil)
        }
    }

    private func append(_ control: inout [UInt8], _ length: Int, level: Int32, type: Int32) {
        control += withUnsafeBytes(of: length.littleEndian, Array.init)
        control += withUnsafeBytes(of: level.littleEndian, Array.init)
        control += withUnsafeBytes(of: type.littleEndian, Array.init)
    }
}
