import PacketIO
import Reporting

/// One experiment of the article: a receiver and a sender command line.
package struct LabExperiment: Sendable, Equatable {
    /// A short key: `naive`, `pinned`, `reuseport`, ...
    package var name: String
    /// What runs, in a few words.
    package var title: String
    /// What the article saw, or what the experiment is there to show.
    package var shows: String
    /// `mpps` arguments of the receiver (`recv ...`).
    package var receiver: [String]
    /// `mpps` arguments of the sender (`send ...`).
    package var sender: [String]
    /// Options this build lacks (`mpps recv --steer`): the experiment cannot run.
    package var missing: [String]
    /// Why the experiment cannot show its effect on this machine, if it cannot.
    package var notes: [String]

    /// Receive addresses it needs (the several-addresses experiment: 2); with
    /// fewer (`lab --server --target ADDR`) it is skipped with a note.
    package var addressesNeeded = 1
    /// Whether this build can run it.
    package var isAvailable: Bool { missing.isEmpty }
}
