#if canImport(Glibc)
import Glibc
#endif
internal import CMPPSLinux

// CPU affinity: the shim's cpu_set_t stays inside PacketIO (see CPUList for the public face).
extension Syscalls {
    /// Pins the calling thread to `set`. The corresponding C function is `pthread_setaffinity_np(3)`.
    static func setAffinity(_ set: inout CMPPSLinux_cpu_set) throws(Errno) {
        let code = invokeReturningCode(.setAffinity) { CMPPSLinux_pthread_setaffinity(pthread_self(), &set) }
        if code != 0 { throw Errno(rawValue: code) }
    }

    /// The CPUs this process may run on; false if the kernel would not say.
    /// The corresponding C function is `sched_getaffinity(2)`.
    static func processAffinity(_ set: inout CMPPSLinux_cpu_set) -> Bool {
        CMPPSLinux_sched_getaffinity(0, &set) == 0
    }

    /// The calling thread's id, the number /proc/self/task/ID names it by.
    /// The corresponding C function is `gettid(2)` (glibc 2.30 or later).
    package static func currentThreadID() -> Int32 {
        CMPPSLinux_gettid()
    }
}
