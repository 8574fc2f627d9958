// Safe read views of a received datagram's payload: a Span (Swift 6.2's
// bounds-checked, non-escaping view) over the bytes in the batch, handed to a
// closure, so reading needs no unsafe pointer and copies nothing. A closure
// rather than a property: a property returning a Span needs the experimental
// `Lifetimes` feature, which this package does not turn on.
extension ReceivedDatagram {
    /// Calls `body` with the payload as a `Span<UInt8>`: indexed reads with
    /// bounds checks, in place in the batch, no copy and no allocation. The
    /// span cannot leave `body`; like ``bytes``, it is valid only while the batch
    /// is not received into again. For a copy that outlives the batch: `Array(datagram.bytes)`.
    @inlinable
    public func withSpan<Result, Failure: Error>(_ body: (Span<UInt8>) throws(Failure) -> Result) throws(Failure) -> Result {
        try bytes.withMemoryRebound(to: UInt8.self) { (typed) throws(Failure) -> Result in try body(typed.span) }
    }

    /// Calls `body` with the payload as a `RawSpan`, for loads of wider values
    /// (`unsafeLoadUnaligned(fromByteOffset:as:)`) with the offset checked
    /// against the payload. In place, no copy; valid as ``withSpan(_:)`` is.
    @inlinable
    public func withRawSpan<Result, Failure: Error>(_ body: (RawSpan) throws(Failure) -> Result) throws(Failure) -> Result {
        try body(bytes.bytes)
    }
}
