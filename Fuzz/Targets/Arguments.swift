// The argument parser with each command's options, and every typed reader on every
// option's value (whole numbers, sizes, rates, counts, seconds, CPU lists, addresses).
// Input: one byte choosing the command, then the arguments separated by NUL bytes.
@testable import Commands
import PacketIO
import Reporting

let commands: [(name: String, options: [OptionSpec])] = [
    ("mpps recv", RecvCommand.options), ("mpps send", SendCommand.options), ("mpps demo", DemoCommand.options),
    ("mpps doctor", DoctorCommand.options), ("mpps lab", LabCommand.options), ("mpps ndr", NDRCommand.options),
    ("mpps plot", PlotCommand.options),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let (selector, rest) = FuzzInput(data, size).selectorAndRest else { return 0 }
    let raw = rest.bytes.isEmpty ? [] : rest.texts()
    let choice = Int(selector) % (commands.count + 1)
    guard choice < commands.count else {
        // The article's receiver takes positional arguments only.
        _ = try? UDPReceiverCommand.parse(raw)
        return 0
    }
    let command = commands[choice]
    let arguments: Arguments
    do {
        arguments = try Arguments(raw, options: command.options, command: command.name)
    } catch {
        require(error.status == RunError.usage, "a bad command line is a usage error")
        return 0
    }
    for option in command.options {
        let name = option.name
        if arguments.flag(name) { require(option.value == nil, "\(name) takes a value, so it is no flag") }
        if arguments.text(name) != nil { require(option.value != nil, "\(name) is a flag, so it has no value") }
        _ = try? arguments.integer(name, in: 1...1024)
        _ = try? arguments.integer(name, in: 0...Int.max)
        _ = try? arguments.size(name, minimum: 0)
        _ = try? arguments.size(name)
        _ = try? arguments.rate(name)
        _ = try? arguments.count(name)
        _ = try? arguments.seconds(name)
        _ = try? arguments.cpus(name)
    }
    for positional in arguments.positionals {
        _ = try? arguments.address(positional, what: "target")
        _ = try? arguments.addresses(positional, what: "target")
    }
    return 0
}
