#if canImport(Glibc)
import Glibc
#endif

/// A wake-up one thread sends another that waits in ``PollSet/wait(milliseconds:)``
/// beside its sockets: the way to stop or nudge a thread that polls, with no
/// timeout to tick through. Any thread may call ``wake()``, any number of times;
/// the wake-ups before the next ``reset()`` count as one.
///
/// It owns an eventfd, closed when the last reference goes. The corresponding
/// C function is `eventfd(2)` (`EFD_CLOEXEC | EFD_NONBLOCK`); Linux 2.6.27 or later.
public final class Waker: Sendable {
    /// The eventfd: readable from the first ``wake()`` until ``reset()``.
    public let descriptor: Int32

    /// Opens the eventfd.
    public init() throws(SocketError) {
        descriptor = try Syscalls.eventDescriptor()
    }

    deinit { Syscalls.close(descriptor) }

    /// Makes the waker readable, so a ``PollSet`` watching it returns.
    /// The corresponding C function is `write(2)` of an 8-byte 1.
    public func wake() {
        // Only EBADF or EFAULT could fail it, and those stop the program in Syscalls.
        try? Syscalls.signalEvent(descriptor)
    }

    /// Blocks the calling thread until the waker is woken or `milliseconds` pass
    /// (-1, the default: without end), then takes the wake-ups; returns whether it
    /// was woken. For a thread that has nothing but the waker to wait on.
    /// The corresponding C functions are `poll(2)` and `read(2)`.
    @discardableResult
    public func wait(milliseconds: Int = -1) -> Bool {
        var set = PollSet(capacity: 1)
        set.watch(self)
        _ = try? set.wait(milliseconds: milliseconds)
        return reset()
    }

    /// Takes the pending wake-ups; returns whether there were any.
    /// The corresponding C function is `read(2)` of 8 bytes.
    @discardableResult
    public func reset() -> Bool {
        ((try? Syscalls.drainEvent(descriptor)) ?? 0) > 0
    }
}
