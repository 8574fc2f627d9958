internal import CMPPSLinux

/// One instruction of an extended BPF (eBPF) program, laid out as the kernel's
/// `struct bpf_insn`: an opcode, a destination and a source register, a 16-bit
/// offset and a 32-bit constant.
///
/// Beside ``SocketFilterInstruction`` (classic BPF): only the instructions
/// ``XDPRedirectProgram`` uses have constructors; ``init(code:destination:source:offset:constant:)``
/// takes any. The encoding is the kernel's `Documentation/bpf/standardization/instruction-set.rst`.
public struct ExtendedBPFInstruction: Hashable, Sendable {
    /// The opcode: class, size and mode, or operation and source.
    public var code: UInt8
    /// The destination register, 0–10.
    public var destination: UInt8
    /// The source register, 0–10 (or a pseudo source such as a map descriptor's 1).
    public var source: UInt8
    /// A memory offset or a jump's distance in instructions.
    public var offset: Int16
    /// The constant operand.
    public var constant: Int32

    /// An instruction from its fields, as `struct bpf_insn` holds them.
    public init(code: UInt8, destination: UInt8 = 0, source: UInt8 = 0, offset: Int16 = 0, constant: Int32 = 0) {
        precondition(destination <= 10 && source <= 10, "eBPF has registers r0-r10")
        self.code = code
        self.destination = destination
        self.source = source
        self.offset = offset
        self.constant = constant
    }

    /// Instruction classes (the low 3 bits of the opcode).
    static let classLD: UInt8 = 0x00, classLDX: UInt8 = 0x01, classJMP: UInt8 = 0x05, classJMP32: UInt8 = 0x06
    /// The 64-bit arithmetic class.
    static let classALU64: UInt8 = 0x07
    /// Load sizes: 4, 2, 1 and 8 bytes.
    static let sizeWord: UInt8 = 0x00, sizeHalf: UInt8 = 0x08, sizeByte: UInt8 = 0x10, sizeDouble: UInt8 = 0x18
    /// Load modes: a constant, or memory at a register plus an offset.
    static let modeImmediate: UInt8 = 0x00, modeMemory: UInt8 = 0x60
    /// Operand sources: the constant or the source register.
    static let sourceConstant: UInt8 = 0x00, sourceRegister: UInt8 = 0x08
    /// Arithmetic operations.
    static let operationAdd: UInt8 = 0x00, operationAnd: UInt8 = 0x50, operationMove: UInt8 = 0xb0
    /// Jump conditions.
    static let jumpAlways: UInt8 = 0x00, jumpEqual: UInt8 = 0x10, jumpGreater: UInt8 = 0x20, jumpNotEqual: UInt8 = 0x50
    /// A helper call and the program's end.
    static let operationCall: UInt8 = 0x80, operationExit: UInt8 = 0x90

    /// The width of a memory load.
    public enum Width: Sendable {
        /// 1 byte (`BPF_B`).
        case byte
        /// 2 bytes (`BPF_H`).
        case half
        /// 4 bytes (`BPF_W`).
        case word

        /// The size bits of the opcode.
        var bits: UInt8 {
            switch self {
            case .byte: ExtendedBPFInstruction.sizeByte
            case .half: ExtendedBPFInstruction.sizeHalf
            case .word: ExtendedBPFInstruction.sizeWord
            }
        }
    }

    /// `dst = src` (64 bits).
    public static func move(_ destination: UInt8, from source: UInt8) -> Self {
        Self(code: classALU64 | operationMove | sourceRegister, destination: destination, source: source)
    }

    /// `dst = constant` (64 bits, sign-extended).
    public static func move(_ destination: UInt8, constant: Int32) -> Self {
        Self(code: classALU64 | operationMove | sourceConstant, destination: destination, constant: constant)
    }

    /// `dst &= constant` (64 bits, the constant sign-extended).
    public static func and(_ destination: UInt8, constant: Int32) -> Self {
        Self(code: classALU64 | operationAnd | sourceConstant, destination: destination, constant: constant)
    }

    /// `dst += constant` (64 bits).
    public static func add(_ destination: UInt8, constant: Int32) -> Self {
        Self(code: classALU64 | operationAdd | sourceConstant, destination: destination, constant: constant)
    }

    /// `dst = *(width *)(src + offset)`, zero-extended.
    public static func load(_ destination: UInt8, _ width: Width, from source: UInt8, offset: Int16) -> Self {
        Self(code: classLDX | modeMemory | width.bits, destination: destination, source: source, offset: offset)
    }

    /// `if dst > src goto +offset` (unsigned, 64 bits): the verifier's packet-bounds check.
    public static func jumpIfGreater(_ destination: UInt8, than source: UInt8, offset: Int16) -> Self {
        Self(code: classJMP | jumpGreater | sourceRegister, destination: destination, source: source, offset: offset)
    }

    /// `if (u32)dst != constant goto +offset` (32-bit compare, Linux 5.1 or later).
    public static func jumpIfNotEqual(_ destination: UInt8, _ constant: UInt32, offset: Int16) -> Self {
        Self(code: classJMP32 | jumpNotEqual | sourceConstant, destination: destination, offset: offset,
             constant: Int32(bitPattern: constant))
    }

    /// `if (u32)dst == constant goto +offset` (32-bit compare, Linux 5.1 or later).
    public static func jumpIfEqual(_ destination: UInt8, _ constant: UInt32, offset: Int16) -> Self {
        Self(code: classJMP32 | jumpEqual | sourceConstant, destination: destination, offset: offset,
             constant: Int32(bitPattern: constant))
    }

    /// `goto +offset`.
    public static func jump(offset: Int16) -> Self {
        Self(code: classJMP | jumpAlways, offset: offset)
    }

    /// `call helper` (r1–r5 the arguments, r0 the result).
    public static func call(_ helper: Int32) -> Self {
        Self(code: classJMP | operationCall, constant: helper)
    }

    /// `exit`: returns r0.
    public static let exit = Self(code: classJMP | operationExit)

    /// `dst = map` (the two instructions of `ld_imm64` with the pseudo source
    /// `BPF_PSEUDO_MAP_FD`): the kernel replaces the descriptor with the map's address.
    public static func loadMap(_ destination: UInt8, descriptor: Int32) -> [Self] {
        [Self(code: classLD | sizeDouble | modeImmediate, destination: destination,
              source: UInt8(CMPPSLinux_BPF_PSEUDO_MAP_FD), constant: descriptor),
         Self(code: 0)]
    }

    /// The C struct the kernel reads.
    var cValue: CMPPSLinux_bpf_insn {
        CMPPSLinux_bpf_insn(code: code, regs: destination | source << 4, off: offset, imm: constant)
    }
}
