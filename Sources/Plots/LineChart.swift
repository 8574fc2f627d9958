/// One point of a series.
package struct PlotPoint: Sendable, Equatable {
    /// Along the x axis (seconds, usually).
    package var x: Double
    /// Along the y axis.
    package var y: Double

    /// Creates a point.
    package init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// A named line of a ``LineChart``.
package struct Series: Sendable, Equatable {
    /// The legend's name for it.
    package var name: String
    /// Its colour.
    package var color: String
    /// Its points, in increasing x.
    package var points: [PlotPoint]

    /// Creates a series.
    package init(name: String, color: String, points: [PlotPoint]) {
        self.name = name
        self.color = color
        self.points = points
    }
}

/// Lines over a shared x axis: rates over time, drops over time, CPU shares over time.
package struct LineChart: Sendable, Equatable {
    /// The panel's title.
    package var title: String
    /// What the x axis measures, with its unit: `elapsed time (s)`.
    package var xTitle: String
    /// How x values are written.
    package var xUnit: AxisUnit
    /// What the y axis measures: `datagrams/s`.
    package var yTitle: String
    /// How y values are written.
    package var yUnit: AxisUnit
    /// The lines.
    package var series: [Series]
    /// The y axis reaches at least this high (1 for a share: 100 % is the scale a reader expects).
    package var minimumTop: Double

    /// Creates a chart.
    package init(title: String, xTitle: String = "elapsed time (s)", xUnit: AxisUnit = .plain(suffix: ""),
                 yTitle: String, yUnit: AxisUnit, series: [Series], minimumTop: Double = 0) {
        self.title = title
        self.xTitle = xTitle
        self.xUnit = xUnit
        self.yTitle = yTitle
        self.yUnit = yUnit
        self.series = series
        self.minimumTop = minimumTop
    }

    /// Draws the chart from `top` down; returns the height it took.
    package func draw(into canvas: inout SVGCanvas, top: Double) -> Double {
        let legend = series.map { ChartFrame.LegendEntry(name: $0.name, color: $0.color, isLine: true) }
        let plotTop = ChartFrame.header(title, legend: legend, into: &canvas, top: top)
        let points = series.flatMap(\.points)
        let xs = points.map(\.x).filter(\.isFinite), ys = points.map(\.y).filter(\.isFinite)
        let xScale = AxisScale.covering(xs.min() ?? 0, xs.max() ?? 1, ticks: 8)
        let yScale = AxisScale.covering(ys.min() ?? 0, max(ys.max() ?? 0, minimumTop), ticks: 5)
        ChartFrame.yAxis(yScale, unit: yUnit, title: yTitle, into: &canvas, top: plotTop)
        let left = ChartFrame.left, right = canvas.width - ChartFrame.right
        let bottom = plotTop + ChartFrame.plotHeight
        for tick in xScale.ticks {
            let x = xScale.position(of: tick, from: left, to: right)
            canvas.line(x1: x, y1: bottom, x2: x, y2: bottom + 4, stroke: Palette.ink)
            canvas.text(xScale.label(tick, unit: xUnit), x: x, y: bottom + 17, size: 11, anchor: .middle)
        }
        canvas.text(xTitle, x: (left + right) / 2, y: bottom + 34, size: 11, anchor: .middle)
        for line in series {
            let placed = line.points.filter { $0.x.isFinite && $0.y.isFinite }.map {
                (x: xScale.position(of: $0.x, from: left, to: right), y: yScale.position(of: $0.y, from: bottom, to: plotTop))
            }
            if placed.count == 1 {
                canvas.dot(x: placed[0].x, y: placed[0].y, fill: line.color)
            } else {
                canvas.polyline(placed, stroke: line.color)
            }
        }
        return bottom + 44 - top
    }
}
