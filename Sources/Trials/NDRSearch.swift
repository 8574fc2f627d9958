import PacketIO
import Reporting

/// The search of `mpps ndr`: the highest offered rate whose loss is within a
/// bound, after RFC 2544's throughput test, as a state machine. The caller
/// asks ``next()`` for a rate, runs a trial there, and ``record(_:passed:)``s
/// the verdict, until ``next()`` returns nil and ``result`` holds the answer.
/// No I/O here, so tests drive it with a known loss curve.
///
/// The order of trials:
/// 1. **search**: first at the maximum; if that fails, bisection between the
///    highest rate that passed (at first the minimum, untried) and the lowest
///    that failed, each midpoint rounded to 3 significant figures, for at most
///    `steps` trials in all, or until the midpoint rounds onto a bound;
/// 2. **minimum**: when nothing passed, one trial at the minimum; if it fails
///    there is no rate without loss, and the result is 0;
/// 3. **confirm**: the best rate again. If it fails there, it counts as a
///    failed rate: the search goes on below it while steps remain, then the
///    best rate left is confirmed, at most ``maximumConfirmations`` times in all
///    (after which the result is 0: no rate held).
package struct NDRSearch: Sendable {
    /// Which part of the search a trial belongs to.
    package enum Phase: String, Sendable {
        case search, minimum, confirm
    }

    /// How the search ended.
    package struct Result: Sendable, Equatable {
        /// The highest rate that passed and then passed again; 0 when none did.
        package var rate: Double
        /// True when the confirming trial passed.
        package var confirmed: Bool
    }

    /// The lowest rate to consider (datagrams per second).
    package let minimum: Double
    /// The highest rate to consider.
    package let maximum: Double
    /// At most this many search trials (the first at the maximum included).
    package let steps: Int
    /// Confirming trials at most, when confirmations fail.
    package static let maximumConfirmations = 3

    private var low: Double
    private var high: Double?
    private var passing: [Double] = []
    private var searchTrials = 0
    private var confirmations = 0
    private var minimumTried = false
    private var pending: (rate: Double, phase: Phase)?
    /// The answer, once ``next()`` has returned nil.
    package private(set) var result: Result?

    /// A search between `minimum` and `maximum` (minimum ≤ maximum) of at most `steps` (≥ 1) search trials.
    package init(minimum: Double, maximum: Double, steps: Int) {
        precondition(minimum > 0 && minimum <= maximum && steps >= 1)
        self.minimum = minimum
        self.maximum = maximum
        self.steps = steps
        low = minimum
    }

    /// The rate and phase of the next trial, or nil when the search is over.
    package mutating func next() -> (rate: Double, phase: Phase)? {
        if result != nil { return nil }
        if let pending { return pending }
        let chosen = choose()
        pending = chosen
        return chosen
    }

    private mutating func choose() -> (rate: Double, phase: Phase)? {
        if searchTrials == 0 { return (maximum, .search) }
        if let high, searchTrials < steps, passing.max() != maximum {
            let middle = Self.round((low + high) / 2)
            if middle > low && middle < high { return (middle, .search) }
        }
        guard let best = passing.max() else {
            if !minimumTried && !(high.map { $0 <= minimum } ?? false) { return (minimum, .minimum) }
            result = Result(rate: 0, confirmed: false)
            return nil
        }
        if confirmations >= Self.maximumConfirmations {
            result = Result(rate: 0, confirmed: false)
            return nil
        }
        return (best, .confirm)
    }

    /// Records the verdict of the trial ``next()`` gave.
    package mutating func record(_ rate: Double, passed: Bool) {
        guard let trial = pending, trial.rate == rate else {
            preconditionFailure("record(\(rate)) without next() having given that rate")
        }
        pending = nil
        switch trial.phase {
        case .search:
            searchTrials += 1
            if passed {
                passing.append(rate)
                low = max(low, rate)
            } else {
                high = min(high ?? rate, rate)
            }
        case .minimum:
            minimumTried = true
            if passed { passing.append(rate) } else { high = min(high ?? rate, rate) }
        case .confirm:
            confirmations += 1
            if passed {
                result = Result(rate: rate, confirmed: true)
            } else {
                // It failed after all: the search goes on below it, from the best rate left.
                passing.removeAll { $0 >= rate }
                high = min(high ?? rate, rate)
                low = passing.max() ?? minimum
            }
        }
    }

    /// `rate` to 3 significant figures: 257500 → 258000, 1234 → 1230.
    package static func round(_ rate: Double) -> Double {
        guard rate >= 100 else { return rate.rounded() }
        var scale = 1.0
        while rate / scale >= 1000 { scale *= 10 }
        return (rate / scale).rounded(.toNearestOrAwayFromZero) * scale
    }
}
