/// Just enough of Swift's lexical structure for the tidy rules: which bytes
/// are code (not comments, not string literals), the identifiers in it, and
/// where each function's body starts and ends. Not a parser: it works on the
/// style this package is written in, and the rules' own tests pin it down.
struct SwiftText {
    /// One identifier or keyword of the code, with what stands around it.
    struct Token {
        let text: String
        /// The 1-based line it is on.
        let line: Int
        /// Byte offset of its first byte in ``SwiftText/code``.
        let start: Int
        /// Byte offset just past it.
        let end: Int
    }

    /// A function, an `init` or a `deinit` with a body.
    struct Function: Equatable {
        let name: String
        let firstLine: Int
        let lastLine: Int
        var lines: Int { lastLine - firstLine + 1 }
    }

    /// The source with every comment and the inside of every string literal
    /// replaced by spaces (line breaks kept, so lines still count); the code
    /// inside string interpolations stays.
    let code: [UInt8]
    /// The identifiers of ``code``, in order.
    let tokens: [Token]

    init(_ source: String) {
        code = Self.blankingCommentsAndStrings(Array(source.utf8))
        tokens = Self.identifiers(in: code)
    }

    /// The first byte after `offset` that is not a space, tab or line break.
    func nextNonSpace(after offset: Int) -> UInt8? {
        var index = offset
        while index < code.count {
            let byte = code[index]
            if byte != .space && byte != .tab && byte != .newline && byte != .carriageReturn { return byte }
            index += 1
        }
        return nil
    }

    /// The last byte before `offset` that is not a space or tab.
    func previousNonSpace(before offset: Int) -> UInt8? {
        var index = offset - 1
        while index >= 0 {
            let byte = code[index]
            if byte != .space && byte != .tab { return byte }
            index -= 1
        }
        return nil
    }

    /// The names declared as types here (`struct`, `class`, `enum`, `protocol`, `actor`, `typealias`).
    var declaredTypes: Set<String> {
        var names: Set<String> = []
        for (index, token) in tokens.enumerated().dropLast()
        where ["struct", "class", "enum", "protocol", "actor", "typealias", "associatedtype"].contains(token.text) {
            names.insert(tokens[index + 1].text)
        }
        return names
    }

    /// The names this file declares as functions (`func NAME`).
    var declaredFunctions: Set<String> {
        var names: Set<String> = []
        for (index, token) in tokens.enumerated().dropLast() where token.text == "func" {
            names.insert(tokens[index + 1].text)
        }
        return names
    }

    /// Every function, initializer and deinitializer that has a body, with its extent
    /// from the line of its keyword to the line of its closing brace.
    var functions: [Function] {
        var found: [Function] = []
        for (index, token) in tokens.enumerated() {
            let name: String
            switch token.text {
            case "func":
                guard index + 1 < tokens.count else { continue }
                name = tokens[index + 1].text
            case "init", "deinit":
                // A declaration, not a call such as `Self.init(` or `.init(`.
                guard previousNonSpace(before: token.start) != .dot else { continue }
                name = token.text
            default: continue
            }
            guard let open = bodyStart(after: token.end), let close = matchingBrace(open) else { continue }
            found.append(Function(name: name, firstLine: token.line, lastLine: line(at: close)))
        }
        return found
    }

    /// The offset of the `{` that opens the body of the declaration whose keyword ends
    /// at `offset`, or nil when it has none (a protocol's requirement).
    private func bodyStart(after offset: Int) -> Int? {
        var depth = 0
        var index = offset
        var tokenIndex = tokens.firstIndex { $0.start >= offset } ?? tokens.count
        while index < code.count {
            while tokenIndex < tokens.count && tokens[tokenIndex].start < index { tokenIndex += 1 }
            if depth == 0, tokenIndex < tokens.count, tokens[tokenIndex].start == index,
               ["func", "var", "let", "case", "init", "deinit", "subscript", "associatedtype", "typealias"]
                .contains(tokens[tokenIndex].text) {
                return nil
            }
            switch code[index] {
            case .openParenthesis, .openBracket: depth += 1
            case .closeParenthesis, .closeBracket: depth -= 1
            case .openBrace where depth == 0: return index
            case .closeBrace where depth == 0: return nil
            default: break
            }
            index += 1
        }
        return nil
    }

    /// The offset of the `}` that closes the `{` at `open`.
    private func matchingBrace(_ open: Int) -> Int? {
        var depth = 0
        for index in open..<code.count {
            if code[index] == .openBrace { depth += 1 }
            if code[index] == .closeBrace {
                depth -= 1
                if depth == 0 { return index }
            }
        }
        return nil
    }

    /// The 1-based line of the byte at `offset`.
    func line(at offset: Int) -> Int {
        var line = 1
        for index in 0..<offset where code[index] == .newline { line += 1 }
        return line
    }

    // MARK: Lexing

    /// A place the lexer is in: code (perhaps inside an interpolation, counting
    /// its parentheses) or a string literal.
    private struct Frame {
        var isString: Bool
        var multiline = false
        var hashes = 0
        var parentheses = 0
    }

    private static func blankingCommentsAndStrings(_ bytes: [UInt8]) -> [UInt8] {
        var out = bytes
        var stack = [Frame(isString: false)]
        var index = 0
        func blank(_ range: Range<Int>) {
            for position in range where out[position] != .newline { out[position] = .space }
        }
        func at(_ offset: Int) -> UInt8? { offset < bytes.count ? bytes[offset] : nil }
        while index < bytes.count {
            let byte = bytes[index]
            if !stack[stack.count - 1].isString {
                if byte == .slash && at(index + 1) == .slash {
                    var end = index
                    while end < bytes.count && bytes[end] != .newline { end += 1 }
                    blank(index..<end)
                    index = end
                } else if byte == .slash && at(index + 1) == .star {
                    var depth = 0
                    var end = index
                    repeat {
                        if bytes[end] == .slash && at(end + 1) == .star { depth += 1; end += 2 }
                        else if bytes[end] == .star && at(end + 1) == .slash { depth -= 1; end += 2 }
                        else { end += 1 }
                    } while depth > 0 && end < bytes.count
                    blank(index..<min(end, bytes.count))
                    index = end
                } else if byte == .hash || byte == .quote {
                    var quote = index
                    while at(quote) == .hash { quote += 1 }
                    guard at(quote) == .quote else { index = quote; continue }
                    let multiline = at(quote + 1) == .quote && at(quote + 2) == .quote
                    stack.append(Frame(isString: true, multiline: multiline, hashes: quote - index))
                    index = quote + (multiline ? 3 : 1)
                } else if byte == .openParenthesis {
                    stack[stack.count - 1].parentheses += 1
                    index += 1
                } else if byte == .closeParenthesis {
                    if stack[stack.count - 1].parentheses == 0 && stack.count > 1 {
                        stack.removeLast()  // the end of an interpolation: back in its string
                        blank(index..<index + 1)
                    } else {
                        stack[stack.count - 1].parentheses -= 1
                    }
                    index += 1
                } else {
                    index += 1
                }
                continue
            }
            let frame = stack[stack.count - 1]
            if byte == .backslash {
                var after = index + 1
                var hashes = 0
                while at(after) == .hash && hashes < frame.hashes { hashes += 1; after += 1 }
                if hashes == frame.hashes && at(after) == .openParenthesis {
                    blank(index..<after + 1)
                    stack.append(Frame(isString: false))
                    index = after + 1
                    continue
                }
                blank(index..<min(after + 1, bytes.count))
                index = frame.hashes == 0 ? after + 1 : after
                continue
            }
            if byte == .quote {
                let quotes = frame.multiline ? 3 : 1
                var end = index
                while end < index + quotes && at(end) == .quote { end += 1 }
                var hashes = 0
                while hashes < frame.hashes && at(end + hashes) == .hash { hashes += 1 }
                if end - index == quotes && hashes == frame.hashes {
                    stack.removeLast()
                    index = end + hashes
                    continue
                }
            }
            blank(index..<index + 1)
            index += 1
        }
        return out
    }

    private static func identifiers(in code: [UInt8]) -> [Token] {
        var tokens: [Token] = []
        var line = 1
        var index = 0
        while index < code.count {
            let byte = code[index]
            if byte == .newline { line += 1 }
            guard byte.isIdentifierHead else { index += 1; continue }
            var end = index + 1
            while end < code.count && code[end].isIdentifierBody { end += 1 }
            // A number's letters (0x1F, 1e9) are not identifiers.
            if index > 0 && code[index - 1].isDigit { index = end; continue }
            tokens.append(Token(text: String(decoding: code[index..<end], as: UTF8.self), line: line, start: index, end: end))
            index = end
        }
        return tokens
    }
}

extension UInt8 {
    static let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t"), newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r"), dot = UInt8(ascii: "."), slash = UInt8(ascii: "/")
    static let star = UInt8(ascii: "*"), hash = UInt8(ascii: "#"), quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\"), openParenthesis = UInt8(ascii: "("), closeParenthesis = UInt8(ascii: ")")
    static let openBrace = UInt8(ascii: "{"), closeBrace = UInt8(ascii: "}")
    static let openBracket = UInt8(ascii: "["), closeBracket = UInt8(ascii: "]")

    var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
    var isIdentifierHead: Bool {
        (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "z")) || (self >= UInt8(ascii: "A") && self <= UInt8(ascii: "Z"))
            || self == UInt8(ascii: "_")
    }
    var isIdentifierBody: Bool { isIdentifierHead || isDigit }
}
