// Compiled into every fuzz target (Fuzz/run.sh passes Fuzz/Support/*.swift with each).
// A target reads the fuzzer's bytes through FuzzInput and states what must hold with
// `require`, so that a broken property stops the run like a trap does.
#if canImport(Glibc)
import Glibc
#endif

/// The bytes libFuzzer hands to `LLVMFuzzerTestOneInput`, and the ways targets read them.
struct FuzzInput {
    /// The input; valid only during the call.
    let bytes: UnsafeRawBufferPointer

    /// Wraps libFuzzer's pointer and size (the pointer may be nil when the size is 0).
    init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        bytes = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size)
    }

    /// The bytes as UTF-8 text; invalid sequences become U+FFFD, as a file read does (`HostFiles.read`).
    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The bytes split at `separator` (NUL by default) into texts, empty pieces kept:
    /// how a target takes a list of strings, such as an argument vector.
    func texts(separatedBy separator: UInt8 = 0) -> [String] {
        bytes.split(separator: separator, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The first byte (to choose among variants) and the rest; nil for an empty input.
    var selectorAndRest: (selector: UInt8, rest: FuzzInput)? {
        guard let first = bytes.first else { return nil }
        return (first, FuzzInput(rest: UnsafeRawBufferPointer(rebasing: bytes.dropFirst())))
    }

    private init(rest: UnsafeRawBufferPointer) { bytes = rest }
}

/// Stops the run, as a trap in the code under test would, when a property a target
/// checks does not hold. libFuzzer then writes the input to a `crash-...` file.
func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
             file: StaticString = #file, line: UInt = #line) {
    if !condition() {
        fatalError("fuzz property failed: \(message())", file: file, line: line)
    }
}
