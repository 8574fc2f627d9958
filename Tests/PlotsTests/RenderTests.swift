import Testing
import SVGCheck
@testable import Plots

/// Every kind of figure parses as XML and renders with rsvg-convert to an
/// 800-pixel-wide PNG with something on it.
@Suite struct RenderTests {
    static let figures: [(String, String)] = [
        ("recv", Lines.run(cpu: false)), ("recv with CPU keys", Lines.run(cpu: true)),
        ("send", Lines.sendStream), ("lab", Lines.lab), ("ndr", Lines.ndr),
    ]

    func svg(_ text: String) throws -> String {
        try Lines.stream(text).figure(title: "mpps plot run.jsonl", subtitle: ["host test"]).svg
    }

    @Test(arguments: figures.map(\.0)) func parsesAsXML(name: String) throws {
        let text = try #require(Self.figures.first { $0.0 == name }?.1)
        let parsed = try SVGCheck.parse(try svg(text))
        #expect(parsed.root == "svg")
        #expect(parsed.rootAttributes["width"] == "800")
        #expect(parsed.rootAttributes["xmlns"] == "http://www.w3.org/2000/svg")
        #expect(parsed.texts.first == "mpps plot run.jsonl")
        #expect(parsed.texts.contains("host test"))
        #expect((parsed.counts["polyline"] ?? 0) + (parsed.counts["rect"] ?? 0) > 1)
    }

    @Test func panelsMakeTheElementsExpected() throws {
        let plain = try SVGCheck.parse(try svg(Lines.run(cpu: false)))
        #expect(plain.counts["polyline"] == 4)  // 2 threads + all threads; the socket's drops
        let cpu = try SVGCheck.parse(try svg(Lines.run(cpu: true)))
        #expect(cpu.counts["polyline"] == 8)  // and 2 CPUs busy, 2 threads' CPU time
        #expect(cpu.texts.contains("Where each CPU's time went, over the run"))
        let lab = try SVGCheck.parse(try svg(Lines.lab))
        #expect(lab.texts.contains("not run"))
        #expect(lab.texts.contains("3 experiments on loopback, CPUs 0-1, 4.5 s; best: gro 20.0M/s"))
    }

    @Test(.enabled(if: SVGCheck.rendererMissing == nil, "needs rsvg-convert (apt-get install librsvg2-bin)"),
          arguments: figures.map(\.0))
    func rendersToAPictureThatIsNotBlank(name: String) throws {
        let text = try #require(Self.figures.first { $0.0 == name }?.1)
        let rendering = try SVGCheck.render(try svg(text))
        #expect(rendering.width == 800)
        #expect(rendering.height >= 300 && rendering.height <= 2000, "\(rendering.height) pixels high")
        #expect(rendering.bytes > 5 * rendering.blankBytes, "\(rendering.bytes) bytes against \(rendering.blankBytes) blank")
    }

    @Test(.enabled(if: SVGCheck.rendererMissing == nil, "needs rsvg-convert (apt-get install librsvg2-bin)"))
    func anEmptyFigureIsNearlyBlank() throws {
        // The check above can fail: a figure with only a title renders close to a blank page.
        let rendering = try SVGCheck.render(Figure(title: ".", panels: []).svg)
        #expect(rendering.bytes < 5 * rendering.blankBytes)
    }
}
