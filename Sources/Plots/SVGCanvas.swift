import Reporting

/// An SVG document being drawn: each call appends one element. Every text and
/// attribute value goes through ``XMLText/escape(_:)``; numbers are written with
/// at most two decimals, so the file stays small and the same each time.
package struct SVGCanvas: Sendable {
    /// The width in pixels.
    package let width: Double
    private var body = ""

    /// An empty canvas `width` pixels wide; its height is given when it is finished.
    package init(width: Double) { self.width = width }

    /// A coordinate or length as SVG text: `12`, `12.5`, `12.25`.
    static func number(_ value: Double) -> String {
        // No picture is 10^13 pixels wide: such a value is a bug upstream, drawn at 0 rather than as 1e+20.
        guard value.isFinite, abs(value) < 1e13 else { return "0" }
        return Units.plain(value, maximumDecimals: 2)
    }

    /// A filled rectangle.
    package mutating func rectangle(x: Double, y: Double, width: Double, height: Double, fill: String,
                                    title: String? = nil) {
        body += "<rect x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"\(Self.number(max(0, width)))\" "
            + "height=\"\(Self.number(max(0, height)))\" fill=\"\(XMLText.escape(fill))\""
        if let title {
            body += "><title>\(XMLText.escape(title))</title></rect>\n"
        } else {
            body += "/>\n"
        }
    }

    /// A straight line.
    package mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1,
                               dashed: Bool = false) {
        body += "<line x1=\"\(Self.number(x1))\" y1=\"\(Self.number(y1))\" x2=\"\(Self.number(x2))\" y2=\"\(Self.number(y2))\" "
            + "stroke=\"\(XMLText.escape(stroke))\" stroke-width=\"\(Self.number(width))\""
            + (dashed ? " stroke-dasharray=\"4 3\"" : "") + "/>\n"
    }

    /// A line through `points`, in order.
    package mutating func polyline(_ points: [(x: Double, y: Double)], stroke: String, width: Double = 1.5) {
        guard !points.isEmpty else { return }
        let list = points.map { Self.number($0.x) + "," + Self.number($0.y) }.joined(separator: " ")
        body += "<polyline points=\"\(list)\" fill=\"none\" stroke=\"\(XMLText.escape(stroke))\" "
            + "stroke-width=\"\(Self.number(width))\" stroke-linejoin=\"round\"/>\n"
    }

    /// A small filled circle (a single point of a series).
    package mutating func dot(x: Double, y: Double, radius: Double = 2.5, fill: String) {
        body += "<circle cx=\"\(Self.number(x))\" cy=\"\(Self.number(y))\" r=\"\(Self.number(radius))\" fill=\"\(XMLText.escape(fill))\"/>\n"
    }

    /// Where a text's `x` is: its start, middle or end.
    package enum Anchor: String, Sendable {
        case start, middle, end
    }

    /// A line of text; `angle` turns it that many degrees counter-clockwise about (x, y)
    /// (90 for a y-axis title, 40 for a bar's long label).
    package mutating func text(_ text: String, x: Double, y: Double, size: Double = 12, anchor: Anchor = .start,
                               bold: Bool = false, color: String = Palette.ink, angle: Double = 0) {
        body += "<text x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" font-size=\"\(Self.number(size))\""
            + (anchor == .start ? "" : " text-anchor=\"\(anchor.rawValue)\"")
            + (bold ? " font-weight=\"bold\"" : "")
            + (color == Palette.ink ? "" : " fill=\"\(XMLText.escape(color))\"")
            + (angle == 0 ? "" : " transform=\"rotate(\(Self.number(-angle)) \(Self.number(x)) \(Self.number(y)))\"")
            + ">\(XMLText.escape(text))</text>\n"
    }

    /// The approximate width of `text` at `size` pixels: sans-serif glyphs
    /// average a little over half the font size; used to lay out legends.
    package static func textWidth(_ text: String, size: Double) -> Double {
        Double(text.count) * size * 0.58
    }

    /// The whole document, `height` pixels high, with `title` as its `<title>` (what a viewer shows on hover).
    package func document(height: Double, title: String) -> String {
        let w = Self.number(width), h = Self.number(height)
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\" "
            + "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" fill=\"\(Palette.ink)\">\n"
            + "<title>\(XMLText.escape(title))</title>\n"
            + "<rect x=\"0\" y=\"0\" width=\"\(w)\" height=\"\(h)\" fill=\"#ffffff\"/>\n"
            + body
            + "</svg>\n"
    }
}
