#if canImport(Glibc)
import Glibc
#endif
import CMPPSLinux

/// Up to ``capacity`` datagrams ready for one `sendmmsg` call on a connected
/// socket, allocated once in `init`, reused by every call, freed when the value ends.
///
/// Each message has its own payload buffer of ``payloadSize`` bytes (zeroed at
/// first), so a caller can stamp per-datagram contents in place before sending.
/// A batch belongs to one thread.
public struct SendBatch: ~Copyable {
    /// How many datagrams one call can send.
    public let capacity: Int
    /// The payload bytes of every datagram.
    public let payloadSize: Int

    private let messages: UnsafeMutablePointer<CMPPSLinux_mmsghdr>
    private let vectors: UnsafeMutablePointer<iovec>
    private let payloads: UnsafeMutableRawPointer

    /// The largest `capacity` the kernel accepts in one call (`UIO_MAXIOV`).
    public static let maximumCapacity = 1024

    /// Allocates `capacity` messages of `payloadSize` zero bytes each.
    /// - Precondition: 1 ≤ `capacity` ≤ 1024 and 0 ≤ `payloadSize` ≤ 65527.
    public init(capacity: Int, payloadSize: Int) {
        precondition(capacity >= 1 && capacity <= Self.maximumCapacity, "batch capacity must be 1...1024")
        precondition(payloadSize >= 0 && payloadSize <= 65527, "payload must be 0...65527 bytes")
        self.capacity = capacity
        self.payloadSize = payloadSize
        messages = .allocate(capacity: capacity)
        vectors = .allocate(capacity: capacity)
        let stride = max(payloadSize, 1)
        payloads = .allocate(byteCount: capacity * stride, alignment: 64)
        payloads.initializeMemory(as: UInt8.self, repeating: 0, count: capacity * stride)
        for i in 0..<capacity {
            vectors[i] = iovec(iov_base: payloads + i * stride, iov_len: payloadSize)
            var header = msghdr()
            header.msg_iov = vectors + i
            header.msg_iovlen = 1
            messages[i] = CMPPSLinux_mmsghdr(msg_hdr: header, msg_len: 0)
        }
    }

    deinit {
        messages.deallocate()
        vectors.deallocate()
        payloads.deallocate()
    }

    /// Calls `body` with the writable payload of message `index`.
    @inline(__always)
    public func withUnsafeMutablePayload<R>(at index: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        precondition(index >= 0 && index < capacity, "message index out of range")
        return try body(UnsafeMutableRawBufferPointer(start: payloads + index * max(payloadSize, 1), count: payloadSize))
    }

    /// Sends messages `start..<end` with one call and returns how many the kernel
    /// accepted, which may be fewer than asked (send the rest with another call).
    /// Returns 0 when the socket's send timeout passed (EAGAIN is a result).
    ///
    /// Throws `ECONNREFUSED` when an earlier datagram drew an ICMP port
    /// unreachable: on loopback that only means nobody listened yet, and the
    /// caller decides whether to count it and go on. The message it was about
    /// to send was not sent.
    /// The corresponding C function is `sendmmsg(2)`; Linux 3.0 or later.
    @inline(__always)
    public func send(on socket: borrowing UDPSocket, from start: Int = 0, to end: Int) throws(SocketError) -> Int {
        try send(descriptor: socket.descriptor, from: start, to: end)
    }

    /// The same as ``send(on:from:to:)`` on a descriptor the caller keeps open.
    @inline(__always)
    public func send(descriptor: Int32, from start: Int = 0, to end: Int) throws(SocketError) -> Int {
        precondition(start >= 0 && start <= end && end <= capacity, "message range out of bounds")
        if start == end { return 0 }
        while true {
            let n = CMPPSLinux_sendmmsg(descriptor, messages + start, UInt32(truncatingIfNeeded: end - start), 0)
            if n >= 0 { return Int(n) }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return 0 }
            throw SocketError("sendmmsg", code: code)
        }
    }
}
