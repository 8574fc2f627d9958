#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Synchronization

/// Writes `text` to standard output at once, unbuffered, so a reader on a pipe
/// sees each line as it happens. Once a write finds the reader gone
/// (`mpps recv | head -3`), ``standardOutputClosed`` says so and nothing more is written.
package func writeOutput(_ text: String) {
    guard !standardOutputClosed else { return }
    if !writeAll(STDOUT_FILENO, text) { outputClosed.store(true, ordering: .relaxed) }
}

/// True once standard output's reader went away: a run that reports there ends, quietly.
package var standardOutputClosed: Bool { outputClosed.load(ordering: .relaxed) }

private let outputClosed = Atomic<Bool>(false)

/// Writes one line to standard error (diagnostics never mix with the report on stdout).
package func writeError(_ line: String) {
    _ = writeAll(STDERR_FILENO, line + "\n")
}

/// Writes all of `text`; false when the other end is gone (EPIPE, SIGPIPE being ignored).
private func writeAll(_ descriptor: Int32, _ text: String) -> Bool {
    var text = text
    return text.withUTF8 { bytes in Syscalls.writeAll(descriptor, UnsafeRawBufferPointer(bytes)) }
}
