#if canImport(Glibc)
import Glibc
#endif
import HostStats
import PacketIO
import Reporting

/// One receiver and one sender, each a child `mpps` process, as a person would
/// run them in two terminals: the receiver starts first, and once its first
/// line of JSON says it is ready (every thread reading) the sender starts;
/// the sender runs its duration or count and exits; after a moment for the
/// receiver to read what is queued, the receiver gets SIGINT and prints its
/// summary. Both summaries make a ``TrialMeasurement``.
package enum PairTrial {
    /// Time for the receiver to read what its socket still holds once the sender
    /// has ended (4 MiB of small datagrams take a few milliseconds).
    static let drainSeconds = 0.25
    /// The longest to wait beyond that for a slow receiver (a busy machine, a
    /// sanitizer) to empty its socket: datagrams still queued when it stops are
    /// lost where no counter sees them.
    static let drainLimitSeconds = 5.0
    /// The longest a receiver may take to bind, start its threads and say so.
    static let readySeconds = 10.0

    /// What a receiver's standard output says so far about its readiness.
    package enum Readiness: Equatable, Sendable {
        /// No whole line yet.
        case waiting
        /// The first line is the ready line (`{"type":"ready",...}`, see ``ReceiveReady/json``).
        case ready(JSONValue)
        /// The first line is something else: the receiver will never say it is ready.
        case unexpected(String)
    }

    /// Reads the first line of a receiver's `--json` output once it is whole: the
    /// file may be read while the line is half written, and half a line is not yet
    /// an answer.
    package static func readiness(of output: String) -> Readiness {
        guard let end = output.firstIndex(of: "\n") else { return .waiting }
        let line = String(output[..<end])
        guard let value = JSONValue(parsing: line), value["type"]?.string == "ready" else { return .unexpected(line) }
        return .ready(value)
    }

    /// Runs `receiver` (`mpps` arguments, with `--json`) until it is ready, then `sender`
    /// (with `--json`) to its end, then stops the receiver. `senderSeconds` bounds
    /// the sender's run (it stops by itself well before). Returns nil if a stop
    /// signal came, after ending both. Both get one fresh `--flow-key`, so the
    /// receiver counts this sender's flows and nobody else's. The receiver runs
    /// where `place` says, or on the `mpps serve` of `receiverEnd` when given.
    package static func run(receiver: [String], sender: [String], place: TrialPlace, senderSeconds: Double,
                           watch: StopSignalWatch, receiverEnd: ReceiverEnd? = nil) throws(RunError) -> TrialMeasurement? {
        guard let (receiverSummary, senderSummary) = try summaries(receiver: receiver, sender: sender, place: place,
                                                                   senderSeconds: senderSeconds, watch: watch,
                                                                   receiverEnd: receiverEnd) else { return nil }
        return try TrialMeasurement.parse(receiver: receiverSummary, sender: senderSummary,
                                          coalescing: receiver.contains("--gro")).get()
    }

    /// ``run(receiver:sender:place:senderSeconds:watch:receiverEnd:)`` up to the two summary
    /// lines, as printed: the receiver's, then the sender's (`mpps send --server` prints both).
    package static func summaries(receiver: [String], sender: [String], place: TrialPlace, senderSeconds: Double,
                                  watch: StopSignalWatch, receiverEnd: ReceiverEnd? = nil) throws(RunError) -> (JSONValue, JSONValue)? {
        let key = ["--flow-key", FlowKey.random().description]
        let receiving = receiverEnd ?? LocalReceiverEnd(executable: place.executable, namespace: place.receiverNamespace)
        defer { receiving.end() }
        guard try receiving.start(receiver + key, watch: watch) != nil else { return nil }

        let sending = try ChildProcess(TrialPlace.argv(sender + key, program: place.executable, namespace: place.senderNamespace))
        defer { sending.terminate(grace: 2) }
        let sentBy = Units.deadline(MonotonicClock.now(), plusSeconds: senderSeconds + 10)
        var senderStatus: ExitStatus?
        while senderStatus == nil {
            senderStatus = sending.exitStatus()
            if senderStatus != nil { break }
            if MonotonicClock.now() >= sentBy {
                throw RunError("the sender (mpps \(sender.joined(separator: " "))) did not end within \(Units.plain(senderSeconds + 10)) s")
            }
            if watch.sleep(seconds: 0.01) { return nil }
        }
        guard senderStatus == .exited(0) else {
            throw RunError("the sender (mpps \(sender.joined(separator: " "))) ended with \(senderStatus!): "
                + (sending.lastErrorLine ?? "no message"))
        }
        guard let receiverSummary = try receiving.stop(watch: watch) else { return nil }
        guard let senderSummary = JSONValue.lastObject(ofType: "summary", in: sending.output) else {
            throw RunError("the sender (mpps \(sender.joined(separator: " "))) printed no JSON summary")
        }
        return (receiverSummary, senderSummary)
    }
}
