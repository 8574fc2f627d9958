#if canImport(Glibc)
import Glibc
#endif

/// Where ethtool readings come from: the running kernel (ioctl), or text files
/// in a fixture tree that hold what the `ethtool` program printed on another host.
///
/// Fixture files sit at the tree's root, named after the command:
/// `ethtool-S-eth2.txt` (`ethtool -S eth2`), `ethtool-l-eth2.txt` (`ethtool -l eth2`),
/// `ethtool-n-eth2-udp4.txt` (`ethtool -n eth2 rx-flow-hash udp4`). A file may hold
/// ethtool's error instead (`Cannot get RX network flow hashing options: Operation not supported`),
/// which reads as the same ``HostReadError`` the ioctl would give.
package enum EthtoolSource: Sendable {
    /// ioctl(SIOCETHTOOL) on this host.
    case kernel
    /// `ethtool-*.txt` files at the root of a fixture tree.
    case files(HostFiles)

    /// The source that goes with a root: the kernel for `/`, the root's files otherwise.
    package static func matching(_ files: HostFiles) -> EthtoolSource {
        files.isLiveHost ? .kernel : .files(files)
    }

    /// `ethtool -S IF`.
    package func statistics(interface: String) throws(HostReadError) -> EthtoolStatistics {
        switch self {
        case .kernel:
            return try Ethtool.statistics(interface: interface)
        case .files(let files):
            let subject = "ethtool -S \(interface)"
            let text = try fixture(files, "ethtool-S-\(interface).txt", subject: subject, operation: "ETHTOOL_GSSET_INFO", interface: interface)
            guard let statistics = EthtoolStatistics.parse(text, interface: interface) else {
                throw .malformed(subject, "expected 'name: value' lines")
            }
            return statistics
        }
    }

    /// `ethtool -n IF rx-flow-hash TYPE`.
    package func flowHash(interface: String, flow: FlowType) throws(HostReadError) -> FlowHash {
        switch self {
        case .kernel:
            return try Ethtool.flowHash(interface: interface, flow: flow)
        case .files(let files):
            let subject = "ethtool -n \(interface) rx-flow-hash \(flow.rawValue)"
            let text = try fixture(files, "ethtool-n-\(interface)-\(flow.rawValue).txt", subject: subject, operation: "ETHTOOL_GRXFH", interface: interface)
            guard let hash = FlowHash.parse(text, flow: flow) else {
                throw .malformed(subject, "expected '\(flow.ethtoolTitle) flows use these fields...' and field lines")
            }
            return hash
        }
    }

    /// `ethtool -l IF`.
    package func channels(interface: String) throws(HostReadError) -> Channels {
        switch self {
        case .kernel:
            return try Ethtool.channels(interface: interface)
        case .files(let files):
            let subject = "ethtool -l \(interface)"
            let text = try fixture(files, "ethtool-l-\(interface).txt", subject: subject, operation: "ETHTOOL_GCHANNELS", interface: interface)
            guard let channels = Channels.parse(text) else {
                throw .malformed(subject, "expected 'Pre-set maximums:' and 'Current hardware settings:' sections")
            }
            return channels
        }
    }

    /// The text of a fixture file, or the error ethtool printed in it.
    private func fixture(_ files: HostFiles, _ name: String, subject: String, operation: String, interface: String) throws(HostReadError) -> String {
        let text: String
        do throws(HostReadError) {
            text = try files.read("/" + name)
        } catch {
            throw HostReadError(subject: subject, kind: .missing, code: error.code, reason: "the fixture has no \(name)")
        }
        let errors: [(String, Int32)] = [("Operation not supported", EOPNOTSUPP), ("no stats available", EOPNOTSUPP),
                                         ("Operation not permitted", EPERM), ("No such device", ENODEV),
                                         ("Invalid argument", EINVAL)]
        for (message, code) in errors where text.contains(message) {
            throw Ethtool.error(subject: subject, operation: operation, errno: code, interface: interface)
        }
        return text
    }
}
