#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Reporting

/// Where an SVG goes (`--svg FILE`, `mpps plot -o FILE`): checked before a run
/// starts, so a run of minutes does not end in "cannot write"; written at the
/// end in one step (a temporary file beside it, then renamed), so a reader
/// never sees half a picture.
package struct PlotOutput: Sendable, Equatable {
    /// The path as given.
    package let path: String
    /// `option` for messages: `--svg`, `-o`.
    package let option: String

    /// `EX_CANTCREAT`: the output file cannot be created.
    package static let cannotCreate: Int32 = 73

    /// Checks that `path` can be written: not empty, not a directory, and its
    /// directory takes a new file (tried by creating and removing one).
    package init(_ path: String, option: String) throws(RunError) {
        self.path = path
        self.option = option
        guard !path.isEmpty else {
            throw RunError("\(option) needs a file name, such as run.svg", status: RunError.usage)
        }
        if let status = try? Syscalls.fileStatus(path), status.isDirectory {
            throw RunError("cannot write \(option) \(path): it is a directory (give a file name, such as \(path)/run.svg)",
                           status: Self.cannotCreate)
        }
        Syscalls.close(try createTemporary())
        Syscalls.removeFile(temporaryPath)
    }

    /// Creates the temporary file; one left by an earlier process of this pid, killed
    /// mid-write, is ours to replace.
    func createTemporary() throws(RunError) -> Int32 {
        do throws(Errno) { return try Syscalls.createNewFile(temporaryPath) } catch {
            guard error == Errno(rawValue: EEXIST) else { throw cannotWrite(error) }
        }
        Syscalls.removeFile(temporaryPath)
        do throws(Errno) { return try Syscalls.createNewFile(temporaryPath) } catch { throw cannotWrite(error) }
    }

    /// The directory part of ``path``, `.` when there is none.
    var directory: String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let head = path[..<slash]
        return head.isEmpty ? "/" : String(head)
    }

    /// The file written first, in the same directory, so the rename cannot cross file systems.
    var temporaryPath: String {
        let name = path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
        return (directory == "/" ? "" : directory) + "/." + name + ".mpps-\(getpid()).tmp"
    }

    /// The one line for a failed write or check, exit status ``cannotCreate``.
    func cannotWrite(_ error: Errno) -> RunError {
        RunError("cannot write \(option) \(path): \(error) (is directory \(directory) there and writable?)",
                 status: Self.cannotCreate)
    }

    /// Writes `text` to ``path``, replacing what was there.
    package func write(_ text: String) throws(RunError) {
        let temporary = temporaryPath
        let descriptor = try createTemporary()
        var text = text
        let written = text.withUTF8 { bytes in Syscalls.writeAll(descriptor, UnsafeRawBufferPointer(bytes)) }
        let failure = written ? nil : Errno.current
        Syscalls.close(descriptor)
        if let failure {
            Syscalls.removeFile(temporary)
            throw cannotWrite(failure)
        }
        do throws(Errno) { try Syscalls.rename(temporary, to: path) } catch {
            Syscalls.removeFile(temporary)
            throw cannotWrite(error)
        }
    }
}
