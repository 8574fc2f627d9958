#if canImport(Glibc)
import Glibc
#endif

/// The signals that ask a server to stop (SIGINT, SIGTERM, SIGHUP), taken
/// synchronously by one thread instead of by a handler that could run inside
/// any thread: call ``block()`` first thing in `main`, before starting threads
/// (each new thread inherits the mask), then ``wait()`` where the program
/// should learn of the stop, and stop its threads from there (for example with
/// ``ReusePortGroup/stop()``).
///
/// Keep `main` synchronous in such a program, and run async work in tasks: a
/// Swift `async` main makes the main thread libdispatch's signal thread, which
/// waits with every signal unblocked, so a stop signal would end the process by
/// its default action before any thread could take it (measured with Swift 6.3).
public enum StopSignals {
    /// Blocks the stop signals in the calling thread and every thread it starts
    /// afterwards, and ignores SIGPIPE (a closed pipe becomes an error to handle).
    /// The corresponding C functions are `pthread_sigmask(3)` and `signal(2)`.
    public static func block() {
        _ = Syscalls.takeStopSignals()
    }

    /// Waits for a stop signal that ``block()`` held back, however long it takes;
    /// returns its number (`SIGINT`, `SIGTERM` or `SIGHUP`). Returns at once when one
    /// is already pending. The corresponding C function is `sigtimedwait(2)`.
    public static func wait() -> Int32 {
        while true {
            if let signal = Syscalls.waitForStopSignal(nanoseconds: 3_600_000_000_000) { return signal }
        }
    }

    /// Waits for a stop signal without blocking a task's thread: a thread of its own
    /// waits, and the task resumes with the signal's number. For async/await servers:
    /// `Task { _ = await StopSignals.next(); stream.stop() }`.
    public static func next() async -> Int32 {
        await withCheckedContinuation { continuation in
            do throws(Errno) {
                try NativeThread { continuation.resume(returning: wait()) }.detach()
            } catch {
                continuation.resume(returning: wait())  // no thread to be had: wait here instead
            }
        }
    }

    /// Waits up to `milliseconds` for a stop signal; its number, or nil when the time passed.
    public static func wait(milliseconds: Int) -> Int32? {
        Syscalls.waitForStopSignal(nanoseconds: UInt64(max(0, milliseconds)) &* 1_000_000)
    }
}
