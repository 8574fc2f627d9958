#if canImport(Glibc)
import Glibc
#endif
import CMPPSLinux

/// Up to ``capacity`` messages ready for one `sendmmsg` call on a connected
/// socket, allocated once in `init`, reused by every call, freed when the value ends.
///
/// Each message has its own buffer of ``segmentsPerMessage`` × ``payloadSize``
/// bytes (zeroed at first), so a caller can stamp per-datagram contents in place.
/// With one segment per message each message is one datagram. With more, the
/// socket must have UDP GSO on (``UDPSocket/setSegmentSize(_:)`` with
/// ``payloadSize``): the kernel cuts each message into datagrams of that size,
/// the last one shorter when the message length is not a multiple of it.
/// A batch belongs to one thread.
public struct SendBatch: ~Copyable {
    /// How many messages one call can send.
    public let capacity: Int
    /// The payload bytes of every datagram (the GSO segment size).
    public let payloadSize: Int
    /// Datagrams per message: 1 without GSO.
    public let segmentsPerMessage: Int

    private let messages: UnsafeMutablePointer<CMPPSLinux_mmsghdr>
    private let vectors: UnsafeMutablePointer<iovec>
    private let payloads: UnsafeMutableRawPointer
    private let stride: Int

    /// The largest `capacity` the kernel accepts in one call (`UIO_MAXIOV`).
    public static let maximumCapacity = 1024

    /// The most segments Linux cuts one GSO message into (`UDP_MAX_SEGMENTS`, 128 since Linux 5.x).
    public static let maximumSegments = 128

    /// Allocates `capacity` messages of `segmentsPerMessage` datagrams of
    /// `payloadSize` zero bytes each.
    /// - Precondition: 1 ≤ `capacity` ≤ 1024, 0 ≤ `payloadSize` ≤ 65527,
    ///   1 ≤ `segmentsPerMessage` ≤ 128.
    public init(capacity: Int, payloadSize: Int, segmentsPerMessage: Int = 1) {
        precondition(capacity >= 1 && capacity <= Self.maximumCapacity, "batch capacity must be 1...1024")
        precondition(payloadSize >= 0 && payloadSize <= 65527, "payload must be 0...65527 bytes")
        precondition(segmentsPerMessage >= 1 && segmentsPerMessage <= Self.maximumSegments, "segments must be 1...128")
        self.capacity = capacity
        self.payloadSize = payloadSize
        self.segmentsPerMessage = segmentsPerMessage
        messages = .allocate(capacity: capacity)
        vectors = .allocate(capacity: capacity)
        stride = max(payloadSize * segmentsPerMessage, 1)
        payloads = .allocate(byteCount: capacity * stride, alignment: 64)
        memset(payloads, 0, capacity * stride)
        for i in 0..<capacity {
            vectors[i] = iovec(iov_base: payloads + i * stride, iov_len: payloadSize * segmentsPerMessage)
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

    /// Calls `body` with the writable payload of datagram `segment` of message `index`.
    @inline(__always)
    public func withUnsafeMutablePayload<R>(at index: Int, segment: Int = 0, _ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        precondition(index >= 0 && index < capacity, "message index out of range")
        precondition(segment >= 0 && segment < segmentsPerMessage, "segment index out of range")
        return try body(UnsafeMutableRawBufferPointer(start: payloads + index * stride + segment * payloadSize, count: payloadSize))
    }

    /// The bytes message `index` will send.
    @inline(__always)
    public func messageLength(at index: Int) -> Int {
        precondition(index >= 0 && index < capacity, "message index out of range")
        return vectors[index].iov_len
    }

    /// Makes message `index` send `length` bytes of its buffer (at most
    /// ``segmentsPerMessage`` × ``payloadSize``): with GSO, fewer or shorter
    /// datagrams; without it, a shorter datagram.
    @inline(__always)
    public func setMessageLength(_ length: Int, at index: Int) {
        precondition(index >= 0 && index < capacity, "message index out of range")
        precondition(length >= 0 && length <= payloadSize * segmentsPerMessage, "message length out of range")
        vectors[index].iov_len = length
    }

    /// Makes message `index` carry `segments` full datagrams (1 ≤ `segments` ≤ ``segmentsPerMessage``).
    @inline(__always)
    public func setSegments(_ segments: Int, at index: Int) {
        setMessageLength(segments * payloadSize, at: index)
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
        return try Syscalls.sendMessages(descriptor, messages + start, count: UInt32(truncatingIfNeeded: end - start))
    }
}
