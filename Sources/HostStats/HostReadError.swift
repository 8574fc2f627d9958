#if canImport(Glibc)
import Glibc
#endif

/// A reading of the host that could not be done: which file or request, and why.
///
/// Readers in this module never crash on a missing file, a permission they lack
/// or a driver that does not implement a request; they throw this instead, and
/// ``Doctor`` turns each into a line "could not read X: why".
package struct HostReadError: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// Why a reading failed, in the categories a person acts on differently.
    package enum Kind: String, Equatable, Hashable, Sendable {
        /// The file does not exist: this kernel, driver or configuration does not provide it.
        case missing
        /// The caller lacks a privilege (EACCES, EPERM): run as root.
        case permissionDenied
        /// The driver does not implement the request (EOPNOTSUPP, EINVAL from an ethtool call).
        case unsupported
        /// No network interface has that name (ENODEV).
        case noSuchInterface
        /// The text was read but is not in the expected format.
        case malformed
        /// Any other system error.
        case system
    }

    /// What was being read, as a person would name it on the host:
    /// `/proc/net/softnet_stat`, or `ethtool -S eth2 (ETHTOOL_GSTRINGS)`.
    package let subject: String
    /// The category of failure.
    package let kind: Kind
    /// The errno, or 0 when the failure was not a system call's (``Kind/malformed``).
    package let code: Int32
    /// Why, in a few words: the system's message for the errno, or what was wrong with the text.
    package let reason: String

    /// Creates an error.
    package init(subject: String, kind: Kind, code: Int32 = 0, reason: String) {
        self.subject = subject
        self.kind = kind
        self.code = code
        self.reason = reason
    }

    /// An error for a failed system call on `subject`, classified by `code` (an errno).
    package init(subject: String, errno code: Int32) {
        let kind: Kind
        switch code {
        case ENOENT, ENOTDIR: kind = .missing
        case EACCES, EPERM: kind = .permissionDenied
        case EOPNOTSUPP, EINVAL, ENOTTY: kind = .unsupported
        case ENODEV, ENXIO: kind = .noSuchInterface
        default: kind = .system
        }
        self.init(subject: subject, kind: kind, code: code, reason: HostReadError.message(for: code))
    }

    /// An error for text that could not be parsed.
    package static func malformed(_ subject: String, _ why: String) -> HostReadError {
        HostReadError(subject: subject, kind: .malformed, reason: why)
    }

    /// `could not read SUBJECT: REASON`.
    package var description: String { "could not read \(subject): \(reason)" }

    /// The C library's message for an errno, lower-cased as it reads mid-sentence:
    /// `no such file or directory`. The corresponding C function is `strerror`.
    package static func message(for code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        let message = String(cString: text)
        guard let first = message.first else { return "error \(code)" }
        return first.lowercased() + message.dropFirst()
    }
}
