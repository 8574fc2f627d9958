import Testing
@testable import Commands
import Engine
import PacketIO
import Reporting

/// `mpps send`'s options read into `SendOptions` without starting a process.
@Suite struct SendCommandTests {
    func sendOptions(_ raw: [String]) throws(RunError) -> SendOptions {
        try SendCommand.sendOptions(try Arguments(raw, options: SendCommand.options, command: "mpps send"))
    }

    func usageError(_ raw: [String]) -> String? {
        do {
            _ = try sendOptions(raw)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func defaultsAreTheArticlesSender() throws {
        let send = try sendOptions([])
        #expect(send.targets == [SocketAddress(ipv4: 127, 0, 0, 1, port: 4321)])
        #expect(send.threadCount == 1 && send.flowCount == 1 && send.sourcePort == nil)
        #expect(send.payload == 32 && send.batch == 1024 && send.segments == 1)
        #expect(send.stampsSequence && send.cpus == nil && send.count == nil && send.rate == nil)
    }

    @Test func everyOptionLandsInItsField() throws {
        let send = try sendOptions(["127.0.0.1-2:4400", "--threads", "2", "--flows", "3", "--src-port", "65400",
                                    "--payload", "64", "--payload-pattern", "zero", "--flow-key", "00000000000000ff",
                                    "--batch", "256", "--gso", "4", "--cpus", "0-1", "--count", "1000", "--rate", "100k"])
        #expect(send.targets == [SocketAddress(ipv4: 127, 0, 0, 1, port: 4400), SocketAddress(ipv4: 127, 0, 0, 2, port: 4400)])
        #expect(send.threadsPerTarget == 2 && send.threadCount == 4)
        #expect(send.flowsPerTarget == 3 && send.flowCount == 6 && send.sourcePort == 65400)
        #expect(send.payload == 64 && !send.stampsSequence && send.flowKey == FlowKey(0xff))
        #expect(send.batch == 256 && send.segments == 4)
        #expect(send.cpus?.cpus == [0, 1] && send.count == 1000 && send.rate == 100_000)
    }

    @Test func badCombinationsNameTheOption() {
        #expect(usageError(["--gso", "2", "--payload", "0"])
                == "mpps send: --gso needs a payload of at least 1 byte: GSO cuts messages into datagrams of --payload bytes (see 'mpps send --help')")
        #expect(usageError(["--gso", "128", "--payload", "1000"])
                == "mpps send: --gso 128 × --payload 1000 is 128000 bytes, more than one GSO message carries (65507): use --gso 65 or less (see 'mpps send --help')")
        #expect(usageError(["--payload", "65508"])
                == "mpps send: --payload 65508 is too large for IPv4 target 127.0.0.1:4321: a UDP datagram carries at most 65507 bytes over IPv4 (65527 over IPv6) (see 'mpps send --help')")
        #expect(usageError(["--payload-pattern", "ones"])
                == "mpps send: --payload-pattern must be 'sequence' or 'zero', not 'ones' (see 'mpps send --help')")
        #expect(usageError(["--threads", "1024", "127.0.0.1-5:9"])
                == "mpps send: 5120 sending threads is too many: use at most 4096 (targets × --threads) (see 'mpps send --help')")
    }
}
