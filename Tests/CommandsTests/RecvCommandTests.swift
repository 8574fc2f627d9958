import Testing
@testable import Commands
import Engine
import PacketIO
import Reporting

/// `mpps recv`'s options read into `ReceiveOptions` without starting a process.
@Suite struct RecvCommandTests {
    func receiveOptions(_ raw: [String]) throws(RunError) -> ReceiveOptions {
        try RecvCommand.receiveOptions(try Arguments(raw, options: RecvCommand.options, command: "mpps recv"))
    }

    func usageError(_ raw: [String]) -> String? {
        do {
            _ = try receiveOptions(raw)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func defaultsAreTheArticlesReceiver() throws {
        let receive = try receiveOptions([])
        #expect(receive.address == SocketAddress(ipv4: 0, 0, 0, 0, port: 4321))
        #expect(receive.threads == 1 && !receive.reusePort && receive.steering == .hash && receive.cpus == nil)
        #expect(receive.batch == 512 && receive.receiveBuffer == RecvCommand.defaultReceiveBuffer)
        #expect(receive.count == nil && !receive.coalescing && receive.moderationMicroseconds == nil)
        #expect(receive.flowKeys.isEmpty && receive.xdp == nil)
    }

    @Test func everyOptionLandsInItsField() throws {
        let receive = try receiveOptions(["127.0.0.1:4400", "--threads", "2", "--reuseport", "--steer", "random",
                                          "--cpus", "0-1", "--batch", "64", "--rcvbuf", "0", "--count", "5k", "--gro",
                                          "--rx-usecs", "30", "--flow-key", "00000000000000ff,0000000000000100"])
        #expect(receive.address == SocketAddress(ipv4: 127, 0, 0, 1, port: 4400))
        #expect(receive.threads == 2 && receive.reusePort && receive.steering == .random && receive.cpus?.cpus == [0, 1])
        #expect(receive.batch == 64 && receive.receiveBuffer == nil && receive.count == 5000)
        #expect(receive.coalescing && receive.moderationMicroseconds == 30)
        #expect(receive.flowKeys == [FlowKey(0xff), FlowKey(0x100)])
        let xdp = try receiveOptions(["198.18.0.1:4321", "--xdp", "veth0", "--xdp-mode", "zerocopy"]).xdp
        #expect(xdp?.interface == "veth0" && xdp?.zeroCopy == true)
    }

    @Test func badCombinationsNameTheOption() {
        #expect(usageError(["127.0.0.1:1", "127.0.0.1:2"])
                == "mpps recv: expected at most one ADDR:PORT, got 2 (see 'mpps recv --help')")
        #expect(usageError(["--steer", "random"])
                == "mpps recv: --steer needs --reuseport: it chooses among the sockets of an SO_REUSEPORT group (see 'mpps recv --help')")
        #expect(usageError(["--reuseport", "--steer", "round-robin"])
                == "mpps recv: --steer must be 'hash', 'random' or 'cpu', not 'round-robin' (see 'mpps recv --help')")
        #expect(usageError(["--xdp-mode", "copy"]) == "mpps recv: --xdp-mode needs --xdp IF (see 'mpps recv --help')")
        #expect(usageError(["--xdp", "veth0", "--gro"])
                == "mpps recv: --gro is for UDP sockets; --xdp reads AF_XDP sockets, one per RX queue, without GRO (see 'mpps recv --help')")
    }
}
