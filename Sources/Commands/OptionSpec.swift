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
    /// The only values the option takes (`hash`, `random`, `cpu`), for completion; empty when open.
    package let choices: [String]

    /// Creates an option; `choices` lists its values when they are a fixed set.
    package init(_ name: String, _ value: String? = nil, _ help: String, choices: [String] = []) {
        self.name = name
        self.value = value
        self.help = help
        self.choices = choices
    }

    /// What a shell may offer for the option's value.
    package var completion: ValueCompletion {
        if !choices.isEmpty { return .choices(choices) }
        switch value {
        case "IF": return .interfaces
        case "FILE", "FILE.svg": return .files
        case "DIR": return .directories
        default: return .none
        }
    }
}

/// What a shell's completion offers for an option's value or a command's operands.
package enum ValueCompletion: Sendable, Equatable {
    /// Nothing: a number, an address, a list only the user knows.
    case none
    /// One of these words.
    case choices([String])
    /// A network interface's name (from /sys/class/net).
    case interfaces
    /// A file name.
    case files
    /// A directory name.
    case directories
    /// One of mpps's commands (`mpps help COMMAND`).
    case commands
}
