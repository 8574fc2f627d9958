#if canImport(Glibc)
import Glibc
#endif
internal import CMPPSLinux

/// Storage for receiving up to ``capacity`` messages with one `recvmmsg` call,
/// allocated once in `init`, reused by every call, freed when the value ends.
///
/// After ``receive(from:limit:)`` returns `n`, messages `0..<n` are readable
/// in place. ``forEachDatagram(_:)`` visits every datagram with its bytes, its
/// source and (with ``recordsDestinations``) its destination address, and
/// splits the messages UDP GRO coalesced by their segment size. Per message:
/// ``length(at:)``, ``withUnsafeBytes(at:_:)``, ``sourceAddress(at:)``,
/// ``destinationAddress(at:)``, ``segmentSize(at:)`` and ``datagramCount(at:)``.
/// Nothing is copied or allocated per call or per datagram. A batch belongs to one thread.
///
/// Control space: by default every message has room for the control messages
/// PacketIO reads (UDP GRO's segment size, `SO_RXQ_OVFL`'s drop count, and, when
/// recording destinations, `IP_PKTINFO`/`IPV6_PKTINFO`), so a socket with UDP GRO
/// on can never have its coalesced messages counted as one datagram. A batch made
/// with less room (`controlSize: 0` for the leanest loop on a socket without GRO)
/// refuses a call in which the kernel had to drop a segment size: ``receive(from:limit:)``
/// throws instead of returning messages it cannot split.
public struct ReceiveBatch: ~Copyable {
    /// How many messages one call can return.
    public let capacity: Int
    /// The bytes reserved for each message; a longer one is truncated and flagged.
    public let slotSize: Int
    /// Whether the next call records each message's source address. It may
    /// change between calls (a loop that needs an address only now and then asks
    /// for it only then: the kernel's copy costs per datagram); the messages of the
    /// last call keep what they were received with.
    public var recordsSources: Bool
    /// Whether ``forEachDatagram(_:)`` reads each message's destination address
    /// (the socket needs ``UDPSocket/setReceiveDestinationAddress(_:)``).
    public let recordsDestinations: Bool
    /// Control-message bytes reserved per message (0: none are received).
    public let controlSize: Int

    private let messages: UnsafeMutablePointer<CMPPSLinux_mmsghdr>
    private let vectors: UnsafeMutablePointer<iovec>
    private let sources: UnsafeMutablePointer<sockaddr_storage>
    private let buffers: UnsafeMutableRawPointer
    private let controls: UnsafeMutableRawPointer
    /// Whether the messages point at their address slots: as they did in the
    /// last call, so the sources read are that call's.
    private var namesInPlace = false

    /// The number of messages the last ``receive(from:limit:)`` returned.
    public private(set) var count: Int = 0
    /// The messages the kernel wrote in the last call, whose lengths must be restored:
    /// the same as `count`, except after a refused call, which reads as empty.
    private var used: Int = 0

    /// The largest `capacity` the kernel accepts in one call (`UIO_MAXIOV`).
    public static let maximumCapacity = 1024

    /// The slot size that holds any coalesced UDP GRO message (64 KiB).
    public static let coalescedSlotSize = 65536

    /// Control space for the messages mpps asks for: UDP_GRO's segment size
    /// and SO_RXQ_OVFL's drop count (an int each, with headers and padding).
    public static let standardControlSize = 2 * Int(CMPPSLinux_CMSG_SPACE(MemoryLayout<Int32>.size))

    /// Control space for a destination address: an `IPV6_PKTINFO` message, the
    /// larger of it and `IP_PKTINFO` (an IPv6 socket receives either).
    public static let destinationControlSize = Int(CMPPSLinux_CMSG_SPACE(Int(CMPPSLinux_IN6_PKTINFO_SIZE)))

    /// The room a batch reserves per message unless told otherwise: the standard
    /// messages, plus a destination address when it records them.
    public static func defaultControlSize(recordsDestinations: Bool) -> Int {
        standardControlSize + (recordsDestinations ? destinationControlSize : 0)
    }

    /// Allocates room for `capacity` messages of up to `slotSize` bytes each.
    ///
    /// - Parameters:
    ///   - slotSize: bytes per message; give ``coalescedSlotSize`` on a socket with
    ///     UDP GRO, or a coalesced message longer than the slot is truncated.
    ///   - recordsSources: keep each message's source address (a copy the kernel
    ///     makes per datagram; leave it off when the sender's address is not needed,
    ///     or turn it on only while it is: ``recordsSources`` may change between calls).
    ///   - recordsDestinations: read each message's destination address in
    ///     ``forEachDatagram(_:)`` (`IP_PKTINFO`/`IPV6_PKTINFO`; the socket must ask for them).
    ///   - controlSize: bytes of control messages per message; nil (the default)
    ///     reserves ``defaultControlSize(recordsDestinations:)``. 0 receives none:
    ///     the leanest loop, for sockets without UDP GRO.
    /// - Precondition: 1 ≤ `capacity` ≤ 1024, `slotSize` ≥ 1, `controlSize` ≥ 0.
    public init(capacity: Int, slotSize: Int = 2048, recordsSources: Bool = true,
                recordsDestinations: Bool = false, controlSize: Int? = nil) {
        let controlSize = controlSize ?? Self.defaultControlSize(recordsDestinations: recordsDestinations)
        precondition(capacity >= 1 && capacity <= Self.maximumCapacity, "batch capacity must be 1...1024")
        precondition(slotSize >= 1 && slotSize <= Int(Int32.max), "slot size must be 1...2^31-1")
        precondition(controlSize >= 0 && controlSize <= 1 << 20, "control size must be 0...1 MiB")
        self.capacity = capacity
        self.slotSize = slotSize
        self.recordsSources = recordsSources
        self.recordsDestinations = recordsDestinations
        self.controlSize = controlSize
        messages = .allocate(capacity: capacity)
        vectors = .allocate(capacity: capacity)
        sources = .allocate(capacity: capacity)
        buffers = .allocate(byteCount: capacity * slotSize, alignment: 64)
        controls = .allocate(byteCount: max(capacity * controlSize, 1), alignment: 8)
        // The datagram buffers stay untouched: the kernel writes each before it is read, and
        // a page is faulted in only when a message first lands on it (a GRO batch reserves
        // 64 MiB, of which a receiver that keeps up uses a few slots).
        memset(controls, 0, max(capacity * controlSize, 1))
        sources.initialize(repeating: sockaddr_storage(), count: capacity)
        for i in 0..<capacity {
            vectors[i] = iovec(iov_base: buffers + i * slotSize, iov_len: slotSize)
            var header = msghdr()
            if controlSize > 0 {
                header.msg_control = controls + i * controlSize
                header.msg_controllen = controlSize
            }
            header.msg_iov = vectors + i
            header.msg_iovlen = 1
            messages[i] = CMPPSLinux_mmsghdr(msg_hdr: header, msg_len: 0)
        }
        pointNames(toSources: recordsSources)
    }

    /// Points every message at its address slot, or at none (the kernel then copies no address).
    private mutating func pointNames(toSources: Bool) {
        for i in 0..<capacity {
            messages[i].msg_hdr.msg_name = toSources ? UnsafeMutableRawPointer(sources + i) : nil
            messages[i].msg_hdr.msg_namelen = toSources ? socklen_t(MemoryLayout<sockaddr_storage>.size) : 0
        }
        namesInPlace = toSources
    }

    deinit {
        messages.deallocate()
        vectors.deallocate()
        sources.deallocate()
        buffers.deallocate()
        controls.deallocate()
    }

    /// Receives up to `limit` (at most ``capacity``) messages with one call:
    /// blocks until the first arrives, then takes what is already queued
    /// (`MSG_WAITFORONE`). Returns how many arrived; 0 when the socket's receive
    /// timeout passed, or it is non-blocking, with nothing to read (EAGAIN is a
    /// result, not an error).
    ///
    /// **The end.** Once the socket is shut down for reading
    /// (``UDPSocket/shutdownReceiving()``, from any thread: it wakes a blocked call),
    /// the datagrams already queued are still returned; then this throws
    /// ``Errno/shutDown`` (`ESHUTDOWN`): the socket will give nothing more, as a
    /// `read` of 0 ends a file. The kernel marks the end with empty messages that
    /// carry no address; they are never counted as datagrams. A batch that does not
    /// record sources cannot tell those from datagrams of 0 bytes, so empty messages
    /// that end the call that saw the shutdown are taken as the end.
    ///
    /// **Errors a loop continues past.** On a connected socket, an ICMP error for an
    /// earlier datagram (the peer's port was closed) is reported once, by the next
    /// call, as `ECONNREFUSED` (``Errno/connectionRefused``); nothing was lost or
    /// consumed, so call again. `ENOBUFS` below is the batch's own misfit and repeats.
    ///
    /// Throws `ENOBUFS` as `recvmmsg (no room for control messages)` when the
    /// kernel cut a message's control data short and its UDP GRO segment size is
    /// not among what arrived (`MSG_CTRUNC`): the batch was made with too little
    /// ``controlSize`` for the socket's options, and its messages cannot be split
    /// into datagrams. The call's messages then read as none (``count`` is 0).
    ///
    /// **One message.** A call for one message (`limit` 1 or ``capacity`` 1) on a
    /// batch without control space (`controlSize: 0`) is made with `recvfrom(2)`,
    /// which costs the kernel less than `recvmmsg` of one (BENCHMARKS s); what it
    /// returns reads the same, and a failed call's error is named `recvfrom` (the
    /// end is still `recvmmsg`'s `ESHUTDOWN`, whichever call met it).
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
        let used = self.used
        if recordsSources != namesInPlace {
            pointNames(toSources: recordsSources)
        } else if recordsSources {
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
        self.used = 0
        // A negative limit would wrap to a huge vlen, which the kernel caps at
        // 1024, not at our capacity: it would read and write past the batch.
        precondition(limit >= 0, "receive limit must not be negative")
        let vlen = UInt32(truncatingIfNeeded: min(limit, capacity))
        // MSG_TRUNC makes each length the datagram's own, even when longer than its slot.
        let received = vlen == 1 && controlSize == 0
            ? try Syscalls.receiveOne(descriptor, messages, flags: Int32(MSG_TRUNC))
            : try Syscalls.receiveMessages(descriptor, messages, count: vlen, flags: CMPPSLinux_MSG_WAITFORONE | Int32(MSG_TRUNC))
        self.used = received
        let n = received > 0 ? try messagesBeforeTheEnd(received, descriptor: descriptor) : 0
        // A segment size the kernel had no room for would make a coalesced message
        // count as one datagram: refuse the call rather than undercount. One load per
        // message; the control area is walked only for a message the kernel flagged.
        var i = 0
        while i < n {
            if messages[i].msg_hdr.msg_flags & Int32(MSG_CTRUNC) != 0 && segmentSizeUnchecked(i) == 0 {
                throw SocketError("recvmmsg (no room for control messages)", code: ENOBUFS)
            }
            i &+= 1
        }
        count = n
        return n
    }

    /// The messages of a call that returned `received` before the kernel's
    /// end-of-stream marks (see ``receive(from:limit:)``); throws ``Errno/shutDown``
    /// when the call holds nothing else. Costs one load when the last message is a
    /// datagram; a `poll` only when it is an empty message and sources are not recorded.
    @inline(__always)
    private func messagesBeforeTheEnd(_ received: Int, descriptor: Int32) throws(SocketError) -> Int {
        var end = received
        if namesInPlace {
            // Every datagram has an address (the kernel writes its length); an end mark has none.
            while end > 0 && messages[end &- 1].msg_hdr.msg_namelen == 0 { end &-= 1 }
        } else if messages[end &- 1].msg_len == 0 && Syscalls.isShutDownForReading(descriptor) {
            while end > 0 && messages[end &- 1].msg_len == 0 { end &-= 1 }
        }
        if end == 0 { throw SocketError("recvmmsg", code: ESHUTDOWN) }
        return end
    }

    /// The length of message `index` as received (at most ``slotSize``).
    @inline(__always)
    public func length(at index: Int) -> Int {
        precondition(index >= 0 && index < count, "datagram index out of range")
        return lengthUnchecked(index)
    }

    /// The received length, bounded by the slot whatever the kernel reported.
    @inline(__always)
    private func lengthUnchecked(_ index: Int) -> Int {
        min(Int(messages[index].msg_len), slotSize)
    }

    /// Whether message `index` was longer than ``slotSize`` and lost its tail.
    @inline(__always)
    public func isTruncated(at index: Int) -> Bool {
        precondition(index >= 0 && index < count, "datagram index out of range")
        return messages[index].msg_hdr.msg_flags & Int32(MSG_TRUNC) != 0
    }

    /// The length message `index` had when it arrived: ``length(at:)``, or more
    /// when it was truncated (the kernel reports it with `MSG_TRUNC`; Linux 2.6.22 or later).
    public func originalLength(at index: Int) -> Int {
        precondition(index >= 0 && index < count, "datagram index out of range")
        return Int(messages[index].msg_len)
    }

    /// The sum of the lengths of the messages from the last receive.
    @inline(__always)
    public func totalLength() -> Int {
        var total = 0
        var i = 0
        while i < count {
            total &+= lengthUnchecked(i)
            i &+= 1
        }
        return total
    }

    /// Calls `body` with the bytes of message `index`, valid only inside the call.
    @inline(__always)
    public func withUnsafeBytes<R>(at index: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        precondition(index >= 0 && index < count, "datagram index out of range")
        return try body(unsafeBytes(at: index))
    }

    /// The bytes of message `index`, in place: valid only until the next receive
    /// and while the batch lives. For loops that must not capture a closure.
    @inline(__always)
    public func unsafeBytes(at index: Int) -> UnsafeRawBufferPointer {
        // The product cannot overflow: init allocated capacity * slotSize bytes and index < capacity.
        UnsafeRawBufferPointer(start: buffers + index &* slotSize, count: length(at: index))
    }

    /// The address message `index` came from; nil when the last call did not record
    /// sources (``recordsSources``), or when the kernel gave no address for it.
    public func sourceAddress(at index: Int) -> SocketAddress? {
        precondition(index >= 0 && index < count, "datagram index out of range")
        return sourceUnchecked(index)
    }

    /// The source the kernel wrote for message `index` in the last call, never an older one.
    @inline(__always)
    private func sourceUnchecked(_ index: Int) -> SocketAddress? {
        sourcePointer(index).flatMap { SocketAddress($0) }
    }

    /// Where the kernel wrote message `index`'s source in the last call; nil when it wrote none.
    @inline(__always)
    private func sourcePointer(_ index: Int) -> UnsafeRawPointer? {
        guard namesInPlace && messages[index].msg_hdr.msg_namelen > 0 else { return nil }
        return UnsafeRawPointer(sources + index)
    }

    /// Where message `index`'s source address lies in the batch, as the kernel
    /// wrote it (a `sockaddr_in` or `sockaddr_in6`), for a loop that reads it only
    /// now and then (``SocketAddress/init(_:)``); nil when the last call did
    /// not record sources or the kernel wrote none for it. Valid until the next
    /// receive and while the batch lives.
    @inline(__always)
    public func unsafeSourceAddress(at index: Int) -> UnsafeRawPointer? {
        precondition(index >= 0 && index < count, "datagram index out of range")
        return sourcePointer(index)
    }

    /// The address message `index` was sent to, with port 0 (the control message
    /// carries no port: it is the socket's): one of this host's addresses, or a
    /// multicast or broadcast group. nil when the socket does not ask for it
    /// (``UDPSocket/setReceiveDestinationAddress(_:)``) or the batch has no room.
    /// Read from an `IP_PKTINFO` (Linux 2.2 or later) or `IPV6_PKTINFO` (Linux 2.6.14
    /// or later) control message of `recvmmsg(2)`.
    public func destinationAddress(at index: Int) -> SocketAddress? {
        precondition(index >= 0 && index < count, "datagram index out of range")
        return destinationUnchecked(index)
    }

    private func destinationUnchecked(_ index: Int) -> SocketAddress? {
        let control = controlArea(index)
        if let data = ControlMessages.data(in: control, level: Int32(IPPROTO_IP), type: CMPPSLinux_IP_PKTINFO),
           data.count >= Int(CMPPSLinux_IN_PKTINFO_SIZE) {
            // Safety: the data holds a whole in_pktinfo, checked just above.
            return .ipv4(networkOrderAt: data.baseAddress! + Int(CMPPSLinux_IN_PKTINFO_ADDR_OFFSET), port: 0)
        }
        if let data = ControlMessages.data(in: control, level: Int32(IPPROTO_IPV6), type: CMPPSLinux_IPV6_PKTINFO),
           data.count >= Int(CMPPSLinux_IN6_PKTINFO_SIZE) {
            // Safety: the data holds a whole in6_pktinfo, checked just above.
            return .ipv6(bytesAt: data.baseAddress! + Int(CMPPSLinux_IN6_PKTINFO_ADDR_OFFSET), port: 0)
        }
        return nil
    }

    /// The control messages the kernel wrote for message `index`, bounded by the
    /// room the batch reserved whatever length the kernel reported.
    @inline(__always)
    private func controlArea(_ index: Int) -> UnsafeRawBufferPointer {
        let written = messages[index].msg_hdr.msg_controllen
        let length = written < 0 ? 0 : min(written, controlSize)
        return UnsafeRawBufferPointer(start: controls + index &* controlSize, count: length)
    }

    /// The segment size of message `index` when the kernel coalesced several
    /// datagrams into it (UDP GRO): each is this long but the last, which may be
    /// shorter. 0 when the message is one datagram.
    @inline(__always)
    public func segmentSize(at index: Int) -> Int {
        precondition(index >= 0 && index < count, "datagram index out of range")
        return segmentSizeUnchecked(index)
    }

    @inline(__always)
    private func segmentSizeUnchecked(_ index: Int) -> Int {
        guard controlSize > 0 else { return 0 }
        let value = ControlMessages.value(in: controlArea(index), level: CMPPSLinux_SOL_UDP, type: CMPPSLinux_UDP_GRO)
        return value.map { Int($0) } ?? 0
    }

    /// The number of datagrams message `index` holds: 1, or more when coalesced.
    /// A segment size of 0 or one not shorter than the message means one datagram.
    @inline(__always)
    public func datagramCount(at index: Int) -> Int {
        Self.datagramCount(length: length(at: index), segmentSize: segmentSize(at: index))
    }

    /// Datagrams in a message of `length` bytes cut every `segmentSize` bytes
    /// (1 when the size is 0 or not shorter than the message).
    @inline(__always)
    package static func datagramCount(length: Int, segmentSize: Int) -> Int {
        // length > size ≥ 1 here, so (length - 1) / size + 1 is ⌈length / size⌉ without overflow.
        segmentSize > 0 && length > segmentSize ? (length &- 1) / segmentSize &+ 1 : 1
    }

    /// A 32-bit control message of message `index` (for example `SO_RXQ_OVFL`'s
    /// drop count), or nil when the kernel did not attach one.
    public func controlValue(at index: Int, level: Int32, type: Int32) -> UInt32? {
        precondition(index >= 0 && index < count, "datagram index out of range")
        guard controlSize > 0 else { return nil }
        return ControlMessages.value(in: controlArea(index), level: level, type: type)
    }

    /// Calls `body` once for every datagram of the last receive, in order:
    /// a message UDP GRO coalesced is split by its segment size (the last piece
    /// may be shorter), so `body` sees exactly the datagrams that were sent.
    ///
    /// Each ``ReceivedDatagram`` points into the batch: its bytes are valid only
    /// during the call. The source (when ``recordsSources``) and the destination
    /// (when ``recordsDestinations``) are read once per message. Nothing is
    /// allocated. A segment size of 0, or one not shorter than the message,
    /// means one datagram; no value can make the walk trap or loop.
    /// The segment sizes are `recvmmsg(2)`'s `SOL_UDP`/`UDP_GRO` control messages (Linux 5.0 or later).
    @inlinable
    public func forEachDatagram<E: Error>(_ body: (ReceivedDatagram) throws(E) -> Void) throws(E) {
        // Inlinable, so a caller's loop is specialized and `body` inlined into it; the
        // per-message reads (lengths, control messages, addresses) stay behind one call.
        var index = 0
        while index < count {
            let message = messageView(index)
            try Self.forEachSegment(length: message.length, segmentSize: message.segmentSize) { (offset, piece, segment) throws(E) in
                // Safety: offset + piece ≤ length ≤ slotSize: inside the message's slot.
                try body(ReceivedDatagram(bytes: UnsafeRawBufferPointer(start: message.start + offset, count: piece),
                                          source: message.source, destination: message.destination, message: index,
                                          segment: segment, isTruncated: message.isTruncated))
            }
            index &+= 1
        }
    }

    /// What ``forEachDatagram(_:)`` needs of message `index`, read once.
    @usableFromInline
    func messageView(_ index: Int) -> MessageView {
        precondition(index >= 0 && index < count, "datagram index out of range")
        return MessageView(start: UnsafeRawPointer(buffers + index &* slotSize), length: lengthUnchecked(index),
                           segmentSize: segmentSizeUnchecked(index),
                           source: sourceUnchecked(index),
                           destination: recordsDestinations ? destinationUnchecked(index) : nil,
                           isTruncated: messages[index].msg_hdr.msg_flags & Int32(MSG_TRUNC) != 0)
    }

    /// Calls `body(offset, length, segment)` for each datagram of a message of
    /// `length` bytes that the kernel cut every `segmentSize` bytes: once with the
    /// whole message when the size is 0 or not shorter than it, else every `segmentSize`
    /// bytes, the last piece maybe shorter. The size comes from the kernel: any value
    /// ends the walk after at most `length` steps.
    @inlinable
    package static func forEachSegment<E: Error>(length: Int, segmentSize: Int,
                                                 _ body: (Int, Int, Int) throws(E) -> Void) throws(E) {
        if segmentSize <= 0 || length <= segmentSize {
            try body(0, length, 0)
            return
        }
        var offset = 0
        var segment = 0
        while offset < length {
            // segmentSize ≥ 1 and offset < length: every step advances, and nothing overflows.
            let piece = min(segmentSize, length &- offset)
            try body(offset, piece, segment)
            offset &+= piece
            segment &+= 1
        }
    }

    /// The number of datagrams in the last receive, counting each coalesced message by its
    /// segments (the count ``forEachDatagram(_:)`` visits, without visiting them).
    @inline(__always)
    public func totalDatagramCount() -> Int {
        var total = 0
        var i = 0
        while i < count {
            total &+= Self.datagramCount(length: lengthUnchecked(i), segmentSize: segmentSizeUnchecked(i))
            i &+= 1
        }
        return total
    }
}

/// One datagram of a ``ReceiveBatch``, as ``ReceiveBatch/forEachDatagram(_:)``
/// hands it over: its bytes in place, where it came from and where it went.
///
/// The bytes point into the batch and are valid only during the call that
/// received this value; copy them to keep them.
public struct ReceivedDatagram {
    @usableFromInline
    init(bytes: UnsafeRawBufferPointer, source: SocketAddress?, destination: SocketAddress?, message: Int, segment: Int,
         isTruncated: Bool) {
        self.bytes = bytes
        self.source = source
        self.destination = destination
        self.message = message
        self.segment = segment
        self.isTruncated = isTruncated
    }


    /// The payload, in place in the batch.
    public let bytes: UnsafeRawBufferPointer
    /// The sender's address; nil when the batch does not record sources or the
    /// kernel gave none.
    public let source: SocketAddress?
    /// The address it was sent to, with port 0 (see ``ReceiveBatch/destinationAddress(at:)``);
    /// nil unless the batch records destinations and the socket asked for them.
    public let destination: SocketAddress?
    /// The message of the batch it arrived in (for the per-message accessors).
    public let message: Int
    /// Its place in that message: 0, or more for the later datagrams of a coalesced message.
    public let segment: Int
    /// Whether its message was longer than the slot, so this datagram or a later one lost bytes.
    public let isTruncated: Bool
}

/// One received message as ``ReceiveBatch/forEachDatagram(_:)`` walks it: where its
/// bytes are, how the kernel cut it, and the addresses of all its datagrams.
@usableFromInline
struct MessageView {
    @usableFromInline let start: UnsafeRawPointer
    @usableFromInline let length: Int
    @usableFromInline let segmentSize: Int
    @usableFromInline let source: SocketAddress?
    @usableFromInline let destination: SocketAddress?
    @usableFromInline let isTruncated: Bool

    @usableFromInline
    init(start: UnsafeRawPointer, length: Int, segmentSize: Int, source: SocketAddress?, destination: SocketAddress?,
         isTruncated: Bool) {
        self.start = start
        self.length = length
        self.segmentSize = segmentSize
        self.source = source
        self.destination = destination
        self.isTruncated = isTruncated
    }
}
