import PacketIO
import Reporting

/// How one experiment of the lab ended.
package enum LabOutcome: Sendable, Equatable {
    /// It ran: what the pair did.
    case measured(TrialMeasurement)
    /// This build lacks an option it needs.
    case skipped(String)
    /// A process failed: the one-line reason.
    case failed(String)
}

/// One experiment and its outcome, with the command lines as a person would type them.
package struct LabResult: Sendable, Equatable {
    /// The experiment.
    package var experiment: LabExperiment
    /// The receiver's argument vector (`mpps recv ...`, behind `ip netns exec NS` with --netns).
    package var receiverArgv: [String]
    /// The sender's argument vector.
    package var senderArgv: [String]
    /// How it ended.
    package var outcome: LabOutcome

    /// Creates a result.
    package init(experiment: LabExperiment, receiverArgv: [String], senderArgv: [String], outcome: LabOutcome) {
        self.experiment = experiment
        self.receiverArgv = receiverArgv
        self.senderArgv = senderArgv
        self.outcome = outcome
    }
}
