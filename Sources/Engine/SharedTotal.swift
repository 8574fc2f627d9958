import Synchronization
import PacketIO
import Reporting

/// A total that several threads add to, once per batch.
package struct SharedTotal: @unchecked Sendable {
    // Safety: points into a RunControl that outlives every worker.
    let storage: UnsafeMutablePointer<Atomic<UInt64>>

    /// The current total.
    @inline(__always)
    package func load() -> UInt64 { storage.pointee.load(ordering: .relaxed) }

    /// Adds `amount` and returns the new total.
    @inline(__always)
    @discardableResult
    package func add(_ amount: UInt64) -> UInt64 {
        storage.pointee.add(amount, ordering: .relaxed).newValue
    }

    /// How many datagrams the next call may take: `batch`, or what is left under
    /// `limit` when that is less; nil once the total has reached the limit, so the
    /// caller stops without reading past it.
    @inline(__always)
    package func nextRequest(batch: Int, limit: UInt64?) -> Int? {
        guard let limit else { return batch }
        let taken = load()
        if taken >= limit { return nil }
        return Int(min(UInt64(batch), limit - taken))
    }
}
