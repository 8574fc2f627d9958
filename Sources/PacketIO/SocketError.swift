#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: which operation failed and the `errno` it returned.
///
/// The operation is a `StaticString` so that creating and throwing the error
/// never allocates, even on a hot path.
public struct SocketError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The operation that failed, as a person would name it: `bind`, `setsockopt(SO_REUSEPORT)`.
    public let operation: StaticString
    /// The `errno` value the kernel returned.
    public let code: Int32

    /// Creates an error for `operation` with the given `errno` value.
    public init(_ operation: StaticString, code: Int32) {
        self.operation = operation
        self.code = code
    }

    /// The errno as a value.
    public var errno: Errno { Errno(rawValue: code) }

    /// The C library's text for the errno, lowercased: "address already in use".
    public var reason: String { errno.description }

    /// "bind: address already in use".
    public var description: String { "\(operation): \(reason)" }

    public static func == (lhs: SocketError, rhs: SocketError) -> Bool {
        lhs.code == rhs.code && "\(lhs.operation)" == "\(rhs.operation)"
    }
}
