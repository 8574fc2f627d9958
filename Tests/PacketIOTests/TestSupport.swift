#if canImport(Glibc)
import Glibc
#endif
import PacketIO

// Shared helpers for the PacketIO tests: loopback addresses, a box that lets
// noncopyable sockets live in arrays, payload stamping, a fresh thread, and
// plain-text file reads. Nothing here talks to anything but 127.0.0.1 and ::1.

/// The loopback address of `family` with `port` (0 lets the kernel choose).
func loopback(_ family: SocketAddress.Family, port: UInt16 = 0) -> SocketAddress {
    family == .inet ? SocketAddress(ipv4: 127, 0, 0, 1, port: port) : .ipv6Loopback(port: port)
}

/// A socket bound to `loopback(family)` on a port the kernel chooses.
func boundLoopbackSocket(_ family: SocketAddress.Family) throws(SocketError) -> UDPSocket {
    let socket = try UDPSocket(family: family)
    try socket.bind(to: loopback(family))
    return socket
}

/// Holds a noncopyable socket so that many can be kept open at once in an Array.
final class SocketBox: Sendable {
    let socket: UDPSocket
    init(_ socket: consuming UDPSocket) { self.socket = socket }
}

/// The byte at `offset` of datagram `index`'s payload (offsets 0–3 hold the index).
@inline(__always)
func patternByte(index: Int, offset: Int) -> UInt8 {
    UInt8(truncatingIfNeeded: index &* 131 &+ offset &* 7 &+ 1)
}

/// Writes `index` little-endian into the first 4 bytes and the pattern after them.
func stamp(_ payload: UnsafeMutableRawBufferPointer, index: Int) {
    precondition(payload.count >= 4)
    payload.storeBytes(of: UInt32(index).littleEndian, toByteOffset: 0, as: UInt32.self)
    for offset in 4..<payload.count { payload[offset] = patternByte(index: index, offset: offset) }
}

/// The index in the first 4 bytes, or nil if the payload is too short.
func stampedIndex(_ payload: UnsafeRawBufferPointer) -> Int? {
    guard payload.count >= 4 else { return nil }
    return Int(UInt32(littleEndian: payload.loadUnaligned(fromByteOffset: 0, as: UInt32.self)))
}

/// Whether `payload` is exactly what `stamp` wrote for `index` at `length` bytes.
func isStamped(_ payload: UnsafeRawBufferPointer, index: Int, length: Int) -> Bool {
    guard payload.count == length, stampedIndex(payload) == index else { return false }
    for offset in 4..<length where payload[offset] != patternByte(index: index, offset: offset) { return false }
    return true
}

/// What a fresh thread runs and where it leaves the result.
private final class FreshThreadContext<T>: @unchecked Sendable {
    // Safety: written by the fresh thread before it ends, read by the creator after pthread_join.
    let body: () -> T
    var result: T?
    init(_ body: @escaping () -> T) { self.body = body }
}

/// Runs `body` on a new pthread and returns its result, so that changes to the
/// thread's state (CPU affinity) never leak into the test runner's threads.
func onFreshThread<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
    let unmanaged = Unmanaged.passRetained(FreshThreadContext(body) as AnyObject)
    var thread = pthread_t()
    let rc = pthread_create(&thread, nil, { raw in
        // Safety: `raw` is the retained context passed below; the creator keeps it alive until join.
        let context = Unmanaged<AnyObject>.fromOpaque(raw!).takeUnretainedValue()
        (context as! any FreshThreadRunnable).run()
        return nil
    }, unmanaged.toOpaque())
    precondition(rc == 0, "pthread_create failed: \(rc)")
    pthread_join(thread, nil)
    let context = unmanaged.takeRetainedValue() as! FreshThreadContext<T>
    return context.result!
}

private protocol FreshThreadRunnable { func run() }
extension FreshThreadContext: FreshThreadRunnable {
    func run() { result = body() }
}

/// The whole text of a small file such as /proc/self/status, or nil if it cannot be read.
func readTextFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    for _ in 0..<1024 {  // at most 4 MiB: far more than any file read here
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 { return nil }
        if n == 0 { break }
        bytes.append(contentsOf: chunk[0..<n])
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// An integer sysctl such as `net/core/rmem_max`.
func sysctlInteger(_ name: String) -> Int? {
    guard let text = readTextFile("/proc/sys/" + name) else { return nil }
    return Int(text.filter { !$0.isWhitespace })
}

/// The error `body` throws, or nil. A stand-in for `#expect(throws:)` when the
/// body uses a noncopyable socket or batch, which that macro's closure cannot capture.
func caught<E: Error>(_ body: () throws(E) -> Void) -> E? {
    do throws(E) {
        try body()
        return nil
    } catch {
        return error
    }
}

/// Checks `condition` every millisecond until it holds (true) or `seconds` pass (false).
func waitFor(seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = MonotonicClock.now() + UInt64(seconds * 1e9)
    while MonotonicClock.now() < deadline {
        if condition() { return true }
        usleep(1000)
    }
    return condition()
}
