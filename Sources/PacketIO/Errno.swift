#if canImport(Glibc)
import Glibc
#endif

/// An `errno` value: why the kernel refused a call.
///
/// Compare with the named values (`error.errno == .noBufferSpace`) or with
/// the C constants through ``rawValue``.
public struct Errno: RawRepresentable, Error, Hashable, Sendable, CustomStringConvertible {
    /// The C value (`ENOBUFS` and so on).
    public let rawValue: Int32

    /// Wraps a C `errno` value.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The calling thread's `errno` right now.
    package static var current: Errno { Errno(rawValue: Glibc.errno) }

    /// The C library's text, lowercased: "no buffer space available"; for
    /// ``shutDown``, which PacketIO reports when a socket was shut down for
    /// reading, that rather than the C text (which speaks of sending).
    public var description: String {
        if self == .shutDown { return "the socket was shut down for reading" }
        let text = String(cString: strerror(rawValue))
        guard let first = text.first else { return "errno \(rawValue)" }
        return first.lowercased() + text.dropFirst()
    }

    /// `EAGAIN`: nothing to read, or no room to send, right now.
    public static let wouldBlock = Errno(rawValue: EAGAIN)
    /// `EINTR`: a signal came during the call (``Syscalls`` retries these).
    public static let interrupted = Errno(rawValue: EINTR)
    /// `ENOBUFS`: the kernel had no room for the datagram (a full device or qdisc queue).
    public static let noBufferSpace = Errno(rawValue: ENOBUFS)
    /// `ENOMEM`: the kernel could not allocate memory for the call.
    public static let noMemory = Errno(rawValue: ENOMEM)
    /// `EIO`: the device refused the message (a NIC without UDP segmentation, for one).
    public static let ioError = Errno(rawValue: EIO)
    /// `EINVAL`: an argument the kernel does not accept.
    public static let invalidArgument = Errno(rawValue: EINVAL)
    /// `EMFILE`: this process has as many descriptors open as it may.
    public static let tooManyOpenFiles = Errno(rawValue: EMFILE)
    /// `ECONNREFUSED`: an earlier datagram drew an ICMP port unreachable.
    public static let connectionRefused = Errno(rawValue: ECONNREFUSED)
    /// `EMSGSIZE`: the datagram is larger than the path or the socket allows.
    public static let messageTooLong = Errno(rawValue: EMSGSIZE)
    /// `EADDRINUSE`: `bind` found the address taken (by a socket without `SO_REUSEPORT`,
    /// or one of another user).
    public static let addressInUse = Errno(rawValue: EADDRINUSE)
    /// `EHOSTUNREACH`: no route to the host, or an ICMP host unreachable came back
    /// (a connected socket's next call, or an entry of the error queue).
    public static let hostUnreachable = Errno(rawValue: EHOSTUNREACH)
    /// `ENETUNREACH`: no route to the destination's network, or an ICMP network unreachable came back.
    public static let networkUnreachable = Errno(rawValue: ENETUNREACH)
    /// `EACCES`: the kernel refused the call for want of a permission or an option
    /// (a `sendto` to a broadcast address without `SO_BROADCAST`, for one).
    public static let permissionDenied = Errno(rawValue: EACCES)
    /// `ESHUTDOWN`: the socket was shut down for reading and has nothing left to
    /// give (``ReceiveBatch/receive(from:limit:)`` after ``UDPSocket/shutdownReceiving()``).
    public static let shutDown = Errno(rawValue: ESHUTDOWN)
}
