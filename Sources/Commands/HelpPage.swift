/// A command's help: what `--help` prints, and what its man page and its bash
/// completion are generated from (`mpps --generate`), so the three cannot drift.
package struct HelpPage: Sendable {
    /// The usage line without `usage: `: `mpps recv [ADDR:PORT] [OPTIONS]`.
    package let usage: String
    /// What the command does, in paragraphs; lines indented by two spaces are kept as they are.
    package let about: String
    /// The options, in the order `--help` lists them (`-h, --help` is added to each).
    package let options: [OptionSpec]
    /// Example command lines, one a line, without the `examples:` heading.
    package let examples: [String]

    /// Creates a page; `footer` is the `examples:` block that `--help` ends with.
    package init(usage: String, about: String, options: [OptionSpec], footer: String = "") {
        self.usage = usage
        self.about = about
        self.options = options
        self.examples = footer.split(separator: "\n").dropFirst().map { $0.drop { $0 == " " } }.map(String.init)
        precondition(footer.isEmpty || footer.hasPrefix("examples:\n"), "a help footer is an examples: block")
    }

    /// The `--help` text.
    package var text: String {
        let footer = examples.isEmpty ? "" : "examples:\n" + examples.map { "  " + $0 }.joined(separator: "\n")
        return Arguments.help(usage: usage, about: about, options: options, footer: footer)
    }
}
