/// The invariants ARCHITECTURE.md states, each as a function from files to
/// the lines that break it: `TidyTests` runs them on the package, and
/// `TidyRuleTests` on planted violations, so each rule is seen to fail.
enum TidyRules {
    /// One file of the package: its path from the package root and its text.
    struct File {
        let path: String
        let text: String

        /// The module a `Sources/MODULE/…` file belongs to.
        var module: String? {
            let parts = path.split(separator: "/")
            return parts.count >= 3 && parts[0] == "Sources" ? String(parts[1]) : nil
        }

        /// True for the one door to the kernel, `Sources/PacketIO/Syscalls*.swift`.
        var isSyscallLayer: Bool {
            path.hasPrefix("Sources/PacketIO/Syscalls") && path.hasSuffix(".swift")
        }
    }

    // MARK: One door to the kernel

    /// C functions that enter the kernel (or read the process's environment),
    /// which only the syscall layer may call: there EINTR is retried, errors
    /// become `SocketError`/`Errno`, and `FaultInjection` can fail them.
    /// Not here: `clock_gettime` and `sched_getcpu`, which the vDSO answers
    /// without entering the kernel, run per batch, and no test needs to fail;
    /// `getpid`, which cannot fail.
    static let kernelCalls: Set<String> = [
        "socket", "bind", "connect", "listen", "accept", "accept4", "setsockopt", "getsockopt", "getsockname",
        "getpeername", "shutdown", "recv", "recvfrom", "recvmsg", "recvmmsg", "send", "sendto", "sendmsg", "sendmmsg",
        "ioctl", "poll", "ppoll", "select", "epoll_create1", "epoll_ctl", "epoll_wait", "eventfd",
        "open", "openat", "creat", "close", "read", "pread", "write", "pwrite", "fcntl", "dup", "dup2", "pipe", "pipe2",
        "mmap", "munmap", "mkstemp", "unlink", "rename", "stat", "lstat", "fstat", "access", "readlink",
        "opendir", "readdir", "closedir", "getenv", "setenv", "unsetenv", "getaddrinfo", "freeaddrinfo",
        "if_nametoindex", "clock_nanosleep", "nanosleep", "usleep", "sleep",
        "pthread_create", "pthread_join", "pthread_sigmask", "sigprocmask", "sigtimedwait", "sigwait", "signal", "sigaction",
        "kill", "waitpid", "posix_spawn", "posix_spawnp", "fork", "execve", "syscall", "getrlimit", "setrlimit",
        "sched_setaffinity", "sched_getaffinity", "pthread_setaffinity_np", "gettid",
        "CMPPSLinux_accept4", "CMPPSLinux_bpf", "CMPPSLinux_getrlimit", "CMPPSLinux_gettid",
        "CMPPSLinux_pthread_setaffinity", "CMPPSLinux_recvmmsg", "CMPPSLinux_sched_getaffinity", "CMPPSLinux_sendmmsg",
    ]

    /// Each call of a kernel function outside `Sources/PacketIO/Syscalls*.swift`.
    /// A name the file declares as a function itself (`func read`) is that
    /// function, unless it is called as `Glibc.read`.
    static func kernelCallsOutsideTheDoor(_ files: [File]) -> [String] {
        var found: [String] = []
        for file in files where file.module != nil && !file.isSyscallLayer {
            let text = SwiftText(file.text)
            let own = text.declaredFunctions
            for (index, token) in text.tokens.enumerated() where kernelCalls.contains(token.text) {
                guard text.nextNonSpace(after: token.end) == .openParenthesis else { continue }
                if index > 0 && text.tokens[index - 1].text == "func" { continue }
                let qualifiedByGlibc = index > 0 && text.tokens[index - 1].text == "Glibc"
                    && text.previousNonSpace(before: token.start) == .dot
                if !qualifiedByGlibc && (text.previousNonSpace(before: token.start) == .dot || own.contains(token.text)) { continue }
                found.append("\(file.path):\(token.line): \(token.text)(…) outside Sources/PacketIO/Syscalls*.swift: add a function to the syscall layer and call it")
            }
        }
        return found
    }

    // MARK: public only in PacketIO

    /// A `public` symbol outside PacketIO that has to be: the file, the symbol, and why.
    struct PublicException {
        let path: String
        let symbol: String
        let reason: String
    }

    /// The exceptions to "only PacketIO is public".
    static let publicExceptions = [
        PublicException(path: "Sources/Reporting/LatencyHistogram.swift", symbol: "LatencyHistogram",
                        reason: "Swift 6.3 does not inline an @inlinable member of a package type into another module, "
                            + "and bucket(of:) runs per datagram in Engine's receiving loops"),
    ]

    /// Each `public` or `open` declaration outside PacketIO that is not an exception.
    static func publicOutsidePacketIO(_ files: [File], exceptions: [PublicException] = publicExceptions) -> [String] {
        var found: [String] = []
        for file in files where file.module != nil && file.module != "PacketIO" {
            let text = SwiftText(file.text)
            for (index, token) in text.tokens.enumerated() where token.text == "public" || token.text == "open" {
                guard token.text == "public" || (index + 1 < text.tokens.count && isDeclarationKeyword(text.tokens[index + 1].text)) else { continue }
                // The declared name: the identifier after the declaration keyword.
                let rest = text.tokens[(index + 1)...].prefix(while: { $0.line == token.line })
                let symbol = rest.drop(while: { !isDeclarationKeyword($0.text) }).dropFirst().first?.text ?? "?"
                if exceptions.contains(where: { $0.path == file.path && $0.symbol == symbol }) { continue }
                found.append("\(file.path):\(token.line): public \(symbol) outside PacketIO: use package (or list it in TidyRules.publicExceptions with the reason)")
            }
        }
        return found
    }

    private static func isDeclarationKeyword(_ word: String) -> Bool {
        ["struct", "class", "enum", "protocol", "actor", "typealias", "func", "var", "let", "init", "subscript", "extension"]
            .contains(word)
    }

    // MARK: The import graph

    /// The modules each module may import, read from ARCHITECTURE.md's table
    /// (the row of each module, the names in backquotes in its "may import" cell).
    static func allowedImports(fromArchitecture doc: String) -> [String: Set<String>] {
        var allowed: [String: Set<String>] = [:]
        var column: Int?
        for line in doc.split(separator: "\n", omittingEmptySubsequences: false) where line.hasPrefix("|") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingSpaces }
            if let index = cells.firstIndex(of: "may import") { column = index; continue }
            guard let column, column < cells.count, let module = backquoted(cells[0]).first else { continue }
            allowed[module] = Set(backquoted(cells[column]))
        }
        return allowed
    }

    /// Each import in `Sources/` of a package module the importer's row does not allow,
    /// each Package.swift dependency the row does not allow, and each library
    /// target of Package.swift without a row.
    static func forbiddenImports(_ files: [File], package manifest: String, allowed: [String: Set<String>]) -> [String] {
        var found: [String] = []
        let modules = Set(allowed.keys)
        for file in files {
            guard let module = file.module, let mayImport = allowed[module] else { continue }
            let text = SwiftText(file.text)
            for (index, token) in text.tokens.enumerated().dropLast() where token.text == "import" {
                let imported = text.tokens[index + 1].text
                if modules.contains(imported) && !mayImport.contains(imported) {
                    found.append("\(file.path):\(token.line): \(module) imports \(imported), which ARCHITECTURE.md does not allow it")
                }
            }
        }
        for (target, dependencies) in libraryTargets(manifest) {
            guard let mayImport = allowed[target] else {
                found.append("Package.swift: target \(target) has no row in ARCHITECTURE.md's module table")
                continue
            }
            for dependency in dependencies where !mayImport.contains(dependency) {
                found.append("Package.swift: \(target) depends on \(dependency), which ARCHITECTURE.md does not allow it")
            }
        }
        return found
    }

    /// The `.target(name:dependencies:)` entries of a manifest under `Sources/` (no `path:` elsewhere).
    static func libraryTargets(_ manifest: String) -> [(name: String, dependencies: [String])] {
        var targets: [(String, [String])] = []
        for line in manifest.split(separator: "\n") {
            let trimmed = line.trimmingSpaces
            guard trimmed.hasPrefix(".target("), !trimmed.contains("path:") else { continue }
            let strings = quoted(trimmed)
            guard let name = strings.first else { continue }
            targets.append((name, Array(strings.dropFirst())))
        }
        return targets
    }

    // MARK: No Foundation

    /// Each import of Foundation (or a part of it) in `Sources/`: ARCHITECTURE.md
    /// says why (the static binary's size and start-up, measured).
    static func foundationImports(_ files: [File]) -> [String] {
        var found: [String] = []
        for file in files where file.module != nil {
            let text = SwiftText(file.text)
            for (index, token) in text.tokens.enumerated().dropLast() where token.text == "import" {
                let imported = text.tokens[index + 1].text
                if imported.hasPrefix("Foundation") {
                    found.append("\(file.path):\(token.line): imports \(imported): Sources/ link without Foundation (ARCHITECTURE.md says why)")
                }
            }
        }
        return found
    }

    // MARK: Names in the docs

    /// Each type ARCHITECTURE.md names (a backquoted `CamelCase` word, or the
    /// first part of `Type.member`) that no file declares.
    static func staleNames(inArchitecture doc: String, declared: Set<String>) -> [String] {
        var found: [String] = []
        var seen: Set<String> = []
        for (lineIndex, line) in doc.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            for span in backquoted(String(line)) {
                let name = String(span.prefix(while: { $0.isLetter || $0.isNumber || $0 == "_" }))
                let after = span.dropFirst(name.count).first
                // C names (`CMPPSLinux_recvmmsg`) have underscores; the standard library's types are no file's.
                guard let first = name.first, first.isUppercase, name.contains(where: \.isLowercase), !name.contains("_"),
                      !["String", "Substring", "Character", "Array", "Dictionary", "Set", "Int", "Double", "Bool"].contains(name),
                      after == nil || after == "." || after == "(" || after == "<" else { continue }
                if declared.contains(name) || seen.contains(name) { continue }
                seen.insert(name)
                found.append("ARCHITECTURE.md:\(lineIndex + 1): names \(name), which no file declares: rename or remove it")
            }
        }
        return found
    }

    // MARK: Short functions

    /// A function longer than the limit today, to be split: it may shrink, never grow.
    struct LongFunction {
        let path: String
        let name: String
        let lines: Int
    }

    /// No function over 60 lines.
    static let functionLineLimit = 60

    /// The functions allowed over the limit, each with its reason. The list only shrinks: an
    /// entry whose function got shorter than the limit must go, and one that grew fails.
    static let longFunctions = [
        // Not to split: the BPF program's listing, one instruction a line, reads as the program.
        LongFunction(path: "Sources/PacketIO/XDPRedirectProgram.swift", name: "init", lines: 72),
    ]

    /// Each function over the limit that is not on the list (or longer than its
    /// entry), and each entry that no longer needs to be there.
    static func overlongFunctions(_ files: [File], limit: Int = functionLineLimit,
                                  allowed: [LongFunction] = longFunctions) -> [String] {
        var found: [String] = []
        var used: Set<String> = []
        for file in files where file.module != nil {
            for function in SwiftText(file.text).functions where function.lines > limit {
                let entry = allowed.first { $0.path == file.path && $0.name == function.name }
                if let entry { used.insert("\(entry.path) \(entry.name)") }
                if let entry, function.lines <= entry.lines { continue }
                let listed = entry.map { " (listed at \($0.lines): it may only shrink)" } ?? ""
                found.append("\(file.path):\(function.firstLine): \(function.name) is \(function.lines) lines, over \(limit)\(listed): split it")
            }
        }
        for entry in allowed where !used.contains("\(entry.path) \(entry.name)") {
            found.append("TidyRules.longFunctions: \(entry.path) \(entry.name) is no longer over \(limit) lines: remove it from the list")
        }
        return found
    }

    // MARK: Text helpers

    /// The spans between pairs of backquotes.
    static func backquoted(_ text: String) -> [String] {
        text.split(separator: "`", omittingEmptySubsequences: false).enumerated()
            .filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }

    /// The spans between pairs of double quotes.
    static func quoted(_ text: String) -> [String] {
        text.split(separator: "\"", omittingEmptySubsequences: false).enumerated()
            .filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
