#if canImport(Glibc)
import Glibc
#endif
internal import CMPPSLinux

/// Up to ``capacity`` messages ready for one `sendmmsg` call, allocated once in
/// `init`, reused by every call, freed when the value ends.
///
/// Each message has its own buffer of ``segmentsPerMessage`` × ``payloadSize``
/// bytes (zeroed at first), so a caller can stamp per-datagram contents in place.
/// With one segment per message each message is one datagram. With more, each
/// message carries its own UDP GSO segment size, ``payloadSize`` (a `UDP_SEGMENT`
/// control message, Linux 4.18 or later), whatever the socket's setting: the kernel
/// cuts each message into datagrams of that size, the last one shorter when the
/// message length is not a multiple of it, and the counts say what it cut.
///
/// On an unconnected socket, make the batch with `perMessageDestinations` and
/// give each message its peer (``setDestination(_:at:)``): one call then answers
/// many peers. With `perMessageSegmentSizes`, each message can carry its own GSO
/// segment size (``setSegmentSize(_:at:)``), and the socket needs no GSO setting
/// of its own. Neither costs the plain connected path anything: they are set up
/// once per message, not per call.
///
/// ``send(on:from:to:)`` is one `sendmmsg`; ``sendAll(from:firstSegment:to:on:)``
/// finishes a range, counts datagrams, and falls back from GSO when the kernel
/// refuses it. A batch belongs to one thread.
public struct SendBatch: ~Copyable {
    /// How many messages one call can send.
    public let capacity: Int
    /// The payload bytes of every datagram (the GSO segment size).
    public let payloadSize: Int
    /// Datagrams per message: 1 without GSO.
    public let segmentsPerMessage: Int
    /// Whether each message has its own destination (``setDestination(_:at:)``).
    public let perMessageDestinations: Bool
    /// Whether each message can have its own GSO segment size (``setSegmentSize(_:at:)``):
    /// asked for, or implied by several segments per message.
    public let perMessageSegmentSizes: Bool

    private let messages: UnsafeMutablePointer<CMPPSLinux_mmsghdr>
    private let vectors: UnsafeMutablePointer<iovec>
    private let payloads: UnsafeMutableRawPointer
    private let stride: Int
    /// One `sockaddr_in6`-sized slot per message, when messages have destinations.
    private let names: UnsafeMutableRawPointer?
    /// One `UDP_SEGMENT` control message per message, when they have segment sizes.
    private let controls: UnsafeMutableRawPointer?
    /// Headers and vectors to send GSO messages one datagram at a time, once the
    /// kernel refused GSO; allocated with the batch when it can carry GSO at all.
    private let splitMessages: UnsafeMutablePointer<CMPPSLinux_mmsghdr>?
    private let splitVectors: UnsafeMutablePointer<iovec>?
    private let splitCapacity: Int

    /// The largest `capacity` the kernel accepts in one call (`UIO_MAXIOV`).
    public static let maximumCapacity = 1024

    /// The most segments Linux cuts one GSO message into (`UDP_MAX_SEGMENTS`): 64 since UDP GSO
    /// came (Linux 4.18), 128 since 2024 (stable kernels included). An older kernel refuses a
    /// message of more than 64 with `EINVAL`.
    public static let maximumSegments = 128

    /// The room one `UDP_SEGMENT` control message takes: `CMSG_SPACE(sizeof(uint16_t))`.
    static let segmentControlSize = ControlMessages.space(payload: MemoryLayout<UInt16>.size)
    /// The room for one destination: a `sockaddr_in6`, the larger of the two families.
    static let nameSize = MemoryLayout<sockaddr_in6>.stride

    /// Allocates `capacity` messages of `segmentsPerMessage` datagrams of
    /// `payloadSize` zero bytes each.
    /// - Parameters:
    ///   - perMessageDestinations: give each message its own destination
    ///     (`msg_name`), for unconnected sockets. Until set, a message has none.
    ///   - perMessageSegmentSizes: let each message carry its own GSO segment size
    ///     (a `UDP_SEGMENT` control message, Linux 4.18 or later). Until set, a message
    ///     has none, unless `segmentsPerMessage` > 1: then each starts with ``payloadSize``.
    /// - Precondition: 1 ≤ `capacity` ≤ 1024, 0 ≤ `payloadSize` ≤ 65527,
    ///   1 ≤ `segmentsPerMessage` ≤ 128.
    public init(capacity: Int, payloadSize: Int, segmentsPerMessage: Int = 1,
                perMessageDestinations: Bool = false, perMessageSegmentSizes: Bool = false) {
        precondition(capacity >= 1 && capacity <= Self.maximumCapacity, "batch capacity must be 1...1024")
        precondition(payloadSize >= 0 && payloadSize <= 65527, "payload must be 0...65527 bytes")
        precondition(segmentsPerMessage >= 1 && segmentsPerMessage <= Self.maximumSegments, "segments must be 1...128")
        self.capacity = capacity
        self.payloadSize = payloadSize
        self.segmentsPerMessage = segmentsPerMessage
        self.perMessageDestinations = perMessageDestinations
        // Several segments per message are cut by the message's own size, never by a
        // socket setting the batch cannot see: the count must be what the kernel cut.
        let perMessageSegmentSizes = perMessageSegmentSizes || segmentsPerMessage > 1
        self.perMessageSegmentSizes = perMessageSegmentSizes
        messages = .allocate(capacity: capacity)
        vectors = .allocate(capacity: capacity)
        stride = max(payloadSize * segmentsPerMessage, 1)
        payloads = Self.zeroedBytes(capacity * stride, alignment: 64)
        names = perMessageDestinations ? Self.zeroedBytes(capacity * Self.nameSize, alignment: 8) : nil
        controls = perMessageSegmentSizes ? Self.zeroedBytes(capacity * Self.segmentControlSize, alignment: 8) : nil
        for i in 0..<capacity {
            vectors[i] = iovec(iov_base: payloads + i * stride, iov_len: payloadSize * segmentsPerMessage)
            messages[i] = Self.header(vector: vectors + i)
        }
        if segmentsPerMessage > 1 || perMessageSegmentSizes {
            // Enough single-datagram headers for a whole batch's datagrams, up to one call's worth.
            let split = min(Self.maximumCapacity, capacity * (perMessageSegmentSizes ? Self.maximumSegments : segmentsPerMessage))
            let splitMessages = UnsafeMutablePointer<CMPPSLinux_mmsghdr>.allocate(capacity: split)
            let splitVectors = UnsafeMutablePointer<iovec>.allocate(capacity: split)
            for i in 0..<split {
                splitVectors[i] = iovec(iov_base: nil, iov_len: 0)
                splitMessages[i] = Self.header(vector: splitVectors + i)
            }
            self.splitMessages = splitMessages
            self.splitVectors = splitVectors
            splitCapacity = split
        } else {
            splitMessages = nil
            splitVectors = nil
            splitCapacity = 0
        }
        if segmentsPerMessage > 1 {
            for i in 0..<capacity { setSegmentSize(payloadSize, at: i) }
        }
    }

    /// `byteCount` zero bytes aligned to `alignment`.
    private static func zeroedBytes(_ byteCount: Int, alignment: Int) -> UnsafeMutableRawPointer {
        let bytes = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: alignment)
        memset(bytes, 0, byteCount)
        return bytes
    }

    /// A message header that sends the one buffer `vector` describes, with no name and no control.
    private static func header(vector: UnsafeMutablePointer<iovec>) -> CMPPSLinux_mmsghdr {
        var header = msghdr()
        header.msg_iov = vector
        header.msg_iovlen = 1
        return CMPPSLinux_mmsghdr(msg_hdr: header, msg_len: 0)
    }

    deinit {
        messages.deallocate()
        vectors.deallocate()
        payloads.deallocate()
        names?.deallocate()
        controls?.deallocate()
        splitMessages?.deallocate()
        splitVectors?.deallocate()
    }

    /// Whether messages of this batch may carry several datagrams (GSO), so that
    /// a kernel's refusal of GSO is met by sending them one datagram at a time.
    public var carriesSegmentation: Bool { splitCapacity > 0 }

    /// The bytes each message's buffer holds: ``segmentsPerMessage`` × ``payloadSize``.
    public var messageCapacity: Int { payloadSize * segmentsPerMessage }

    // MARK: Contents

    /// Calls `body` with the writable payload of datagram `segment` of message `index`.
    @inline(__always)
    public func withUnsafeMutablePayload<R>(at index: Int, segment: Int = 0, _ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        precondition(index >= 0 && index < capacity, "message index out of range")
        precondition(segment >= 0 && segment < segmentsPerMessage, "segment index out of range")
        return try body(UnsafeMutableRawBufferPointer(start: payloads + index * stride + segment * payloadSize, count: payloadSize))
    }

    /// Calls `body` with the whole writable buffer of message `index`
    /// (``messageCapacity`` bytes), for contents that do not follow the segments.
    @inline(__always)
    public func withUnsafeMutableMessage<R>(at index: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        precondition(index >= 0 && index < capacity, "message index out of range")
        return try body(UnsafeMutableRawBufferPointer(start: payloads + index * stride, count: messageCapacity))
    }

    /// Copies `bytes` into message `index` and makes it send exactly them.
    /// - Precondition: `bytes.count` ≤ ``messageCapacity``.
    @inline(__always)
    public func setMessage(copying bytes: UnsafeRawBufferPointer, at index: Int) {
        precondition(index >= 0 && index < capacity, "message index out of range")
        precondition(bytes.count <= messageCapacity, "message longer than its buffer")
        if let source = bytes.baseAddress, bytes.count > 0 {
            // Safety: the message's buffer holds messageCapacity ≥ bytes.count bytes.
            (payloads + index &* stride).copyMemory(from: source, byteCount: bytes.count)
        }
        vectors[index].iov_len = bytes.count
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

    /// Writes a data ``SequenceHeader`` into each of the first `count` datagrams,
    /// in the order they go out (message by message, segment by segment), with
    /// sequence numbers from `firstSequence` and one send time for all of them.
    ///
    /// The sender's hot path: the header's first 8 bytes (magic, kind, host tag,
    /// flow) are the same word for the whole flow, so each datagram costs two or
    /// three stores and no checks: the datagrams' buffers lie end to end,
    /// ``payloadSize`` bytes apart, and the bounds are checked once per call.
    /// Payloads shorter than ``SequenceHeader/size`` are left as they are; shorter
    /// than ``SequenceHeader/sizeWithTime``, they get no send time.
    /// - Precondition: 0 ≤ `count` ≤ ``capacity`` × ``segmentsPerMessage``.
    @inline(__always)
    public func stampDataHeaders(flow: UInt32, hostTag: UInt8, firstSequence: UInt64, sendTime: UInt64, count: Int) {
        precondition(count >= 0 && count <= capacity &* segmentsPerMessage, "more datagrams than the batch holds")
        guard payloadSize >= SequenceHeader.size else { return }
        let prefix = SequenceHeader.prefix(kind: .data, hostTag: hostTag, flow: flow).littleEndian
        let time = sendTime.littleEndian
        let step = payloadSize
        var slot = payloads
        var sequence = firstSequence
        // Safety: datagram i of the batch starts at payloads + i × payloadSize (stride is
        // payloadSize × segmentsPerMessage), and i < capacity × segmentsPerMessage.
        if payloadSize >= SequenceHeader.sizeWithTime {
            for _ in 0..<count {
                slot.storeBytes(of: prefix, as: UInt64.self)
                slot.storeBytes(of: sequence.littleEndian, toByteOffset: 8, as: UInt64.self)
                slot.storeBytes(of: time, toByteOffset: 16, as: UInt64.self)
                slot += step
                sequence &+= 1
            }
        } else {
            for _ in 0..<count {
                slot.storeBytes(of: prefix, as: UInt64.self)
                slot.storeBytes(of: sequence.littleEndian, toByteOffset: 8, as: UInt64.self)
                slot += step
                sequence &+= 1
            }
        }
    }

    // MARK: Destinations and segment sizes

    /// Sends message `index` to `address` (its `msg_name` in `sendmmsg(2)`, Linux 3.0
    /// or later), or to the socket's connected peer when nil. The address is copied
    /// into the batch, once: set it again only when the peer changes.
    /// - Precondition: the batch was made with `perMessageDestinations`.
    public func setDestination(_ address: SocketAddress?, at index: Int) {
        precondition(index >= 0 && index < capacity, "message index out of range")
        guard let names else { preconditionFailure("the batch was made without perMessageDestinations") }
        if let address {
            let slot = names + index &* Self.nameSize
            messages[index].msg_hdr.msg_namelen = address.write(to: slot)
            messages[index].msg_hdr.msg_name = slot
        } else {
            messages[index].msg_hdr.msg_name = nil
            messages[index].msg_hdr.msg_namelen = 0
        }
    }

    /// The destination of message `index`; nil when it has none (the connected peer).
    public func destination(at index: Int) -> SocketAddress? {
        precondition(index >= 0 && index < capacity, "message index out of range")
        guard let name = messages[index].msg_hdr.msg_name else { return nil }
        return SocketAddress(UnsafeRawPointer(name))
    }

    /// Makes the kernel cut message `index` into datagrams of `bytes` (UDP GSO
    /// for this message alone, whatever the socket's own setting), or, with 0,
    /// sends it under the socket's setting. A message of more than 128 segments is
    /// refused by the kernel (`EINVAL`), which turns GSO off for the socket.
    /// The corresponding C control message is `SOL_UDP`/`UDP_SEGMENT` (a `uint16_t`); Linux 4.18 or later.
    /// - Precondition: the batch was made with `perMessageSegmentSizes`; 0 ≤ `bytes` ≤ 65535.
    public func setSegmentSize(_ bytes: Int, at index: Int) {
        precondition(index >= 0 && index < capacity, "message index out of range")
        precondition(bytes >= 0 && bytes <= Int(UInt16.max), "a segment size is 0...65535 bytes")
        guard let controls else { preconditionFailure("the batch was made without perMessageSegmentSizes") }
        if bytes == 0 {
            messages[index].msg_hdr.msg_control = nil
            messages[index].msg_hdr.msg_controllen = 0
            return
        }
        let control = controls + index &* Self.segmentControlSize
        // Safety: each message owns segmentControlSize bytes: a header and a uint16_t, padded.
        control.storeBytes(of: UInt(ControlMessages.headerSize + MemoryLayout<UInt16>.size), as: UInt.self)
        control.storeBytes(of: CMPPSLinux_SOL_UDP, toByteOffset: MemoryLayout<Int>.size, as: Int32.self)
        control.storeBytes(of: CMPPSLinux_UDP_SEGMENT, toByteOffset: MemoryLayout<Int>.size + 4, as: Int32.self)
        control.storeBytes(of: UInt16(bytes), toByteOffset: ControlMessages.headerSize, as: UInt16.self)
        messages[index].msg_hdr.msg_control = control
        messages[index].msg_hdr.msg_controllen = Self.segmentControlSize
    }

    /// The GSO segment size message `index` carries itself; 0 when it has none.
    public func segmentSize(at index: Int) -> Int {
        precondition(index >= 0 && index < capacity, "message index out of range")
        return ownSegmentSize(index)
    }

    @inline(__always)
    private func ownSegmentSize(_ index: Int) -> Int {
        guard let controls, messages[index].msg_hdr.msg_control != nil else { return 0 }
        return Int((controls + index &* Self.segmentControlSize).load(fromByteOffset: ControlMessages.headerSize, as: UInt16.self))
    }

    /// The size the kernel cuts message `index` at: its own segment size, else the
    /// socket's (`socketSize`, 0 when it has none), else 0: the message is one datagram.
    @inline(__always)
    private func cutSize(_ index: Int, socketSize: Int) -> Int {
        let own = ownSegmentSize(index)
        return own > 0 ? own : socketSize
    }

    /// The datagrams message `index` becomes: 1, or with GSO its length divided
    /// by its segment size, rounded up (a message of 0 bytes is one empty datagram).
    /// A message without a segment size of its own is cut by the socket's, if it
    /// has one: pass it as `socketSegmentSize` (``SendState/socketSegmentSize``).
    public func datagramCount(at index: Int, socketSegmentSize: Int = 0) -> Int {
        precondition(index >= 0 && index < capacity, "message index out of range")
        return datagramsUnchecked(index, socketSize: max(0, socketSegmentSize))
    }

    @inline(__always)
    private func datagramsUnchecked(_ index: Int, socketSize: Int) -> Int {
        ReceiveBatch.datagramCount(length: vectors[index].iov_len, segmentSize: cutSize(index, socketSize: socketSize))
    }

    // MARK: Sending

    /// Sends messages `start..<end` with one call and returns how many the kernel
    /// accepted, which may be fewer than asked (send the rest with another call).
    /// Returns 0 when the socket's send timeout passed (EAGAIN is a result).
    ///
    /// Throws `ECONNREFUSED` when an earlier datagram drew an ICMP port
    /// unreachable: on loopback that only means nobody listened yet, and the
    /// caller decides whether to count it and go on. The message it was about
    /// to send was not sent.
    /// A single message without control messages goes with `sendto(2)` (errors named `sendto`).
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
        return try sendCall(descriptor, from: start, to: end)
    }

    /// One call for messages `start..<end`: `sendto(2)` for a single message without
    /// control messages (the kernel's cheaper path for one, BENCHMARKS s), `sendmmsg(2)` otherwise.
    @inline(__always)
    private func sendCall(_ descriptor: Int32, from start: Int, to end: Int) throws(SocketError) -> Int {
        if end &- start == 1 && messages[start].msg_hdr.msg_controllen == 0 {
            return try Syscalls.sendOne(descriptor, messages + start)
        }
        return try Syscalls.sendMessages(descriptor, messages + start, count: UInt32(truncatingIfNeeded: end &- start))
    }

    /// Sends messages `start..<end` (from datagram `firstSegment` of the first)
    /// with as many `sendmmsg` calls as the kernel needs, and says exactly what
    /// it sent (see ``SendOutcome``). A partial send is finished here; a refusal
    /// (`ECONNREFUSED`) is counted and the call made again.
    ///
    /// When the batch ``carriesSegmentation`` and the kernel refuses a GSO send
    /// with `EIO` or `EINVAL`, the socket's ``UDPSocket/sendState`` remembers it,
    /// its `UDP_SEGMENT` is set to 0, and this and every later call sends the same
    /// bytes one datagram per message: every datagram goes out exactly once.
    /// A call for a single message without control messages is made with `sendto(2)`.
    /// The corresponding C function is `sendmmsg(2)` (Linux 3.0 or later); GSO needs Linux 4.18.
    public func sendAll(from start: Int = 0, firstSegment: Int = 0, to end: Int, on socket: inout UDPSocket) -> SendOutcome {
        let descriptor = socket.descriptor
        return sendAll(from: start, firstSegment: firstSegment, to: end, descriptor: descriptor, state: &socket.sendState)
    }

    /// The same as ``sendAll(from:firstSegment:to:on:)`` on a descriptor the
    /// caller keeps open, with the socket's ``SendState`` kept by the caller.
    /// - Precondition: 0 ≤ `start` ≤ `end` ≤ ``capacity``; `firstSegment` is 0
    ///   or less than the datagrams of message `start`.
    public func sendAll(from start: Int = 0, firstSegment: Int = 0, to end: Int, descriptor: Int32,
                        state: inout SendState) -> SendOutcome {
        precondition(start >= 0 && start <= end && end <= capacity, "message range out of bounds")
        // What the socket's own UDP_SEGMENT cuts (0 once GSO was refused: it was set to 0 then).
        let socketSize = state.socketSegmentSize
        precondition(firstSegment == 0 || (start < end && firstSegment > 0
                                           && firstSegment < datagramsUnchecked(start, socketSize: socketSize)),
                     "first segment out of range")
        var outcome = SendOutcome()
        var next = start
        var segment = firstSegment
        while next < end {
            if segment > 0 || (carriesSegmentation && !state.allowsSegmentation) {
                if !sendSplit(next: &next, segment: &segment, end: end, descriptor: descriptor,
                              socketSize: state.socketSegmentSize, outcome: &outcome) { break }
                continue
            }
            do throws(SocketError) {
                let sent = try sendCall(descriptor, from: next, to: end)
                if sent == 0 {
                    outcome.wouldBlock = true
                    break
                }
                outcome.calls &+= 1
                outcome.messages &+= sent
                if carriesSegmentation || socketSize > 0 {
                    countCut(next..<next &+ sent, socketSize: socketSize, into: &outcome)
                } else {
                    outcome.datagrams &+= sent
                }
                next &+= sent
            } catch where error.code == ECONNREFUSED {
                outcome.refused &+= 1
            } catch where error.code == ENOBUFS {
                outcome.noBuffers &+= 1
                break
            } catch where (error.code == EIO || error.code == EINVAL) && carriesSegmentation && state.allowsSegmentation {
                // The route refuses GSO: remember it, and turn the socket's own setting off so
                // that single datagrams do not go through the segmentation checks again.
                state.refuseSegmentation(error.errno)
                outcome.segmentationRefused = error.errno
                do throws(SocketError) {
                    try Syscalls.setOption(descriptor, CMPPSLinux_SOL_UDP, CMPPSLinux_UDP_SEGMENT, Int32(0), "setsockopt(UDP_SEGMENT)")
                } catch {
                    outcome.error = error
                    break
                }
            } catch {
                outcome.error = error
                break
            }
        }
        outcome.resumeSegment = segment
        return outcome
    }

    /// Counts the datagrams the kernel cut `messages`, taken whole, into, and
    /// those of them that were GSO sends (several datagrams).
    @inline(__always)
    private func countCut(_ messages: Range<Int>, socketSize: Int, into outcome: inout SendOutcome) {
        for index in messages {
            let cut = datagramsUnchecked(index, socketSize: socketSize)
            outcome.datagrams &+= cut
            if cut > 1 { outcome.segmentedMessages &+= 1 }
        }
    }

    /// Sends from datagram `segment` of message `next` on, one datagram per
    /// message, up to one call's worth, and advances the position by what the
    /// kernel took. False when the send must stop (``SendOutcome`` says why).
    private func sendSplit(next: inout Int, segment: inout Int, end: Int, descriptor: Int32, socketSize: Int,
                           outcome: inout SendOutcome) -> Bool {
        let filled = fillSplit(from: next, segment: segment, end: end, socketSize: socketSize)
        let (taken, going) = sendSplitHeaders(filled, descriptor: descriptor, outcome: &outcome)
        outcome.datagrams &+= taken
        advance(next: &next, segment: &segment, by: taken, socketSize: socketSize, outcome: &outcome)
        return going
    }

    /// Fills the split headers with the datagrams from datagram `segment` of
    /// message `next` on, up to message `end` or the headers' capacity, one
    /// datagram per header; returns how many it filled.
    @inline(__always)
    private func fillSplit(from next: Int, segment: Int, end: Int, socketSize: Int) -> Int {
        guard let splitMessages, let splitVectors else {
            preconditionFailure("a batch without GSO has no datagrams to split")
        }
        var filled = 0
        var message = next
        var piece = segment
        while filled < splitCapacity && message < end {
            let length = vectors[message].iov_len
            let size = cutSize(message, socketSize: socketSize)
            let count = ReceiveBatch.datagramCount(length: length, segmentSize: size)
            let base = vectors[message].iov_base!
            let name = messages[message].msg_hdr.msg_name
            let nameLength = messages[message].msg_hdr.msg_namelen
            while piece < count && filled < splitCapacity {
                // piece < count, so piece * size < length ≤ stride: in bounds and no overflow.
                let offset = size > 0 ? piece &* size : 0
                let bytes = size > 0 ? min(size, length &- offset) : length
                splitVectors[filled] = iovec(iov_base: base + offset, iov_len: bytes)
                splitMessages[filled].msg_hdr.msg_name = name
                splitMessages[filled].msg_hdr.msg_namelen = nameLength
                filled &+= 1
                piece &+= 1
            }
            if piece == count {
                message &+= 1
                piece = 0
            }
        }
        return filled
    }

    /// Sends the first `filled` split headers with as many calls as the kernel
    /// takes them in; returns how many it took, and false when the send must stop.
    @inline(__always)
    private func sendSplitHeaders(_ filled: Int, descriptor: Int32, outcome: inout SendOutcome) -> (taken: Int, going: Bool) {
        guard let splitMessages else { preconditionFailure("a batch without GSO has no datagrams to split") }
        var taken = 0
        while taken < filled {
            do throws(SocketError) {
                let sent = try Syscalls.sendMessages(descriptor, splitMessages + taken, count: UInt32(truncatingIfNeeded: filled &- taken))
                if sent == 0 {
                    outcome.wouldBlock = true
                    return (taken, false)
                }
                outcome.calls &+= 1
                taken &+= sent
            } catch where error.code == ECONNREFUSED {
                outcome.refused &+= 1
            } catch where error.code == ENOBUFS {
                outcome.noBuffers &+= 1
                return (taken, false)
            } catch {
                outcome.error = error
                return (taken, false)
            }
        }
        return (taken, true)
    }

    /// Moves the position (datagram `segment` of message `next`) on by `taken`
    /// datagrams, message by message, counting each message finished.
    @inline(__always)
    private func advance(next: inout Int, segment: inout Int, by taken: Int, socketSize: Int, outcome: inout SendOutcome) {
        var left = taken
        while left > 0 {
            let remaining = datagramsUnchecked(next, socketSize: socketSize) &- segment
            if left >= remaining {
                left &-= remaining
                next &+= 1
                segment = 0
                outcome.messages &+= 1
            } else {
                segment &+= left
                left = 0
            }
        }
    }
}
