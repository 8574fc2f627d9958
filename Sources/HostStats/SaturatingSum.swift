// Counters come from drivers and files we do not control: a driver that reports
// every counter as all ones (2^64 - 1) is real, and one sum of two of them would
// trap. Sums of counters saturate at UInt64.max instead: "at least this many".

extension UInt64 {
    /// `self + other`, or `UInt64.max` when the sum does not fit.
    package func saturatingAdding(_ other: UInt64) -> UInt64 {
        let (sum, overflowed) = addingReportingOverflow(other)
        return overflowed ? .max : sum
    }
}

extension Sequence where Element == UInt64 {
    /// The sum of the counters, saturating at `UInt64.max`.
    package func saturatingSum() -> UInt64 {
        reduce(0) { $0.saturatingAdding($1) }
    }
}
