/// The parts every chart panel shares: its title, a legend that wraps, the
/// plot area's margins, and the y axis with its grid.
package enum ChartFrame {
    /// Left of the plot area: room for tick labels such as `1.25M/s` and the axis title.
    static let left = 78.0
    /// Right of the plot area.
    static let right = 20.0
    /// The plot area's height.
    static let plotHeight = 210.0
    /// One legend row.
    static let legendRow = 17.0

    /// One legend entry: a swatch (a square, or a short line for a marker) and a name.
    package struct LegendEntry: Sendable, Equatable {
        /// What the colour stands for.
        package var name: String
        /// The colour.
        package var color: String
        /// Drawn as a line (a marker or a series) rather than a filled square.
        package var isLine: Bool

        /// Creates an entry.
        package init(name: String, color: String, isLine: Bool = false) {
            self.name = name
            self.color = color
            self.isLine = isLine
        }
    }

    /// Draws the panel's title at `top` and the legend under it; returns the y where the plot area may start.
    static func header(_ title: String, legend: [LegendEntry], into canvas: inout SVGCanvas, top: Double) -> Double {
        canvas.text(XMLText.shortened(title, to: Int((canvas.width - 40) / (14 * 0.58))), x: 20, y: top + 16, size: 14, bold: true)
        var y = top + 26
        var x = left
        for entry in legend {
            let label = XMLText.shortened(entry.name, to: 60)
            let width = 18 + SVGCanvas.textWidth(label, size: 11) + 14
            if x + width > canvas.width - right, x > left {
                x = left
                y += legendRow
            }
            if entry.isLine {
                canvas.line(x1: x, y1: y + 7, x2: x + 12, y2: y + 7, stroke: entry.color, width: 2.5)
            } else {
                canvas.rectangle(x: x, y: y + 1, width: 12, height: 12, fill: entry.color)
            }
            canvas.text(label, x: x + 16, y: y + 11, size: 11)
            x += width
        }
        return y + (legend.isEmpty ? 0 : legendRow) + 8
    }

    /// Grid lines and labels of the y axis over the plot area from `top` down `plotHeight`, its title rotated at the left.
    static func yAxis(_ scale: AxisScale, unit: AxisUnit, title: String, into canvas: inout SVGCanvas, top: Double) {
        let bottom = top + plotHeight
        for tick in scale.ticks {
            let y = scale.position(of: tick, from: bottom, to: top)
            canvas.line(x1: left, y1: y, x2: canvas.width - right, y2: y, stroke: Palette.grid)
            canvas.text(scale.label(tick, unit: unit), x: left - 6, y: y + 4, size: 11, anchor: .end)
        }
        canvas.line(x1: left, y1: top, x2: left, y2: bottom, stroke: Palette.ink)
        canvas.line(x1: left, y1: bottom, x2: canvas.width - right, y2: bottom, stroke: Palette.ink)
        canvas.text(title, x: 14, y: top + plotHeight / 2, size: 11, anchor: .middle, angle: 90)
    }
}
