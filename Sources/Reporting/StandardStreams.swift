#if canImport(Glibc)
import Glibc
#endif
import PacketIO

/// Writes `text` to standard output at once, unbuffered, so a reader on a pipe sees each line as it happens.
package func writeOutput(_ text: String) {
    writeAll(STDOUT_FILENO, text)
}

/// Writes one line to standard error (diagnostics never mix with the report on stdout).
package func writeError(_ line: String) {
    writeAll(STDERR_FILENO, line + "\n")
}

private func writeAll(_ descriptor: Int32, _ text: String) {
    var text = text
    // A closed pipe ends what can be said there; the run goes on.
    text.withUTF8 { bytes in _ = Syscalls.writeAll(descriptor, UnsafeRawBufferPointer(bytes)) }
}
