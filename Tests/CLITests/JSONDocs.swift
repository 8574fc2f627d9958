import Foundation
import Testing

/// docs/json.md, the one list of the JSON lines: a table per line type, under a
/// heading per command. The tests that run a command with --json hand its lines
/// here, and a key the page does not list fails them.
enum JSONDocs {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The keys each table lists, by "COMMAND/TYPE" (`recv and send/ready`), `type` included.
    static let tables: [String: Set<String>] = {
        let text = (try? String(contentsOf: repository.appendingPathComponent("docs/json.md"), encoding: .utf8)) ?? ""
        var tables: [String: Set<String>] = [:]
        var section = "", type = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## ") { section = String(line.dropFirst(3)); type = "" }
            if line.hasPrefix("### ") { type = String(line.dropFirst(4)); tables["\(section)/\(type)", default: ["type"]] = ["type"] }
            guard line.hasPrefix("| `"), !type.isEmpty else { continue }
            let cell = line.dropFirst(2).prefix { $0 != "|" }
            for key in cell.split(separator: "`", omittingEmptySubsequences: false).enumerated() where key.offset % 2 == 1 {
                tables["\(section)/\(type)", default: ["type"]].insert(String(key.element))
            }
        }
        return tables
    }()

    /// Records an issue for each key of `line` that the table for its type, under `section`, lacks;
    /// `type` names the table for a line without one (`doctor`'s object).
    static func expectDocumented(_ line: [String: Any], section: String, type: String? = nil,
                                 sourceLocation: SourceLocation = #_sourceLocation) {
        let name = type ?? (line["type"] as? String ?? "?")
        guard let keys = tables["\(section)/\(name)"] else {
            Issue.record("docs/json.md has no table '### \(name)' under '## \(section)'", sourceLocation: sourceLocation)
            return
        }
        let missing = Set(line.keys).subtracting(keys)
        #expect(missing.isEmpty, "docs/json.md, '\(section)' '\(name)', lacks \(missing.sorted())", sourceLocation: sourceLocation)
    }

    /// The same for every line of a `--json` output.
    static func expectDocumented(lines output: String, section: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for line in output.split(separator: "\n") {
            guard let object = jsonObject(String(line)) else { continue }
            expectDocumented(object, section: section, sourceLocation: sourceLocation)
        }
    }
}

/// docs/json.md against the sources: each table it promises exists, and every key
/// it lists is written by some source file, so a key dropped from the code is
/// dropped from the page too.
@Suite struct JSONDocsTests {
    @Test func everyLineTypeHasItsTable() {
        let expected = ["recv and send/ready", "recv and send/interval", "recv and send/summary", "demo/stage",
                        "demo/account", "send --server/receiver", "send --server/sender", "lab/experiment",
                        "lab/summary", "ndr/trial", "ndr/summary", "doctor/object", "echo/ready", "echo/interval",
                        "echo/summary", "ping/ready", "ping/interval", "ping/summary", "ping --server/echo"]
        #expect(Set(JSONDocs.tables.keys) == Set(expected))
        for table in expected { #expect((JSONDocs.tables[table]?.count ?? 0) >= 2, "\(table) lists no key") }
    }

    @Test func everyListedKeyIsWrittenBySomeSource() throws {
        var sources = ""
        let enumerator = FileManager.default.enumerator(at: JSONDocs.repository.appendingPathComponent("Sources"), includingPropertiesForKeys: nil)
        while let file = enumerator?.nextObject() as? URL {
            if file.pathExtension == "swift" { sources += try String(contentsOf: file, encoding: .utf8) }
        }
        #expect(sources.count > 100_000)
        for (table, keys) in JSONDocs.tables {
            for key in keys where !sources.contains("\"\(key)\"") {
                Issue.record("docs/json.md, \(table): no source writes \"\(key)\"")
            }
        }
    }
}
