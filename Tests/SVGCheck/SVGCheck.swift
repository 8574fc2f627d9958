#if canImport(Glibc)
import Glibc
#endif
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Checks an SVG the way a viewer would take it: it must parse as XML (libxml2,
/// through Foundation's `XMLParser`, which reports every well-formedness error),
/// and `rsvg-convert` (Debian's librsvg2-bin) must render it to a PNG of the
/// expected size that is not blank.
package enum SVGCheck {
    /// What a parse found.
    package struct Parsed: Sendable {
        /// The root element's name.
        package var root: String
        /// The root's attributes (`width`, `height`, `viewBox`).
        package var rootAttributes: [String: String]
        /// How many elements of each name.
        package var counts: [String: Int]
        /// Every `<text>` element's content, in order.
        package var texts: [String]
    }

    /// Parses `svg`; throws the parser's error (with its line) when it is not well-formed XML.
    package static func parse(_ svg: String) throws -> Parsed {
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        let succeeded = parser.parse()
        if !succeeded || collector.error != nil || parser.parserError != nil {
            throw CheckError("not well-formed XML at line \(parser.lineNumber): \(String(describing: collector.error ?? parser.parserError))")
        }
        return Parsed(root: collector.root ?? "", rootAttributes: collector.rootAttributes, counts: collector.counts,
                      texts: collector.texts)
    }

    /// Why rendering cannot be tested here; nil when `rsvg-convert` is installed.
    package static var rendererMissing: String? {
        FileManager.default.isExecutableFile(atPath: renderer) ? nil : "needs rsvg-convert (apt-get install librsvg2-bin)"
    }

    static let renderer = "/usr/bin/rsvg-convert"

    /// A rendering: the PNG's size in bytes and pixels, and the size of a blank PNG of the same pixels.
    package struct Rendering: Sendable {
        /// Bytes of the PNG of the SVG.
        package var bytes: Int
        /// Its width in pixels (from the IHDR chunk).
        package var width: Int
        /// Its height in pixels.
        package var height: Int
        /// Bytes of an all-white PNG of the same width and height: what a picture with nothing on it compresses to.
        package var blankBytes: Int
    }

    /// Renders `svg` to PNG at `width` pixels, and a white picture of the same size beside it.
    package static func render(_ svg: String, width: Int = 800) throws -> Rendering {
        let picture = try renderPNG(svg, width: width)
        let (pixelsWide, pixelsHigh) = try dimensions(picture)
        let blank = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(pixelsWide)\" height=\"\(pixelsHigh)\">"
            + "<rect x=\"0\" y=\"0\" width=\"\(pixelsWide)\" height=\"\(pixelsHigh)\" fill=\"#ffffff\"/></svg>"
        let blankPicture = try renderPNG(blank, width: pixelsWide)
        return Rendering(bytes: picture.count, width: pixelsWide, height: pixelsHigh, blankBytes: blankPicture.count)
    }

    static func renderPNG(_ svg: String, width: Int) throws -> Data {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mpps-svg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in.svg"), output = directory.appendingPathComponent("out.png")
        try Data(svg.utf8).write(to: input)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: renderer)
        process.arguments = ["-w", "\(width)", "-f", "png", "-o", output.path, input.path]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw CheckError("rsvg-convert exited \(process.terminationStatus): \(message)")
        }
        return try Data(contentsOf: output)
    }

    /// Width and height from a PNG's signature and IHDR chunk.
    static func dimensions(_ png: Data) throws -> (Int, Int) {
        let bytes = [UInt8](png.prefix(24))
        guard bytes.count == 24, bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],
              bytes[12..<16] == [0x49, 0x48, 0x44, 0x52] else { throw CheckError("not a PNG") }
        let number = { (at: Int) in bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (number(16), number(20))
    }

    final class Collector: NSObject, XMLParserDelegate {
        var root: String?
        var rootAttributes: [String: String] = [:]
        var counts: [String: Int] = [:]
        var texts: [String] = []
        var inText = false
        var error: Error?

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            if root == nil {
                root = name
                rootAttributes = attributes
            }
            counts[name, default: 0] += 1
            if name == "text" {
                inText = true
                texts.append("")
            }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "text" { inText = false }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if inText, !texts.isEmpty { texts[texts.count - 1] += string }
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
            error = parseError
        }
    }
}

/// A failed check, with what was wrong.
package struct CheckError: Error, CustomStringConvertible {
    package let description: String
    init(_ description: String) { self.description = description }
}
