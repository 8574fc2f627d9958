/// What sending on one socket has learned about the route, kept beside the
/// socket (``UDPSocket/sendState``, or by a caller that shares descriptors) and
/// updated by ``SendBatch/sendAll(from:firstSegment:to:descriptor:state:)``.
///
/// UDP GSO can be accepted by `setsockopt` and still be refused per send, with
/// `EIO` when the outgoing device cannot checksum the segments, or `EINVAL` when
/// a route or a segment size does not allow it. The first such refusal turns GSO
/// off for good on that socket: ``maximumSegments`` drops to 1, the batch sends the
/// same bytes one datagram per message, and the outcome of that one call carries
/// the refusal (``SendOutcome/segmentationRefused``) so the caller can say so once.
public struct SendState: Sendable, Equatable {
    /// The most datagrams one message may carry on this socket:
    /// ``SendBatch/maximumSegments`` until the kernel refuses GSO, then 1.
    public private(set) var maximumSegments: Int
    /// The error with which the kernel refused GSO on this socket; nil while it is allowed.
    public private(set) var segmentationRefusal: Errno?
    /// The GSO segment size set on the socket itself (``UDPSocket/setSegmentSize(_:)``),
    /// which the kernel applies to every message that carries none of its own; 0 for none.
    public private(set) var socketSegmentSize: Int

    /// A socket on which GSO has not been refused.
    public init() {
        maximumSegments = SendBatch.maximumSegments
        segmentationRefusal = nil
        socketSegmentSize = 0
    }

    /// Whether messages of several datagrams may still be sent as they are.
    @inline(__always)
    public var allowsSegmentation: Bool { maximumSegments > 1 }

    /// Records the kernel's refusal of GSO: from now on, one datagram per message.
    mutating func refuseSegmentation(_ errno: Errno) {
        maximumSegments = 1
        segmentationRefusal = errno
        socketSegmentSize = 0
    }

    /// Records the segment size just set on the socket.
    mutating func recordSocketSegmentSize(_ bytes: Int) {
        socketSegmentSize = bytes
    }
}

/// What one ``SendBatch/sendAll(from:firstSegment:to:descriptor:state:)`` call
/// did: exact counts of what the kernel took, and why it stopped early, if it did.
///
/// The call ends when every message of the range is sent, or earlier when the
/// socket's send timeout passed (``wouldBlock``), when the device queue was full
/// (``noBuffers``), or when a call failed for another reason (``error``). What was
/// sent before that is counted all the same: nothing sent is missing from the
/// counts, and nothing is counted twice. Resume with the next message (``messages``
/// past the start) and, if it was partly sent, ``resumeSegment``.
public struct SendOutcome: Sendable, Equatable {
    /// Messages of the range the kernel took completely (a message sent one
    /// datagram at a time counts once its last datagram is taken).
    public var messages = 0
    /// Datagrams the kernel took: each GSO message counts as the datagrams it is cut into.
    public var datagrams = 0
    /// Messages of several datagrams the kernel took whole, each as one GSO send
    /// (counted in ``messages`` too). A message sent one datagram at a time, after
    /// the kernel refused GSO, is not among them.
    public var segmentedMessages = 0
    /// Datagrams already sent of the first message not counted in ``messages``:
    /// nonzero only when, after GSO was refused, a call ended inside a message.
    /// Pass it as `firstSegment` to resume there.
    public var resumeSegment = 0
    /// `sendmmsg` calls that took at least one message.
    public var calls = 0
    /// Calls answered `ECONNREFUSED`: an earlier datagram drew an ICMP port
    /// unreachable. The message such a call was about to send was not sent; the
    /// call is made again, so a refusal costs no datagram of the range.
    public var refused = 0
    /// Calls answered `ENOBUFS` (a full device or qdisc queue). The send stops at
    /// the first one: the rest of the range is left for the caller to send again.
    public var noBuffers = 0
    /// Whether the send stopped because the socket's send timeout passed (`EAGAIN`).
    public var wouldBlock = false
    /// Set in the outcome of the one call in which the kernel refused UDP GSO on
    /// this socket (`EIO` or `EINVAL`): from then on it sends one datagram per message.
    /// Show it once; later outcomes leave it nil.
    public var segmentationRefused: Errno?
    /// The failure that ended the send, if any other error did; what was sent before it is counted.
    public var error: SocketError?

    /// An outcome with nothing sent.
    public init() {}
}
