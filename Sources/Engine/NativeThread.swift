#if canImport(Glibc)
import Glibc
#endif

/// A joinable POSIX thread running one closure. Workers use these rather than
/// Dispatch so that each has a stable identity to pin to a CPU and to join.
package final class NativeThread: @unchecked Sendable {
    // Safety: written once in init, read by join, which is only called from the creator.
    private var handle: pthread_t
    private var joined = false

    private final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Starts a thread running `body`.
    /// The corresponding C function is `pthread_create(3)`.
    package init(_ body: @escaping @Sendable () -> Void) throws(SocketError) {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { context in
            // Safety: `context` is the retained Box passed below; taken back exactly once here.
            let box = Unmanaged<Box>.fromOpaque(context!).takeRetainedValue()
            box.body()
            return nil
        }, box)
        if rc != 0 {
            Unmanaged<Box>.fromOpaque(box).release()
            throw SocketError("pthread_create", code: rc)
        }
        handle = thread
    }

    /// Waits for the thread to return. Calling it again does nothing.
    package func join() {
        guard !joined else { return }
        joined = true
        pthread_join(handle, nil)
    }

    deinit { join() }
}

import PacketIO
import Reporting
