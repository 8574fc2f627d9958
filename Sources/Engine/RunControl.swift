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
