/// One bar of a ``BarChart``: stacked parts, an optional reference mark across
/// it (what was sent or offered), and a note for a bar that has no numbers.
package struct Bar: Sendable, Equatable {
    /// The label under the bar: an experiment's name, a trial's number.
    package var label: String
    /// The parts, bottom up, one per ``BarChart/parts`` entry (missing ones are 0).
    package var values: [Double]
    /// A horizontal mark across the bar at this value (sent, offered), when there is one.
    package var marker: Double?
    /// Written above the bar: its value, or why there is none (`not run`).
    package var caption: String

    /// Creates a bar.
    package init(label: String, values: [Double], marker: Double? = nil, caption: String = "") {
        self.label = label
        self.values = values
        self.marker = marker
        self.caption = caption
    }
}

/// Stacked bars side by side: one per experiment or per trial.
package struct BarChart: Sendable, Equatable {
    /// The panel's title.
    package var title: String
    /// What the y axis measures: `datagrams/s`.
    package var yTitle: String
    /// How y values are written.
    package var yUnit: AxisUnit
    /// The stacked parts' names and colours, bottom up.
    package var parts: [ChartFrame.LegendEntry]
    /// The legend's name for the marker, when bars have one.
    package var markerName: String?
    /// The bars, left to right.
    package var bars: [Bar]

    /// Creates a chart.
    package init(title: String, yTitle: String, yUnit: AxisUnit, parts: [ChartFrame.LegendEntry], markerName: String? = nil,
                 bars: [Bar]) {
        self.title = title
        self.yTitle = yTitle
        self.yUnit = yUnit
        self.parts = parts
        self.markerName = markerName
        self.bars = bars
    }

    /// The marker's colour and width.
    static let markerColor = Palette.ink

    /// Draws the chart from `top` down; returns the height it took.
    package func draw(into canvas: inout SVGCanvas, top: Double) -> Double {
        var legend = parts
        if let markerName { legend.append(ChartFrame.LegendEntry(name: markerName, color: Self.markerColor, isLine: true)) }
        let plotTop = ChartFrame.header(title, legend: legend, into: &canvas, top: top)
        let heights = bars.map { bar in bar.values.filter { $0.isFinite && $0 > 0 }.reduce(0, +) }
        let highest = max(heights.max() ?? 0, bars.compactMap(\.marker).filter(\.isFinite).max() ?? 0)
        // A tenth more room above the highest bar, for its caption.
        let scale = AxisScale.covering(0, highest * 1.1, ticks: 5)
        ChartFrame.yAxis(scale, unit: yUnit, title: yTitle, into: &canvas, top: plotTop)
        let left = ChartFrame.left, right = canvas.width - ChartFrame.right
        let bottom = plotTop + ChartFrame.plotHeight
        let slot = (right - left) / Double(max(1, bars.count))
        let barWidth = max(1, min(60, slot * 0.7))
        // Long labels lean, so a dozen experiment names fit under 800 pixels.
        let longest = bars.map { SVGCanvas.textWidth($0.label, size: 11) }.max() ?? 0
        let leans = longest > slot - 4
        for (index, bar) in bars.enumerated() {
            let center = left + slot * (Double(index) + 0.5)
            let x = center - barWidth / 2
            var base = 0.0
            for (part, value) in bar.values.enumerated() where value.isFinite && value > 0 {
                let y0 = scale.position(of: base, from: bottom, to: plotTop)
                let y1 = scale.position(of: base + value, from: bottom, to: plotTop)
                let name = part < parts.count ? parts[part].name : "part \(part + 1)"
                canvas.rectangle(x: x, y: y1, width: barWidth, height: y0 - y1,
                                 fill: part < parts.count ? parts[part].color : Palette.color(part),
                                 title: "\(bar.label): \(name) \(AxisScale.short(value))")
                base += value
            }
            var captionY = scale.position(of: base, from: bottom, to: plotTop)
            if let marker = bar.marker, marker.isFinite {
                let y = scale.position(of: marker, from: bottom, to: plotTop)
                canvas.line(x1: x - 3, y1: y, x2: x + barWidth + 3, y2: y, stroke: Self.markerColor, width: 2.5)
                captionY = min(captionY, y)
            }
            if !bar.caption.isEmpty {
                canvas.text(bar.caption, x: center, y: captionY - 5, size: 10, anchor: .middle)
            }
            if leans {
                canvas.text(XMLText.shortened(bar.label, to: 18), x: center + 4, y: bottom + 14, size: 11, anchor: .end, angle: 35)
            } else {
                canvas.text(bar.label, x: center, y: bottom + 16, size: 11, anchor: .middle)
            }
        }
        return bottom + (leans ? 80 : 30) - top
    }
}
