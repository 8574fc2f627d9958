#if canImport(Glibc)
import Glibc
#endif
import CMPPSLinux

/// Storage for receiving up to ``capacity`` datagrams with one `recvmmsg` call,
/// allocated once in `init`, reused by every call, freed when the value ends.
///
/// After ``receive(from:limit:)`` returns `n`, messages `0..<n` are readable
/// in place: ``length(at:)``, ``withUnsafeBytes(at:_:)``, ``sourceAddress(at:)``,
/// and, on a socket with UDP GRO, ``segmentSize(at:)``: a coalesced message
/// holds several datagrams of that size (the last may be shorter).
/// Nothing is copied or allocated per datagram. A batch belongs to one thread.
public struct ReceiveBatch: ~Copyable {
    /// How many messages one call can return.
    public let capacity: Int
    /// The bytes reserved for each message; a longer one is truncated and flagged.
    public let slotSize: Int
    /// Whether each message records the address it came from.
    public let recordsSources: Bool
    /// Control-message bytes reserved per message (0: none are received).
    public let controlSize: Int

    private let messages: UnsafeMutablePointer<CMPPSLinux_mmsghdr>
    private let vectors: UnsafeMutablePointer<iovec>
    private let sources: UnsafeMutablePointer<sockaddr_storage>
    private let buffers: UnsafeMutableRawPointer
    private let controls: UnsafeMutableRawPointer

    /// The number of messages the last ``receive(from:limit:)`` returned.
    public private(set) var count: Int = 0

    /// The largest `capacity` the kernel accepts in one call (`UIO_MAXIOV`).
    public static let maximumCapacity = 1024

    /// The slot size that holds any coalesced UDP GRO message (64 KiB).
    public static let coalescedSlotSize = 65536

    /// Control space for the messages mpps asks for: UDP_GRO's segment size
    /// and SO_RXQ_OVFL's drop count (an int each, with headers and padding).
    public static let standardControlSize = 2 * Int(CMPPSLinux_CMSG_SPACE(MemoryLayout<Int32>.size))

    /// Allocates room for `capacity` messages of up to `slotSize` bytes each.
    ///
    /// - Parameters:
    ///   - recordsSources: keep each message's source address (a copy the kernel
    ///     makes per datagram; leave it off when the sender's address is not needed).
    ///   - controlSize: bytes of control messages per message; give
    ///     ``standardControlSize`` on a socket with UDP GRO so segment sizes arrive.
    /// - Precondition: 1 ≤ `capacity` ≤ 1024, `slotSize` ≥ 1, `controlSize` ≥ 0.
    public init(capacity: Int, slotSize: Int = 2048, recordsSources: Bool = true, controlSize: Int = 0) {
        precondition(capacity >= 1 && capacity <= Self.maximumCapacity, "batch capacity must be 1...1024")
        precondition(slotSize >= 1, "slot size must be positive")
        precondition(controlSize >= 0, "control size must not be negative")
        self.capacity = capacity
        self.slotSize = slotSize
        self.recordsSources = recordsSources
        self.controlSize = controlSize
        messages = .allocate(capacity: capacity)
        vectors = .allocate(capacity: capacity)
        sources = .allocate(capacity: capacity)
        buffers = .allocate(byteCount: capacity * slotSize, alignment: 64)
        controls = .allocate(byteCount: max(capacity * controlSize, 1), alignment: 8)
        // The datagram buffers stay untouched: the kernel writes each before it is read, and
        // a page is faulted in only when a message first lands on it (a GRO batch reserves
        // 32 MiB, of which a receiver that keeps up uses a few slots).
        memset(controls, 0, max(capacity * controlSize, 1))
        sources.initialize(repeating: sockaddr_storage(), count: capacity)
        for i in 0..<capacity {
            vectors[i] = iovec(iov_base: buffers + i * slotSize, iov_len: slotSize)
            var header = msghdr()
            if recordsSources {
                header.msg_name = UnsafeMutableRawPointer(sources + i)
                header.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
            }
            if controlSize > 0 {
                header.msg_control = controls + i * controlSize
                header.msg_controllen = controlSize
            }
            header.msg_iov = vectors + i
            header.msg_iovlen = 1
            messages[i] = CMPPSLinux_mmsghdr(msg_hdr: header, msg_len: 0)
        }
    }

    deinit {
        messages.deallocate()
        vectors.deallocate()
        sources.deallocate()
        buffers.deallocate()
        controls.deallocate()
    }

    /// Receives up to `limit` (at most ``capacity``) datagrams with one call:
    /// blocks until the first arrives, then takes what is already queued
    /// (`MSG_WAITFORONE`). Returns how many arrived; 0 when the socket's receive
    /// timeout passed with nothing to read (EAGAIN is a result, not an error).
    /// The corresponding C function is `recvmmsg(2)`; Linux 2.6.33 or later.
    /// - Precondition: `limit` ≥ 0.
    @inline(__always)
    public mutating func receive(from socket: borrowing UDPSocket, limit: Int = .max) throws(SocketError) -> Int {
        try receive(descriptor: socket.descriptor, limit: limit)
    }

    /// The same as ``receive(from:limit:)`` on a descriptor the caller keeps open,
    /// for threads that share one socket.
    @inline(__always)
    public mutating func receive(descriptor: Int32, limit: Int = .max) throws(SocketError) -> Int {
        // The kernel overwrote each used slot's address and control lengths; restore them.
        let used = count
        if recordsSources {
            var i = 0
            while i < used {
                messages[i].msg_hdr.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
                i &+= 1
            }
        }
        if controlSize > 0 {
            var i = 0
            while i < used {
                messages[i].msg_hdr.msg_controllen = controlSize
                i &+= 1
            }
        }
        count = 0
        // A negative limit would wrap to a huge vlen, which the kernel caps at
        // 1024, not at our capacity: it would read and write past the batch.
        precondition(limit >= 0, "receive limit must not be negative")
        let vlen = UInt32(truncatingIfNeeded: min(limit, capacity))
        let n = try Syscalls.receiveMessages(descriptor, messages, count: vlen, flags: CMPPSLinux_MSG_WAITFORONE)
        count = n
        return n
    }

    /// The length of datagram `index` as received (at most ``slotSize``).
    @inline(__always)
    public func length(at index: Int) -> Int {
        precondition(index >= 0 && index < count, "datagram index out of range")
        return Int(messages[index].msg_len)
    }

    /// Whether datagram `index` was longer than ``slotSize`` and lost its tail.
    @inline(__always)
    public func isTruncated(at index: Int) -> Bool {
        precondition(index >= 0 && index < count, "datagram index out of range")
        return messages[index].msg_hdr.msg_flags & Int32(MSG_TRUNC) != 0
    }

    /// The sum of the lengths of the datagrams from the last receive.
    @inline(__always)
    public func totalLength() -> Int {
        var total = 0
        var i = 0
        while i < count {
            total &+= Int(messages[i].msg_len)
            i &+= 1
        }
        return total
    }

    /// Calls `body` with the bytes of datagram `index`, valid only inside the call.
    @inline(__always)
    public func withUnsafeBytes<R>(at index: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        precondition(index >= 0 && index < count, "datagram index out of range")
        return try body(UnsafeRawBufferPointer(start: buffers + index * slotSize, count: length(at: index)))
    }

    /// The bytes of message `index`, in place: valid only until the next receive
    /// and while the batch lives. For loops that must not capture a closure.
    @inline(__always)
    public func unsafeBytes(at index: Int) -> UnsafeRawBufferPointer {
        // The product cannot overflow: init allocated capacity * slotSize bytes and index < capacity.
        UnsafeRawBufferPointer(start: buffers + index &* slotSize, count: length(at: index))
    }

    /// The address message `index` came from; nil when the batch does not record sources.
    public func sourceAddress(at index: Int) -> SocketAddress? {
        precondition(index >= 0 && index < count, "datagram index out of range")
        guard recordsSources else { return nil }
        return SocketAddress(UnsafeRawPointer(sources + index))
    }

    /// The segment size of message `index` when the kernel coalesced several
    /// datagrams into it (UDP GRO): each is this long but the last, which may be
    /// shorter. 0 when the message is one datagram.
    @inline(__always)
    public func segmentSize(at index: Int) -> Int {
        precondition(index >= 0 && index < count, "datagram index out of range")
        guard controlSize > 0 else { return 0 }
        let value = ControlMessages.value(in: UnsafeRawBufferPointer(
            start: controls + index * controlSize, count: messages[index].msg_hdr.msg_controllen),
            level: CMPPSLinux_SOL_UDP, type: CMPPSLinux_UDP_GRO)
        return value.map(Int.init) ?? 0
    }

    /// The number of datagrams message `index` holds: 1, or more when coalesced.
    @inline(__always)
    public func datagramCount(at index: Int) -> Int {
        let size = segmentSize(at: index)
        let length = length(at: index)
        return size > 0 && length > size ? (length + size - 1) / size : 1
    }

    /// A 32-bit control message of message `index` (for example `SO_RXQ_OVFL`'s
    /// drop count), or nil when the kernel did not attach one.
    public func controlValue(at index: Int, level: Int32, type: Int32) -> UInt32? {
        precondition(index >= 0 && index < count, "datagram index out of range")
        guard controlSize > 0 else { return nil }
        return ControlMessages.value(in: UnsafeRawBufferPointer(
            start: controls + index * controlSize, count: messages[index].msg_hdr.msg_controllen),
            level: level, type: type)
    }
}
