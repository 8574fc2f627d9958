#if canImport(Glibc)
import Glibc
#endif
internal import CMPPSLinux

/// An ``XDPRedirectProgram`` loaded and attached to an interface through a bpf
/// link, with the XSKMAP it redirects through: the program is detached when the
/// value ends, and, since a link dies with its last descriptor, when the process
/// ends by any way at all (a signal, a crash, SIGKILL).
///
/// Steps, in `init`: `bpf(BPF_MAP_CREATE)` an XSKMAP with a slot per queue,
/// `bpf(BPF_PROG_LOAD)` the program (license "GPL": `bpf_redirect_map` requires it),
/// `bpf(BPF_LINK_CREATE)` with attach type `BPF_XDP` (Linux 5.9 or later). A link never
/// replaces a program already on the interface: the kernel answers EBUSY, and the
/// interface is left as it was. Then ``insert(_:queue:)`` puts each socket in the map.
public struct XDPAttachment: ~Copyable {
    /// The step that failed, for a person's message.
    public enum Step: Sendable, Equatable {
        /// `bpf(BPF_MAP_CREATE)` of the XSKMAP.
        case mapCreate
        /// `bpf(BPF_PROG_LOAD)`: the verifier's log says why.
        case programLoad
        /// `bpf(BPF_LINK_CREATE)`: EBUSY when the interface has an XDP program.
        case linkCreate
        /// `bpf(BPF_MAP_UPDATE_ELEM)` of a socket.
        case mapUpdate
    }

    /// Why attaching failed: the step, the kernel's errno, and for a load the verifier's log.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The step that failed.
        public let step: Step
        /// The system call's error.
        public let error: SocketError
        /// The verifier's log when it rejected the program (trimmed to its last lines); empty otherwise.
        public let verifierLog: String

        /// "bpf(BPF_LINK_CREATE): device or resource busy".
        public var description: String { verifierLog.isEmpty ? "\(error)" : "\(error): \(verifierLog)" }
    }

    /// The interface the program is attached to.
    public let interfaceIndex: UInt32
    /// Queues the map has a slot for: 0 ..< queues.
    public let queues: Int
    private let map: Int32
    private let program: Int32
    private let link: Int32

    /// Loads the program for `address` and attaches it to the interface; the map has
    /// a slot for each of queues 0 ..< `queues`. Frames redirected to an empty slot pass.
    /// - Precondition: 1 ≤ `queues` ≤ 4096.
    public init(interfaceIndex: UInt32, address: SocketAddress, queues: Int) throws(Failure) {
        precondition(queues >= 1 && queues <= 4096, "an XSKMAP of 1...4096 queues")
        var mapAttribute = CMPPSLinux_bpf_map_create(map_type: CMPPSLinux_BPF_MAP_TYPE_XSKMAP, key_size: 4, value_size: 4,
                                                    max_entries: UInt32(queues), map_flags: 0)
        let map: Int32
        do throws(SocketError) {
            map = try Syscalls.bpf(CMPPSLinux_BPF_MAP_CREATE, .bpfMapCreate, "bpf(BPF_MAP_CREATE)", &mapAttribute)
        } catch { throw Failure(step: .mapCreate, error: error, verifierLog: "") }
        let program: Int32
        do throws(Failure) {
            program = try Self.load(XDPRedirectProgram(address: address, mapDescriptor: map))
        } catch {
            Syscalls.close(map)
            throw error
        }
        var linkAttribute = CMPPSLinux_bpf_link_create(prog_fd: UInt32(program), target_ifindex: interfaceIndex,
                                                      attach_type: CMPPSLinux_BPF_XDP, flags: 0)
        do throws(SocketError) {
            link = try Syscalls.bpf(CMPPSLinux_BPF_LINK_CREATE, .bpfLinkCreate, "bpf(BPF_LINK_CREATE)", &linkAttribute)
        } catch {
            Syscalls.close(program)
            Syscalls.close(map)
            throw Failure(step: .linkCreate, error: error, verifierLog: "")
        }
        self.interfaceIndex = interfaceIndex
        self.queues = queues
        self.map = map
        self.program = program
    }

    deinit {
        // The link first: the interface is free again the moment it closes.
        Syscalls.close(link)
        Syscalls.close(program)
        Syscalls.close(map)
    }

    /// Redirects the frames of `queue` to `socket`. The corresponding C function is
    /// `bpf(2)` with `BPF_MAP_UPDATE_ELEM`.
    /// - Precondition: 0 ≤ `queue` < ``queues``.
    public func insert(_ socket: borrowing XDPSocket, queue: Int) throws(Failure) {
        try insert(descriptor: socket.descriptor, queue: queue)
    }

    /// The same as ``insert(_:queue:)`` for a socket's descriptor.
    public func insert(descriptor: Int32, queue: Int) throws(Failure) {
        precondition(queue >= 0 && queue < queues, "queue outside the map")
        var key = UInt32(queue)
        var value = UInt32(bitPattern: descriptor)
        do throws(SocketError) {
            try withUnsafeMutablePointer(to: &key) { key throws(SocketError) in
                try withUnsafeMutablePointer(to: &value) { value throws(SocketError) in
                    var attribute = CMPPSLinux_bpf_map_elem(map_fd: UInt32(map), padding: 0,
                                                            key: UInt64(UInt(bitPattern: key)),
                                                            value: UInt64(UInt(bitPattern: value)), flags: 0)
                    _ = try Syscalls.bpf(CMPPSLinux_BPF_MAP_UPDATE_ELEM, .bpfMapUpdate, "bpf(BPF_MAP_UPDATE_ELEM)", &attribute)
                }
            }
        } catch { throw Failure(step: .mapUpdate, error: error, verifierLog: "") }
    }

    /// The longest verifier log kept.
    static let logSize = 64 * 1024

    /// Loads `program`; on a refusal, loads it again with a log buffer so the failure carries the verifier's words.
    private static func load(_ program: XDPRedirectProgram) throws(Failure) -> Int32 {
        var instructions = program.instructions.map(\.cValue)
        let license: StaticString = "GPL"
        var log = [UInt8](repeating: 0, count: logSize)
        func attempt(logging: Bool) throws(SocketError) -> Int32 {
            try instructions.withUnsafeMutableBufferPointer { code throws(SocketError) in
                try log.withUnsafeMutableBufferPointer { buffer throws(SocketError) in
                    var attribute = CMPPSLinux_bpf_prog_load()
                    attribute.prog_type = CMPPSLinux_BPF_PROG_TYPE_XDP
                    attribute.insn_cnt = UInt32(code.count)
                    attribute.insns = UInt64(UInt(bitPattern: code.baseAddress))
                    attribute.license = UInt64(UInt(bitPattern: license.utf8Start))
                    if logging {
                        attribute.log_level = 1
                        attribute.log_size = UInt32(buffer.count)
                        attribute.log_buf = UInt64(UInt(bitPattern: buffer.baseAddress))
                    }
                    withUnsafeMutableBytes(of: &attribute.prog_name) { name in
                        for (i, byte) in "mpps_xdp".utf8.enumerated() { name[i] = byte }
                    }
                    attribute.expected_attach_type = CMPPSLinux_BPF_XDP
                    return try Syscalls.bpf(CMPPSLinux_BPF_PROG_LOAD, .bpfProgramLoad, "bpf(BPF_PROG_LOAD)", &attribute)
                }
            }
        }
        do throws(SocketError) {
            return try attempt(logging: false)
        } catch {
            // EPERM says enough; for the verifier's refusals (EINVAL, EACCES) ask again with a log.
            var text = ""
            if error.code != EPERM {
                if let loaded = try? attempt(logging: true) {
                    // Loaded the second time (a transient ENOMEM, say): not needed, the first failure stands.
                    Syscalls.close(loaded)
                } else {
                    let end = log.firstIndex(of: 0) ?? log.count
                    let lines = String(decoding: log[..<end], as: UTF8.self).split(separator: "\n").suffix(3)
                    text = lines.joined(separator: " / ")
                }
            }
            throw Failure(step: .programLoad, error: error, verifierLog: text)
        }
    }
}
