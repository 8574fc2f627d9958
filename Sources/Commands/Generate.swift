import Reporting

/// `mpps --generate man-list | man NAME | bash-completion`: prints what
/// Packaging/build-deb.sh installs beside the binaries, made from the option
/// tables at build time so that no copy is kept by hand. Not in the overview:
/// it is for packagers.
enum Generate {
    static let usage = "mpps --generate man-list | man NAME | bash-completion"

    static func run(_ arguments: [String]) throws(RunError) {
        switch (arguments.first, arguments.count) {
        case ("man-list", 1):
            writeOutput(ManualPages.pages.map { $0.name + "\n" }.joined())
        case ("man", 2):
            guard let page = ManualPages.pages.first(where: { $0.name == arguments[1] }) else {
                let names = ManualPages.pages.map(\.name).joined(separator: ", ")
                throw RunError("mpps --generate: no man page '\(arguments[1])' (pages: \(names))", status: RunError.usage)
            }
            writeOutput(page.text())
        case ("bash-completion", 1):
            writeOutput(BashCompletion.script)
        default:
            throw RunError("mpps --generate: write \(usage)", status: RunError.usage)
        }
    }
}
