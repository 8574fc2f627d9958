#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// `--json` streams begin with a `ready` line: for `recv` once every receiving
/// thread is reading, for `send` once its threads have started.
@Suite(.serialized) struct ReadyLineTests {
    @Test func recvBeginsWithTheReadyLine() throws {
        let port = freePort()
        let receiver = try Program("mpps", ["recv", "127.0.0.1:\(port)", "--json", "--threads", "2", "--reuseport", "--cpus", "0",
                                            "--batch", "64", "--rcvbuf", "0", "--duration", "20"])
        #expect(receiver.waitForReady(), "\(receiver.stderr)")
        // Without --rcvbuf the socket keeps the kernel's default, which getsockopt reports as it is.
        let rmemDefault = try String(contentsOfFile: "/proc/sys/net/core/rmem_default", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let pid = receiver.process.processIdentifier
        #expect(receiver.stdoutLines.first == #"{"type":"ready","address":"127.0.0.1:\#(port)","threads":2,"reuseport":true,"#
            + #""steer":"hash","cpus":[0,0],"batch":64,"gro":false,"rx_usecs":0,"rcvbuf":\#(rmemDefault),"flow_keys":0,"pid":\#(pid)}"#)
        // The line for people says the same on standard error.
        #expect(receiver.stderr == "mpps recv: listening on 127.0.0.1:\(port), 2 threads (SO_REUSEPORT, a socket each) on CPUs 0, "
            + "batch 64, receive buffer \(rmemDefault) bytes; Ctrl-C stops\n")
        receiver.send(SIGINT)
        #expect(receiver.finish(within: 5) == 0)
        let lines = receiver.stdoutLines
        #expect(lines.filter { $0.contains(#""type":"ready""#) }.count == 1, "\(lines)")
        #expect(lines.last.flatMap(jsonObject)?["type"] as? String == "summary")
    }

    @Test(arguments: ["127.0.0.1", "[::1]"])
    func portZeroIsAnsweredWithTheRealPort(host: String) throws {
        let receiver = try Program("mpps", ["recv", "\(host):0", "--json", "--quiet", "--count", "500", "--duration", "20"])
        #expect(receiver.waitForReady(), "\(receiver.stderr)")
        let address = try #require(receiver.readyLine?["address"] as? String)
        #expect(address.hasPrefix("\(host):"), "\(address)")
        let port = try #require(Int(address.dropFirst(host.count + 1)))
        #expect(port > 0 && port <= 65535)
        #expect(receiver.readyLine?["threads"] as? Int == 1)
        #expect(receiver.readyLine?["cpus"] is NSNull)
        let sender = try Program.run("mpps", ["send", address, "--count", "500", "--rate", "50k", "--quiet"])
        #expect(sender.status == 0, "\(sender.stderr)")
        #expect(receiver.finish(within: 10) == 0, "\(receiver.stderr)")
        #expect(receiver.stderr == "", "--quiet keeps standard error for errors")
        #expect(receiver.stdoutLines.last.flatMap(jsonObject)?["packets"] as? Int == 500)
        // --quiet with --json: the ready line and the summary, no interval lines.
        #expect(receiver.stdoutLines.map { jsonObject($0)?["type"] as? String } == ["ready", "summary"], "\(receiver.stdout)")
    }

    @Test func sendBeginsWithTheReadyLine() throws {
        let port = freePort()
        let sender = try Program("mpps", ["send", "127.0.0.1:\(port)", "--count", "10", "--threads", "2", "--flows", "4",
                                          "--payload", "40", "--batch", "8", "--rate", "1k", "--cpus", "0", "--json",
                                          "--flow-key", "00000000c0ffee00"])
        let pid = sender.process.processIdentifier
        #expect(sender.finish(within: 10) == 0, "\(sender.stderr)")
        let lines = sender.stdoutLines
        #expect(lines.first == #"{"type":"ready","targets":["127.0.0.1:\#(port)"],"threads":2,"flows":4,"payload":40,"#
            + #""headers":true,"batch":8,"gso":1,"rate":1000.0,"count":10,"cpus":[0,0],"flow_key":"00000000c0ffee00","pid":\#(pid)}"#)
        #expect(sender.stderr == "mpps send: 2 threads, 4 flows to 127.0.0.1:\(port), 40-byte payloads, batch 8, 1.0k datagrams/s, "
            + "10 datagrams, flow key 00000000c0ffee00; Ctrl-C stops\n")
        #expect(lines.last.flatMap(jsonObject)?["packets"] as? Int == 10)
    }

    @Test func aZeroPayloadSenderSaysItCarriesNoHeaders() throws {
        let sender = try Program("mpps", ["send", "127.0.0.1-2:\(freePort())", "--count", "4", "--payload-pattern", "zero",
                                          "--gso", "2", "--json", "--quiet"])
        let pid = sender.process.processIdentifier
        #expect(sender.finish(within: 10) == 0, "\(sender.stderr)")
        let port = try #require((sender.readyLine?["targets"] as? [String])?.first?.split(separator: ":").last)
        #expect(sender.stdoutLines.first == #"{"type":"ready","targets":["127.0.0.1:\#(port)","127.0.0.2:\#(port)"],"threads":2,"#
            + #""flows":2,"payload":32,"headers":false,"batch":1024,"gso":2,"rate":null,"count":4,"cpus":null,"flow_key":null,"pid":\#(pid)}"#)
        #expect(sender.stderr == "")
    }
}
