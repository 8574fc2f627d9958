import Foundation
import Testing

/// The package's invariants, checked on its own sources (rust-analyzer's tidy
/// test is the model): each failure is one line naming the file, the line and
/// what to do.
@Suite struct TidyTests {
    /// The package root: this file is `Tests/TidyTests/TidyTests.swift`.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// Every `.swift` file under `directory` (a path from the root), sorted.
    static func swiftFiles(under directory: String) throws -> [TidyRules.File] {
        let base = root + "/" + directory
        guard let walker = FileManager.default.enumerator(atPath: base) else { return [] }
        var files: [TidyRules.File] = []
        while let relative = walker.nextObject() as? String {
            guard relative.hasSuffix(".swift") else { continue }
            files.append(TidyRules.File(path: directory + "/" + relative, text: try text(directory + "/" + relative)))
        }
        return files.sorted { $0.path < $1.path }
    }

    static func text(_ path: String) throws -> String {
        try String(contentsOfFile: root + "/" + path, encoding: .utf8)
    }

    static func report(_ violations: [String]) {
        for violation in violations { Issue.record(Comment(rawValue: violation)) }
    }

    @Test func sourcesAreFound() throws {
        let sources = try Self.swiftFiles(under: "Sources")
        #expect(sources.count > 100)
        #expect(sources.contains { $0.path == "Sources/PacketIO/Syscalls.swift" })
    }

    @Test func kernelCallsGoThroughTheSyscallLayer() throws {
        Self.report(TidyRules.kernelCallsOutsideTheDoor(try Self.swiftFiles(under: "Sources")))
    }

    @Test func onlyPacketIOIsPublic() throws {
        Self.report(TidyRules.publicOutsidePacketIO(try Self.swiftFiles(under: "Sources")))
    }

    @Test func importsFollowArchitecture() throws {
        let allowed = TidyRules.allowedImports(fromArchitecture: try Self.text("ARCHITECTURE.md"))
        #expect(allowed["Engine"] == ["PacketIO", "HostStats", "Reporting"])
        #expect(allowed.count == 9)
        Self.report(TidyRules.forbiddenImports(try Self.swiftFiles(under: "Sources"), package: try Self.text("Package.swift"),
                                               allowed: allowed))
    }

    @Test func sourcesDoNotImportFoundation() throws {
        Self.report(TidyRules.foundationImports(try Self.swiftFiles(under: "Sources")))
    }

    @Test func architectureNamesExistingTypes() throws {
        var declared: Set<String> = []
        for directory in ["Sources", "Tests", "Examples"] {
            for file in try Self.swiftFiles(under: directory) { declared.formUnion(SwiftText(file.text).declaredTypes) }
        }
        declared.formUnion(TidyRules.quoted(try Self.text("Package.swift")))  // module and product names
        Self.report(TidyRules.staleNames(inArchitecture: try Self.text("ARCHITECTURE.md"), declared: declared))
    }

    @Test func functionsAreShort() throws {
        Self.report(TidyRules.overlongFunctions(try Self.swiftFiles(under: "Sources")))
    }
}
