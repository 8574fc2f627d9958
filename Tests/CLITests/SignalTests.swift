#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// SIGINT, SIGTERM and SIGHUP end a run with its summary, and exit 0.
@Suite(.serialized) struct SignalTests {
    @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
    func aSignalPrintsTheSummary(signal: Int32) throws {
        let port = freePort()
        let receiver = try Program("mpps", ["recv", "127.0.0.1:\(port)", "--rcvbuf", "4M"])
        #expect(receiver.waitFor(seconds: 10) { $0.stderr.contains("listening on") })
        let sender = try Program.run("mpps", ["send", "127.0.0.1:\(port)", "--count", "1000", "--rate", "10k", "--quiet"])
        #expect(sender.status == 0)
        usleep(300_000)  // loopback delivers within the send call; give the reader a moment
        receiver.send(signal)
        #expect(receiver.finish(within: 5) == 0)
        #expect(receiver.stdout.contains("summary: 1000 datagrams received, 32000 bytes in "), "\(receiver.stdout)")
    }

    @Test func jsonSummaryNamesTheSignal() throws {
        let receiver = try Program("mpps", ["recv", "127.0.0.1:\(freePort())", "--json"])
        #expect(receiver.waitForReady(), "\(receiver.stderr)")
        receiver.send(SIGINT)
        #expect(receiver.finish(within: 5) == 0)
        let summary = try #require(receiver.stdoutLines.last.flatMap(jsonObject))
        #expect(summary["type"] as? String == "summary")
        #expect(summary["packets"] as? Int == 0)
        #expect(summary["stop"] as? String == "signal")
    }

    @Test func aSenderStopsOnSignalToo() throws {
        let sender = try Program("mpps", ["send", "127.0.0.1:\(freePort())", "--rate", "10k"])
        #expect(sender.waitFor(seconds: 10) { $0.stdoutLines.count >= 1 })
        sender.send(SIGINT)
        #expect(sender.finish(within: 5) == 0)
        #expect(sender.stdout.contains("summary: "), "\(sender.stdout)")
        #expect(sender.stdoutLines.first.map(isArticleLine) == true, "\(sender.stdout)")
    }

    @Test(arguments: ["recv", "send"])
    func aClosedStdoutEndsTheRunQuietly(command: String) throws {
        // `mpps recv | head -3`: once head has gone, the next line finds no reader, and the run ends
        // with status 0 and nothing on standard error, instead of dying of SIGPIPE (status 141).
        let port = freePort()
        let arguments = command == "recv" ? ["recv", "127.0.0.1:\(port)", "--interval", "0.05", "--quiet"]
            : ["send", "127.0.0.1:\(port)", "--interval", "0.05", "--rate", "1k", "--quiet"]
        let shell = ["/bin/bash", "-c", #"set -o pipefail; "$0" "$@" | head -n 3"#]
        let program = try Program("mpps", arguments.filter { $0 != "--quiet" } + ["--json"], prefix: shell)
        #expect(program.finish(within: 10) == 0, "\(program.stderr)")
        #expect(program.stdoutLines.count == 3, "\(program.stdout)")
        #expect(program.stderr.split(separator: "\n").allSatisfy { $0.hasPrefix("mpps \(command): ") }, "\(program.stderr)")
    }
}
