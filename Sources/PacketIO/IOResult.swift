/// What a call on a non-blocking descriptor did: it did its work (and this is
/// what came of it), or it would have had to wait (EAGAIN). The one convention
/// for every stream call (`accept`, `recv`, `send`), so no caller has to know
/// that one of them says "wait" with nil and another with 0.
package enum IOResult<Value: ~Copyable>: ~Copyable {
    /// The call did its work: the bytes moved, the connection taken.
    case done(Value)
    /// Nothing could be done without waiting: poll, then call again.
    case wouldBlock
}

extension IOResult: Copyable where Value: Copyable {}
extension IOResult: Equatable where Value: Equatable {}
extension IOResult: Sendable where Value: Sendable & ~Copyable {}
