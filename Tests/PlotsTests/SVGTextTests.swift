import Testing
import SVGCheck
@testable import Plots

/// Text in the SVG: escaped for XML whatever it holds, shortened and wrapped to fit 800 pixels.
@Suite struct SVGTextTests {
    @Test func specialCharactersBecomeEntities() {
        #expect(XMLText.escape(#"mpps recv --svg 'a&b<c>"d".svg'"#)
            == "mpps recv --svg &apos;a&amp;b&lt;c&gt;&quot;d&quot;.svg&apos;")
        #expect(XMLText.escape("µs → ok") == "µs → ok")
    }

    @Test func charactersXMLForbidsAreReplaced() {
        #expect(XMLText.escape("a\u{0}b\u{1B}[31mc\u{FFFE}") == "a\u{FFFD}b\u{FFFD}[31mc\u{FFFD}")
        #expect(XMLText.escape("tab\there\nline") == "tab\there\nline")
    }

    @Test func aHostileCommandLineStillMakesWellFormedXML() throws {
        let title = "mpps recv </text><script>alert(1)</script> & \u{1}\u{0} ]]> <!-- \"'"
        let figure = Figure(title: title, subtitle: ["host <&>"], panels: [
            .lines(LineChart(title: "a <b>", yTitle: "c & d", yUnit: .si(suffix: "/s"),
                             series: [Series(name: "</polyline>", color: "#000\"/>", points: [PlotPoint(x: 0, y: 1), PlotPoint(x: 1, y: 2)])])),
        ], notes: ["<note>"])
        let parsed = try SVGCheck.parse(figure.svg)
        #expect(parsed.root == "svg")
        #expect(parsed.counts["script"] == nil)
        #expect(parsed.texts.first == "mpps recv </text><script>alert(1)</script> & \u{FFFD}\u{FFFD} ]]> <!-- \"'")
        #expect(parsed.texts.contains("host <&>"))
        #expect(parsed.texts.contains("</polyline>"))
    }

    @Test func shortenedAndWrapped() {
        #expect(XMLText.shortened("abcdef", to: 4) == "abc…")
        #expect(XMLText.shortened("abc", to: 4) == "abc")
        #expect(XMLText.wrapped("one two three four", to: 9) == ["one two", "three", "four"])
        #expect(XMLText.wrapped("abcdefghij", to: 4) == ["abcd", "efgh", "ij"])
        #expect(XMLText.wrapped("a b c d e f", to: 3, most: 2) == ["a b", "c …"])
    }

    @Test func commandLinesAreQuotedAsAShellWouldNeed() {
        #expect(PlotTitle.commandLine(["/usr/local/bin/mpps", "recv", "127.0.0.1:4321", "--svg", "my run.svg"])
            == "mpps recv 127.0.0.1:4321 --svg 'my run.svg'")
        #expect(PlotTitle.commandLine(["mpps", "send", "[::1]:4400", "--rate", "1.5M"]) == "mpps send [::1]:4400 --rate 1.5M")
        #expect(PlotTitle.commandLine(["mpps", "x'y"]) == #"mpps 'x'\''y'"#)
    }

    @Test func canvasNumbersAreShortAndExact() {
        #expect(SVGCanvas.number(12) == "12")
        #expect(SVGCanvas.number(12.5) == "12.5")
        #expect(SVGCanvas.number(12.25) == "12.25")
        #expect(SVGCanvas.number(12.05) == "12.05")
        #expect(SVGCanvas.number(-3.5) == "-3.5")
        #expect(SVGCanvas.number(.nan) == "0")
    }
}
