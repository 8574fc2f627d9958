import PacketIO
import Reporting

/// One option a command accepts.
package struct OptionSpec: Sendable {
    /// `--threads`.
    package let name: String
    /// The value's placeholder in help (`N`); nil for a flag that takes no value.
    package let value: String?
    /// One line for `--help`.
    package let help: String

    /// Creates an option.
    package init(_ name: String, _ value: String? = nil, _ help: String) {
        self.name = name
        self.value = value
        self.help = help
    }
}
