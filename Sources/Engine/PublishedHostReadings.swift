import Synchronization
import Reporting

/// The first and the latest host reading the monitor took, for a reader on
/// another thread (a /metrics scrape): the change between them is the run's
/// host counters so far, as of the monitor's last interval. Guarded by a
/// mutex that only the monitor and such readers take, never a worker.
package final class PublishedHostReadings: Sendable {
    private let readings = Mutex<(first: HostReading?, latest: HostReading?)>((nil, nil))

    /// An empty record.
    package init() {}

    /// Keeps `reading`: the first one stays the first.
    package func record(_ reading: HostReading) {
        readings.withLock { readings in
            if readings.first == nil { readings.first = reading }
            readings.latest = reading
        }
    }

    /// How the host's counters moved from the first reading to the latest; nil before the first.
    package func delta() -> HostDelta? {
        let (first, latest) = readings.withLock { ($0.first, $0.latest) }
        guard let first, let latest else { return nil }
        return HostDelta(from: first, to: latest)
    }
}
