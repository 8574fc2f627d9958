#if canImport(Glibc)
import Glibc
#endif
internal import CMPPSLinux

/// How the kernel picks one socket of an SO_REUSEPORT group for each datagram.
///
/// By default it hashes the 4-tuple, so every datagram of a flow lands on one
/// socket and a few flows can leave sockets idle (the article's "two threads
/// received all the work"). A classic BPF program attached to the group with
/// `SO_ATTACH_REUSEPORT_CBPF` (Linux 4.5 or later) returns the index of the
/// socket instead: the position in which the group's sockets were bound, from 0.
///
/// The kernel does not reduce the program's answer modulo the group size: an
/// index past the group falls back to the hash. Every program built here
/// therefore ends in `mod #groupSize`.
public enum ReusePortSteering: Hashable, Sendable, CustomStringConvertible {
    /// Attach nothing: the kernel's hash of the 4-tuple picks the socket.
    case hash
    /// Any socket, at random per datagram: `ld #rand; mod #N; ret a`
    /// (`SKF_AD_RANDOM`, Linux 3.14 or later).
    case random
    /// The socket whose thread runs on the CPU that processes the datagram,
    /// so a datagram never crosses CPUs between the kernel and the reader.
    /// `cpus[i]` is the CPU the thread reading socket `i` is pinned to; a CPU
    /// not in the list gets socket `cpu % N`. On loopback the processing CPU is
    /// the sender's; behind a NIC it is the CPU serving the queue's interrupt (or RPS).
    case cpu(cpus: [Int])

    /// ``cpu(cpus:)`` from a ``CPUList`` (as `--cpus 0-3` parses): socket `i`
    /// is read by the thread pinned to the list's `i`-th CPU, in ascending order.
    /// The program is the same classic BPF as for an array
    /// (`SO_ATTACH_REUSEPORT_CBPF`, Linux 4.5 or later).
    public static func cpu(cpus: CPUList) -> ReusePortSteering {
        .cpu(cpus: cpus.cpus)
    }

    /// `hash`, `random` or `cpu`.
    public var description: String {
        switch self {
        case .hash: return "hash"
        case .random: return "random"
        case .cpu: return "cpu"
        }
    }

    /// The program for a group of `groupSize` sockets; empty for ``hash``.
    ///
    /// For ``cpu(cpus:)``: `ld #cpu`, then for each index `i` `jeq #cpus[i], 0, 1`
    /// and `ret #i`, then `mod #N; ret a` for any other CPU.
    /// - Precondition: 1 ≤ `groupSize` ≤ 65535 (far above what any group
    ///   holds), and for ``cpu(cpus:)`` 1 ≤ `cpus.count` ≤ `groupSize`, every CPU ≥ 0,
    ///   and at most 2046 CPUs (the kernel's limit of 4096 instructions).
    public func program(groupSize: Int) -> [SocketFilterInstruction] {
        precondition(groupSize >= 1 && groupSize <= 65535, "a reuseport group has 1...65535 sockets")
        let modulo = SocketFilterInstruction.modulo(UInt32(groupSize))
        switch self {
        case .hash:
            return []
        case .random:
            return [.load(.random), modulo, .returnAccumulator]
        case .cpu(let cpus):
            precondition(!cpus.isEmpty && cpus.count <= groupSize, "CPU steering needs 1...groupSize CPUs, one per socket")
            precondition(2 * cpus.count + 3 <= SocketFilterInstruction.maximumProgramLength, "at most 2046 CPUs fit one program")
            var program: [SocketFilterInstruction] = [.load(.cpu)]
            for (index, cpu) in cpus.enumerated() {
                precondition(cpu >= 0 && cpu <= Int(UInt32.max), "a CPU number is not negative")
                // Jumps are relative and 8 bits wide: testing each CPU right before its
                // return keeps every offset at 0 or 1, whatever the group's size.
                program.append(.jumpIfEqual(UInt32(cpu), jumpIfTrue: 0, jumpIfFalse: 1))
                program.append(.returnConstant(UInt32(index)))
            }
            program.append(modulo)
            program.append(.returnAccumulator)
            return program
        }
    }

    /// Attaches ``program(groupSize:)`` to the SO_REUSEPORT group of `socket`,
    /// which must have set ``UDPSocket/setReusePort(_:)`` and be bound; the
    /// program then steers for every socket of the group, bound before or after.
    /// ``hash`` attaches nothing.
    ///
    /// Throws with `EINVAL` when the socket is in no group or the kernel rejects
    /// the program, `ENOPROTOOPT` before Linux 4.5.
    /// The corresponding C call is `setsockopt(SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF)`.
    public func attach(to socket: borrowing UDPSocket, groupSize: Int) throws(SocketError) {
        try attach(descriptor: socket.descriptor, groupSize: groupSize)
    }

    /// ``attach(to:groupSize:)`` on a descriptor whose socket is owned elsewhere.
    public func attach(descriptor: Int32, groupSize: Int) throws(SocketError) {
        let instructions = program(groupSize: groupSize)
        if instructions.isEmpty { return }
        var filters = instructions.map(\.cValue)
        var failure: SocketError?
        filters.withUnsafeMutableBufferPointer { buffer in
            // Safety: the kernel copies the instructions during the call; `buffer` outlives it.
            let program = CMPPSLinux_sock_fprog(len: UInt16(buffer.count), filter: buffer.baseAddress)
            do throws(SocketError) {
                try Syscalls.setOption(descriptor, SOL_SOCKET, CMPPSLinux_SO_ATTACH_REUSEPORT_CBPF, program,
                              "setsockopt(SO_ATTACH_REUSEPORT_CBPF)")
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }
}
