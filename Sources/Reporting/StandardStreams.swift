#if canImport(Glibc)
import Glibc
#endif

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
    text.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }  // a closed pipe: nothing more can be said
            offset += written
        }
    }
}
