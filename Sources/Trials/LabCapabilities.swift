import PacketIO
import Reporting

/// What this build of `mpps recv` and `mpps send` accept, so the lab can
/// leave out an experiment whose options a build lacks instead of failing.
package struct LabCapabilities: Sendable, Equatable {
    /// `mpps recv`'s option names (`--reuseport`, `--steer`, ...).
    package var receiveOptions: Set<String>
    /// `mpps send`'s option names (`--flows`, `--gso`, ...).
    package var sendOptions: Set<String>

    /// Creates capabilities.
    package init(receiveOptions: Set<String>, sendOptions: Set<String>) {
        self.receiveOptions = receiveOptions
        self.sendOptions = sendOptions
    }
}
