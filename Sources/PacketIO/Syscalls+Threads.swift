#if canImport(Glibc)
import Glibc
#endif

// Threads and CPU affinity.
extension Syscalls {
    /// Runs a pthread-style call, which returns its error instead of setting
    /// errno, or, in a debug build, lets an armed fault answer it.
    @inline(__always)
    static func invokeReturningCode(_ call: SystemCall, _ body: () -> Int32) -> Int32 {
        #if DEBUG
        if let code = FaultInjection.take(call, descriptor: -1) { return code }
        #endif
        return body()
    }

    /// Starts a joinable thread running `start(context)`.
    /// The corresponding C function is `pthread_create(3)`.
    package static func createThread(_ start: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer?,
                                     _ context: UnsafeMutableRawPointer) throws(Errno) -> pthread_t {
        var thread = pthread_t()
        let code = invokeReturningCode(.threadCreate) { pthread_create(&thread, nil, start, context) }
        if code != 0 { throw Errno(rawValue: code) }
        return thread
    }

    /// Lets a thread end without being joined. The corresponding C function is `pthread_detach(3)`.
    package static func detachThread(_ thread: pthread_t) {
        let code = pthread_detach(thread)
        precondition(code == 0, "pthread_detach failed with \(code): a thread joined or detached twice (a bug)")
    }

    /// Waits for a thread to end. The corresponding C function is `pthread_join(3)`.
    package static func joinThread(_ thread: pthread_t) {
        let code = pthread_join(thread, nil)
        precondition(code == 0, "pthread_join failed with \(code): a thread joined twice (a bug)")
    }
}
