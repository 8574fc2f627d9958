extension Sequence where Element == UInt64 {
    /// The sum, or UInt64.max when it would not fit: counters read from /proc or a
    /// driver are untrusted, and a total of them must not trap.
    var saturatingSum: UInt64 {
        reduce(0) { sum, value in
            let (result, overflow) = sum.addingReportingOverflow(value)
            return overflow ? .max : result
        }
    }
}
