#if canImport(Glibc)
import Glibc
#endif


/// A joinable POSIX thread running one closure, pinned to a CPU first when
/// asked: the one way receive and send runs start their workers. Workers use
/// these rather than Dispatch so that each has a stable identity to pin and join.
package final class NativeThread: @unchecked Sendable {
    // Safety: written once in init, read by join, which is only called from the creator.
    private let handle: pthread_t
    private var joined = false

    private final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Starts a thread that pins itself to `cpu` (when given) and then runs
    /// `body`; if the kernel refuses the pinning, `pinFailed` runs instead of `body`.
    /// The corresponding C functions are `pthread_create(3)` and `pthread_setaffinity_np(3)`.
    package convenience init(pinnedTo cpu: Int?, pinFailed: @escaping @Sendable (Errno) -> Void,
                             _ body: @escaping @Sendable () -> Void) throws(Errno) {
        try self.init {
            if let cpu {
                do throws(Errno) { try CPUList([cpu]).pinCurrentThread() } catch {
                    pinFailed(error)
                    return
                }
            }
            body()
        }
    }

    /// Starts a thread running `body`. The corresponding C function is `pthread_create(3)`.
    package init(_ body: @escaping @Sendable () -> Void) throws(Errno) {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        do {
            handle = try Syscalls.createThread({ context in
                // Safety: `context` is the retained Box passed below; taken back exactly once here.
                let box = Unmanaged<Box>.fromOpaque(context!).takeRetainedValue()
                box.body()
                return nil
            }, box)
        } catch {
            Unmanaged<Box>.fromOpaque(box).release()
            throw error
        }
    }

    /// Lets the thread run on and end by itself: no one joins it (``join()`` then does nothing).
    package func detach() {
        guard !joined else { return }
        joined = true
        Syscalls.detachThread(handle)
    }

    /// Waits for the thread to return. Calling it again does nothing.
    package func join() {
        guard !joined else { return }
        joined = true
        Syscalls.joinThread(handle)
    }

    deinit { join() }
}
