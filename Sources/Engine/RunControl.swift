import Synchronization
import PacketIO
import Reporting

/// What every thread of one run shares: the stop request, and the first
/// fatal error any thread hit. Readers on the hot path use ``flag``, a plain
/// pointer, so the loop holds no class reference.
package final class RunControl: @unchecked Sendable {
    // Safety: allocated once here, freed in deinit; users keep this object alive.
    private let stopStorage: UnsafeMutablePointer<Atomic<Bool>>
    private let totalStorage: UnsafeMutablePointer<Atomic<UInt64>>
    private let failure = Mutex<String?>(nil)
    private let notices = Mutex<[String]>([])

    /// Creates a control with no stop requested.
    package init() {
        stopStorage = .allocate(capacity: 1)
        stopStorage.initialize(to: Atomic(false))
        totalStorage = .allocate(capacity: 1)
        totalStorage.initialize(to: Atomic(0))
    }

    deinit {
        stopStorage.deinitialize(count: 1)
        stopStorage.deallocate()
        totalStorage.deinitialize(count: 1)
        totalStorage.deallocate()
    }

    /// A running total all threads add to, for a run that stops at a count.
    package var sharedTotal: SharedTotal { SharedTotal(storage: totalStorage) }

    /// The stop request as a pointer-sized value for worker loops.
    package var flag: StopFlag { StopFlag(storage: stopStorage) }

    /// Asks every thread of the run to finish its current batch and return.
    package func requestStop() { flag.set() }

    /// Whether a stop was requested.
    package var isStopRequested: Bool { flag.isSet }

    /// Records `message` as the run's failure (the first one wins) and stops the run.
    package func fail(_ message: String) {
        failure.withLock { if $0 == nil { $0 = message } }
        requestStop()
    }

    /// Tells the user, once, about something that changed how the run works
    /// (an offload the kernel refused, say): one line on stderr, and kept in ``noticesGiven``.
    package func notice(_ message: String) {
        let isNew = notices.withLock { list in
            if list.contains(message) { return false }
            list.append(message)
            return true
        }
        if isNew { writeError(message) }
    }

    /// Every notice given so far, in order.
    package var noticesGiven: [String] { notices.withLock { $0 } }

    /// The first failure recorded, if any.
    package var failureMessage: String? { failure.withLock { $0 } }
}

/// A stop request readable with one relaxed load.
package struct StopFlag: @unchecked Sendable {
    // Safety: points into a RunControl that outlives every worker.
    let storage: UnsafeMutablePointer<Atomic<Bool>>

    /// True once a stop was requested.
    @inline(__always)
    package var isSet: Bool { storage.pointee.load(ordering: .relaxed) }

    /// Requests the stop.
    @inline(__always)
    package func set() { storage.pointee.store(true, ordering: .relaxed) }
}

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
}

/// Counts worker threads that finished setting up, so a run can report that it
/// is receiving only once every thread really is.
package final class StartLatch: Sendable {
    private let arrived = Atomic<Int>(0)

    /// A latch nobody has arrived at.
    package init() {}

    /// Called by a worker once it is ready to move traffic (or has given up).
    package func arrive() { arrived.add(1, ordering: .releasing) }

    /// Waits until `count` workers arrived, or `seconds` passed; true if they all did.
    package func wait(for count: Int, seconds: Double) -> Bool {
        let deadline = MonotonicClock.now() &+ UInt64(seconds * 1e9)
        while arrived.load(ordering: .acquiring) < count {
            if MonotonicClock.now() >= deadline { return false }
            MonotonicClock.sleep(until: MonotonicClock.now() &+ 200_000)
        }
        return true
    }
}
