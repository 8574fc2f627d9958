internal import CMPPSLinux

/// One instruction of a classic BPF program, laid out as the kernel's
/// `struct sock_filter`: an opcode, two jump offsets and a constant.
///
/// Only the handful of instructions PacketIO's own programs use have
/// constructors here; ``init(code:jumpIfTrue:jumpIfFalse:constant:)`` takes any.
/// The printed form follows `bpf_asm`, so a program reads like the kernel's docs.
public struct SocketFilterInstruction: Hashable, Sendable, CustomStringConvertible {
    /// The opcode: class, size, mode or operation, source (`BPF_LD | BPF_W | BPF_ABS`, say).
    public var code: UInt16
    /// For a conditional jump: instructions to skip when the condition holds.
    public var jumpIfTrue: UInt8
    /// For a conditional jump: instructions to skip when it does not.
    public var jumpIfFalse: UInt8
    /// The constant operand `k`.
    public var constant: UInt32

    /// An instruction from its four fields, as `struct sock_filter` holds them.
    public init(code: UInt16, jumpIfTrue: UInt8 = 0, jumpIfFalse: UInt8 = 0, constant: UInt32 = 0) {
        self.code = code
        self.jumpIfTrue = jumpIfTrue
        self.jumpIfFalse = jumpIfFalse
        self.constant = constant
    }

    /// Data the kernel offers a socket filter beside the packet, read at `SKF_AD_OFF` plus an offset.
    public enum Ancillary: Sendable, Hashable {
        /// The CPU that is processing the packet (`SKF_AD_CPU`).
        case cpu
        /// A fresh pseudo-random 32-bit number (`SKF_AD_RANDOM`, Linux 3.14 or later).
        case random

        var offset: Int32 { self == .cpu ? CMPPSLinux_SKF_AD_CPU : CMPPSLinux_SKF_AD_RANDOM }
    }

    /// `ld [SKF_AD_OFF + …]`: loads an ancillary word into the accumulator A.
    public static func load(_ ancillary: Ancillary) -> SocketFilterInstruction {
        SocketFilterInstruction(code: CMPPSLinux_BPF_LD | CMPPSLinux_BPF_W | CMPPSLinux_BPF_ABS,
                                constant: UInt32(bitPattern: CMPPSLinux_SKF_AD_OFF + ancillary.offset))
    }

    /// `mod #divisor`: A = A % divisor (Linux 3.7 or later).
    /// - Precondition: `divisor` > 0; the kernel rejects a program that divides by a constant 0.
    public static func modulo(_ divisor: UInt32) -> SocketFilterInstruction {
        precondition(divisor > 0, "a BPF modulo by 0 is rejected by the kernel")
        return SocketFilterInstruction(code: CMPPSLinux_BPF_ALU | CMPPSLinux_BPF_MOD | CMPPSLinux_BPF_K, constant: divisor)
    }

    /// `jeq #value, jt, jf`: skips `jumpIfTrue` instructions when A == value, `jumpIfFalse` otherwise.
    public static func jumpIfEqual(_ value: UInt32, jumpIfTrue: UInt8, jumpIfFalse: UInt8) -> SocketFilterInstruction {
        SocketFilterInstruction(code: CMPPSLinux_BPF_JMP | CMPPSLinux_BPF_JEQ | CMPPSLinux_BPF_K,
                                jumpIfTrue: jumpIfTrue, jumpIfFalse: jumpIfFalse, constant: value)
    }

    /// `ret #value`: ends the program with a constant.
    public static func returnConstant(_ value: UInt32) -> SocketFilterInstruction {
        SocketFilterInstruction(code: CMPPSLinux_BPF_RET | CMPPSLinux_BPF_K, constant: value)
    }

    /// `ret a`: ends the program with the accumulator.
    public static let returnAccumulator = SocketFilterInstruction(code: CMPPSLinux_BPF_RET | CMPPSLinux_BPF_A)

    /// The most instructions the kernel accepts in one classic program (`BPF_MAXINSNS`).
    public static let maximumProgramLength = Int(CMPPSLinux_BPF_MAXINSNS)

    /// The instruction as `bpf_asm` writes it (`ld #cpu`, `mod #2`, `ret a`), or its raw fields.
    public var description: String {
        if self == .load(.cpu) { return "ld #cpu" }
        if self == .load(.random) { return "ld #rand" }
        if self == .returnAccumulator { return "ret a" }
        switch code {
        case CMPPSLinux_BPF_ALU | CMPPSLinux_BPF_MOD | CMPPSLinux_BPF_K: return "mod #\(constant)"
        case CMPPSLinux_BPF_JMP | CMPPSLinux_BPF_JEQ | CMPPSLinux_BPF_K: return "jeq #\(constant), \(jumpIfTrue), \(jumpIfFalse)"
        case CMPPSLinux_BPF_RET | CMPPSLinux_BPF_K: return "ret #\(constant)"
        default: return "{ 0x\(String(code, radix: 16)), \(jumpIfTrue), \(jumpIfFalse), 0x\(String(constant, radix: 16)) }"
        }
    }

    /// The C struct the kernel reads.
    var cValue: CMPPSLinux_sock_filter {
        CMPPSLinux_sock_filter(code: code, jt: jumpIfTrue, jf: jumpIfFalse, k: constant)
    }
}
