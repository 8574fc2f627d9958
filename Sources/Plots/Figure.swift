/// One panel of a figure.
package enum Panel: Sendable, Equatable {
    /// Lines over time.
    case lines(LineChart)
    /// Stacked bars.
    case bars(BarChart)
}

/// A whole picture: a title (the command line), lines under it (the host, what
/// the run was), panels one under the other, and notes at the bottom.
package struct Figure: Sendable, Equatable {
    /// The first line, in bold: the command line that made the data.
    package var title: String
    /// Lines under the title: the host, the stream's facts.
    package var subtitle: [String]
    /// The panels, top to bottom.
    package var panels: [Panel]
    /// Lines at the bottom: the result of a search, what was left out.
    package var notes: [String]

    /// Creates a figure.
    package init(title: String, subtitle: [String] = [], panels: [Panel], notes: [String] = []) {
        self.title = title
        self.subtitle = subtitle
        self.panels = panels
        self.notes = notes
    }

    /// The width every mpps plot has: readable on a laptop screen and in a README.
    package static let width = 800.0

    /// The figure as an SVG document.
    package var svg: String {
        var canvas = SVGCanvas(width: Self.width)
        let fit = { (size: Double) in Int((Self.width - 40) / (size * 0.58)) }
        var y = 8.0
        for line in XMLText.wrapped(title, to: fit(15), most: 2) {
            y += 19
            canvas.text(line, x: 20, y: y, size: 15, bold: true)
        }
        y += 4
        for line in subtitle.flatMap({ XMLText.wrapped($0, to: fit(12), most: 2) }) {
            y += 17
            canvas.text(line, x: 20, y: y, size: 12)
        }
        y += 12
        for panel in panels {
            switch panel {
            case .lines(let chart): y += chart.draw(into: &canvas, top: y)
            case .bars(let chart): y += chart.draw(into: &canvas, top: y)
            }
            y += 8
        }
        for line in notes.flatMap({ XMLText.wrapped($0, to: fit(12), most: 3) }) {
            y += 17
            canvas.text(line, x: 20, y: y, size: 12)
        }
        return canvas.document(height: (y + 16).rounded(.up), title: title)
    }
}
