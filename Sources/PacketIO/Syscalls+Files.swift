#if canImport(Glibc)
import Glibc
#endif

// Files and standard streams: /proc and sysfs readers, the report's output.
extension Syscalls {
    /// Opens a file for reading (close-on-exec). The corresponding C function is `open(2)`.
    package static func openForReading(_ path: String) throws(Errno) -> Int32 {
        while true {
            let descriptor = Int32(truncatingIfNeeded: invoke(.open, -1) { Int(Glibc.open(path, O_RDONLY | O_CLOEXEC)) })
            if descriptor >= 0 { return descriptor }
            if errno != EINTR { throw Errno.current }
        }
    }

    /// Reads up to `buffer.count` bytes; 0 at the end of the file. The corresponding C function is `read(2)`.
    package static func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        while true {
            let count = invoke(.read, descriptor) { Glibc.read(descriptor, buffer.baseAddress, buffer.count) }
            if count >= 0 { return count }
            if errno != EINTR { throw Errno.current }
        }
    }

    /// The whole of a file, read to its end: /proc and sysfs files are small
    /// and produced on each read, so their size is not known beforehand.
    package static func readWholeFile(_ path: String) throws(Errno) -> [UInt8] {
        let descriptor = try openForReading(path)
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            var failure: Errno?
            let count = chunk.withUnsafeMutableBytes { buffer in
                do throws(Errno) { return try read(descriptor, into: buffer) } catch {
                    failure = error
                    return 0
                }
            }
            if let failure { throw failure }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    /// Writes all of `bytes`, resuming after short writes; false when the
    /// other end is gone (a closed pipe: nothing more can be said there).
    /// The corresponding C function is `write(2)`.
    @discardableResult
    package static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = invoke(.write, descriptor) { Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }
}
