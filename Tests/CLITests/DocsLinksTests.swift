import Foundation
import Testing

/// Every relative link in README.md and docs/*.md names a file that exists and,
/// after a `#`, a heading of that file (GitHub's anchors: lower case, spaces to
/// hyphens, punctuation but `-` and `_` dropped).
@Suite struct DocsLinksTests {
    static var pages: [URL] {
        let docs = JSONDocs.repository.appendingPathComponent("docs")
        let files = (try? FileManager.default.contentsOfDirectory(at: docs, includingPropertiesForKeys: nil)) ?? []
        return [JSONDocs.repository.appendingPathComponent("README.md")]
            + files.filter { $0.pathExtension == "md" }.sorted { $0.path < $1.path }
    }

    /// GitHub's anchor for a heading's text.
    static func anchor(_ heading: String) -> String {
        String(heading.lowercased().compactMap { character -> Character? in
            if character == " " { return "-" }
            if character.isLetter || character.isNumber || character == "-" || character == "_" { return character }
            return nil
        })
    }

    /// The anchors of a Markdown file's headings (outside code blocks).
    static func anchors(_ text: String) -> Set<String> {
        var anchors: Set<String> = []
        var inCode = false
        for line in text.split(separator: "\n") {
            if line.hasPrefix("```") { inCode.toggle(); continue }
            guard !inCode, line.hasPrefix("#") else { continue }
            anchors.insert(anchor(String(line.drop { $0 == "#" }.drop { $0 == " " })))
        }
        return anchors
    }

    /// The targets of `[text](target)` links outside code blocks and code spans.
    static func links(_ text: String) -> [String] {
        var links: [String] = []
        var inCode = false
        for line in text.split(separator: "\n") {
            if line.hasPrefix("```") { inCode.toggle(); continue }
            guard !inCode else { continue }
            let prose = line.split(separator: "`", omittingEmptySubsequences: false).enumerated()
                .filter { $0.offset % 2 == 0 }.map(\.element).joined(separator: " ")
            var rest = Substring(prose)
            while let open = rest.range(of: "](") {
                let target = rest[open.upperBound...].prefix { $0 != ")" }
                links.append(String(target))
                rest = rest[open.upperBound...].dropFirst(target.count)
            }
        }
        return links
    }

    @Test func theAnchorsAreGitHubs() {
        #expect(Self.anchor("AF_XDP: past the kernel's socket path (`--xdp`)") == "af_xdp-past-the-kernels-socket-path---xdp")
        #expect(Self.anchor("Two hosts: `mpps serve` and `--server`") == "two-hosts-mpps-serve-and---server")
    }

    @Test func everyLinkPointsAtAFileOrHeadingThatExists() throws {
        #expect(Self.pages.count >= 7, "README.md and the docs/ pages")
        var checked = 0
        for page in Self.pages {
            let text = try String(contentsOf: page, encoding: .utf8)
            for link in Self.links(text) where !link.hasPrefix("http://") && !link.hasPrefix("https://") {
                checked += 1
                let parts = link.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
                let file = parts[0].isEmpty ? page : page.deletingLastPathComponent().appendingPathComponent(String(parts[0])).standardized
                guard FileManager.default.fileExists(atPath: file.path) else {
                    Issue.record("\(page.lastPathComponent): '\(link)': no file \(file.path)")
                    continue
                }
                guard parts.count == 2 else { continue }
                let target = try String(contentsOf: file, encoding: .utf8)
                #expect(Self.anchors(target).contains(String(parts[1])), "\(page.lastPathComponent): '\(link)': no such heading in \(file.lastPathComponent)")
            }
        }
        #expect(checked >= 20, "only \(checked) links checked")
    }
}
