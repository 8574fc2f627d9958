/// Text made safe for an SVG (XML 1.0) document: a command line may hold any
/// character, and one `<` or `&` from it must not break the file.
package enum XMLText {
    /// `text` with `&`, `<`, `>`, `"` and `'` written as entities, and each
    /// character XML 1.0 forbids (control characters other than tab, line feed
    /// and carriage return; U+FFFE, U+FFFF) replaced by U+FFFD, so the result
    /// is always well-formed, in element content and in attribute values alike.
    package static func escape(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&apos;"
            default:
                if isAllowed(scalar) {
                    output.unicodeScalars.append(scalar)
                } else {
                    output.unicodeScalars.append("\u{FFFD}")
                }
            }
        }
        return output
    }

    /// Whether XML 1.0's `Char` production admits `scalar`.
    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: return true
        case 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return true
        default: return false
        }
    }

    /// `text` cut to at most `limit` characters, the last one `…` when it was
    /// cut: a title that fits the picture's width (the whole text goes in a
    /// `<title>` element, where a viewer shows it on hover).
    package static func shortened(_ text: String, to limit: Int) -> String {
        guard limit > 0 else { return "" }
        guard text.count > limit else { return text }
        return String(text.prefix(limit - 1)) + "…"
    }

    /// `text` in lines of at most `limit` characters, broken at spaces (a word
    /// longer than a line is cut), at most `most` lines, the last shortened with `…`.
    package static func wrapped(_ text: String, to limit: Int, most: Int = 3) -> [String] {
        guard limit > 1, most > 0 else { return [] }
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            var word = String(word)
            while word.count > limit {
                if !current.isEmpty { lines.append(current); current = "" }
                lines.append(String(word.prefix(limit)))
                word = String(word.dropFirst(limit))
            }
            if current.isEmpty {
                current = word
            } else if current.count + 1 + word.count <= limit {
                current += " " + word
            } else {
                lines.append(current)
                current = word
            }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        guard lines.count > most else { return lines }
        let kept = Array(lines.prefix(most))
        return kept.dropLast() + [shortened(kept[most - 1] + " …", to: limit)]
    }
}
