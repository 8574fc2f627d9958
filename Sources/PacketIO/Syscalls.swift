#if canImport(Glibc)
import Glibc
#endif
import CMPPSLinux

// The only place besides Errno.swift that calls libc for sockets. Every call
// here retries on EINTR: a signal delivered to the thread is never an error.

/// Calls `body` until it returns something other than -1 with EINTR.
/// Returns the result, or throws the errno with `operation`'s name.
@inline(__always)
func retryingOnInterrupt(_ operation: StaticString, _ body: () -> Int) throws(SocketError) -> Int {
    while true {
        let result = body()
        if result >= 0 { return result }
        let code = errno
        if code == EINTR { continue }
        throw SocketError(operation, code: code)
    }
}

@inline(__always)
func setOption<T: BitwiseCopyable>(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: T, _ operation: StaticString) throws(SocketError) {
    // Safety: the bytes live for the duration of the call and their count is passed with them.
    let rc = withUnsafeBytes(of: value) { setsockopt(fd, level, name, $0.baseAddress, socklen_t($0.count)) }
    if rc != 0 { throw SocketError(operation, code: errno) }
}

@inline(__always)
func getIntOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ operation: StaticString) throws(SocketError) -> Int32 {
    var value: Int32 = 0
    var length = socklen_t(MemoryLayout<Int32>.size)
    // Safety: `value` and `length` outlive the call; the kernel writes at most `length` bytes.
    let rc = getsockopt(fd, level, name, &value, &length)
    if rc != 0 { throw SocketError(operation, code: errno) }
    return value
}
