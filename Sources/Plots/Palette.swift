/// Colours for series and bar segments: distinct for most readers (after the
/// Okabe–Ito and Tableau palettes), dark enough on white.
package enum Palette {
    /// Colours in the order series take them.
    package static let series = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                 "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"]

    /// The colour of series number `index`, repeating after the last.
    package static func color(_ index: Int) -> String {
        series[((index % series.count) + series.count) % series.count]
    }

    /// Received datagrams: the part of a bar that arrived.
    package static let received = "#2ca02c"
    /// Dropped at the socket (buffer full).
    package static let socket = "#d62728"
    /// Dropped from a CPU's backlog.
    package static let backlog = "#ff7f0e"
    /// Lost where no counter saw it.
    package static let other = "#7f7f7f"
    /// Sent or offered: a reference the received part is compared with.
    package static let offered = "#1f77b4"
    /// A trial that failed.
    package static let failed = "#d62728"
    /// Axes, ticks and text.
    package static let ink = "#222222"
    /// Grid lines.
    package static let grid = "#dddddd"
}
