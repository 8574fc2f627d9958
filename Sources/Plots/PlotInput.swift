#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Reporting

/// Reads a saved `--json` stream from a file (or standard input, `-`) into a
/// ``PlotStream``, refusing what is too large to be a run worth drawing.
package enum PlotInput {
    /// The largest input read: a year of one-second intervals is about 10 MiB.
    package static let maximumBytes = 64 << 20

    /// Reads `path` (`-` for standard input) to its end.
    package static func read(_ path: String) throws(PlotInputError) -> PlotStream {
        let descriptor: Int32
        if path == "-" {
            descriptor = STDIN_FILENO
        } else {
            let status: FileStatus
            do throws(Errno) { status = try Syscalls.fileStatus(path) } catch {
                throw PlotInputError("cannot read \(path): \(error)", status: PlotInputError.noInput)
            }
            if status.isDirectory {
                throw PlotInputError("cannot read \(path): it is a directory (give the file mpps --json wrote)", status: PlotInputError.noInput)
            }
            if status.size > maximumBytes {
                throw PlotInputError("\(path) is \(status.size >> 20) MiB, more than the \(maximumBytes >> 20) MiB mpps plot reads: "
                    + "plot a part of it (head -n 100000 \(path) > part.jsonl)", status: PlotInputError.dataError)
            }
            do throws(Errno) { descriptor = try Syscalls.openForReading(path) } catch {
                throw PlotInputError("cannot read \(path): \(error)", status: PlotInputError.noInput)
            }
        }
        defer { if descriptor != STDIN_FILENO { Syscalls.close(descriptor) } }
        var stream = PlotStream()
        var chunk = [UInt8](repeating: 0, count: 65536)
        var total = 0
        while true {
            var failure: Errno?
            let count = chunk.withUnsafeMutableBytes { buffer in
                do throws(Errno) { return try Syscalls.read(descriptor, into: buffer) } catch {
                    failure = error
                    return 0
                }
            }
            if let failure { throw PlotInputError("cannot read \(path): \(failure)", status: PlotInputError.noInput) }
            if count == 0 { break }
            total += count
            // A pipe or a growing file has no size up front: the limit holds while reading too.
            if total > maximumBytes {
                throw PlotInputError("\(path) holds more than the \(maximumBytes >> 20) MiB mpps plot reads: plot a part of it",
                                     status: PlotInputError.dataError)
            }
            try stream.feed(chunk[0..<count])
        }
        try stream.finish()
        return stream
    }
}
