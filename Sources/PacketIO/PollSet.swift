#if canImport(Glibc)
import Glibc
#endif

/// A fixed set of descriptors to wait on together: sockets, a ``Waker``, any
/// descriptor that becomes readable. Storage is allocated once in `init`;
/// ``wait(milliseconds:)`` is one `poll(2)` and allocates nothing.
///
/// The loop it serves: a non-blocking socket (``UDPSocket/setNonBlocking(_:)``)
/// is read until ``ReceiveBatch/receive(from:limit:)`` returns 0, then the thread
/// waits here for the socket or its waker, and a stop request wakes it at once.
/// A set belongs to one thread.
public struct PollSet: ~Copyable {
    /// The most descriptors the set holds.
    public let capacity: Int
    /// The descriptors watched so far.
    public private(set) var count = 0
    private let entries: UnsafeMutablePointer<pollfd>

    /// Allocates room for `capacity` descriptors.
    /// - Precondition: 1 ≤ `capacity` ≤ 4096.
    public init(capacity: Int) {
        precondition(capacity >= 1 && capacity <= 4096, "a poll set holds 1...4096 descriptors")
        self.capacity = capacity
        entries = .allocate(capacity: capacity)
        entries.initialize(repeating: pollfd(fd: -1, events: 0, revents: 0), count: capacity)
    }

    deinit { entries.deallocate() }

    /// Watches `descriptor` for reading; returns its index for ``isReadable(_:)``.
    /// The set does not own it: keep it open while the set may wait on it.
    /// - Precondition: the set has room.
    @discardableResult
    public mutating func watch(descriptor: Int32) -> Int {
        precondition(count < capacity, "the poll set is full")
        entries[count] = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        count += 1
        return count - 1
    }

    /// Watches `socket` for datagrams to read (or its shutdown); returns its index.
    @discardableResult
    public mutating func watch(_ socket: borrowing UDPSocket) -> Int {
        watch(descriptor: socket.descriptor)
    }

    /// Watches `waker`; returns its index. The set keeps no reference: keep the waker alive.
    @discardableResult
    public mutating func watch(_ waker: Waker) -> Int {
        watch(descriptor: waker.descriptor)
    }

    /// Waits until a watched descriptor is readable, or `milliseconds` pass
    /// (-1, the default: without end). Returns how many are ready; 0 when the
    /// time passed or a signal interrupted the wait (the caller checks and waits again).
    /// The corresponding C function is `poll(2)`.
    public mutating func wait(milliseconds: Int = -1) throws(SocketError) -> Int {
        var i = 0
        while i < count {
            entries[i].revents = 0
            i += 1
        }
        let timeout = Int32(clamping: max(-1, milliseconds))
        return try Syscalls.poll(entries, count: count, milliseconds: timeout)
    }

    /// Whether the descriptor at `index` was readable (or hung up, or in error:
    /// a read then says which) when the last ``wait(milliseconds:)`` returned.
    public func isReadable(_ index: Int) -> Bool {
        precondition(index >= 0 && index < count, "poll set index out of range")
        return entries[index].revents & Int16(POLLIN | POLLERR | POLLHUP) != 0
    }
}
