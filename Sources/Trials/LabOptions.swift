#if canImport(Glibc)
import Glibc
import Reporting
#endif
import PacketIO

/// What `mpps lab` was asked for.
package struct LabOptions: Sendable {
    /// Seconds each sender runs.
    package var seconds = 3.0
    /// JSON lines instead of text.
    package var json = false
    /// Run in two network namespaces joined by a veth pair.
    package var netns = false
    /// The port to receive on; nil picks a free one (4321 inside the lab's own namespaces).
    package var port: UInt16?

    /// The defaults of `mpps lab`.
    package init() {}
}
