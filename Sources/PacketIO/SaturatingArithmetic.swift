extension FixedWidthInteger {
    /// `self + other`, or the largest value where that would overflow: for
    /// counts fed by the network, which must end in a number, never a trap.
    /// Inlinable so that each caller, in any module, gets it specialized to its
    /// integer type: called generically it costs two witness-table calls per count.
    @inlinable @inline(__always)
    package func addingSaturating(_ other: Self) -> Self {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }

    /// `self - other`, or the smallest value where that would overflow
    /// (0 for unsigned counters that went backwards after a reset).
    @inlinable @inline(__always)
    package func subtractingSaturating(_ other: Self) -> Self {
        let (difference, overflow) = subtractingReportingOverflow(other)
        return overflow ? (other > 0 ? .min : .max) : difference
    }
}

extension Sequence where Element: FixedWidthInteger {
    /// The sum of the counters, or the largest value where it does not fit:
    /// "at least this many", as for a driver that reports all ones.
    package func saturatingSum() -> Element {
        reduce(0) { $0.addingSaturating($1) }
    }
}
