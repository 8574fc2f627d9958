#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// `udpreceiver1` and `udpsender` take the article's arguments and print its lines.
@Suite(.serialized) struct ArticleProgramsTests {
    @Test(arguments: [[String](), ["2"], ["2", "1"]])
    func theArticlesCommandsPrintTheArticlesLines(extra: [String]) throws {
        let port = freePort()
        let receiver = try Program("udpreceiver1", ["127.0.0.1:\(port)"] + extra)
        #expect(receiver.waitFor(seconds: 10) { $0.stderr.contains("listening on 127.0.0.1:\(port)") }, "\(receiver.stderr)")
        let sender = try Program("udpsender", ["127.0.0.1:\(port)"])
        // Two full intervals on both sides, then Ctrl-C, as a person would.
        #expect(receiver.waitFor(seconds: 10) { $0.stdoutLines.count >= 2 })
        #expect(sender.waitFor(seconds: 10) { $0.stdoutLines.count >= 2 })
        sender.send(SIGINT)
        receiver.send(SIGINT)
        #expect(sender.finish(within: 5) == 0)
        #expect(receiver.finish(within: 5) == 0)
        for program in [receiver, sender] {
            let lines = program.stdoutLines
            let articleLines = lines.prefix { !$0.hasPrefix("summary:") }
            #expect(articleLines.count >= 2, "\(lines)")
            #expect(articleLines.allSatisfy(isArticleLine), "\(lines)")
            // Traffic flowed: the first full second is not zero.
            #expect(!articleLines.first!.hasPrefix("  0.000M"), "\(lines)")
            #expect(lines.contains { $0.hasPrefix("summary: ") })
        }
    }

    @Test func theArticlesShortFormLeavesTheAddressOut() throws {
        // `udpreceiver1 4 1` in the article's text: 4 threads, reuseport, the default address.
        let receiver = try Program("udpreceiver1", ["4", "1"])
        #expect(receiver.waitFor(seconds: 10) { $0.stderr.contains("listening on") }, "\(receiver.stderr)")
        receiver.send(SIGINT)
        let status = receiver.finish(within: 5)
        // Port 4321 may be taken on a busy host; then the error must say so.
        if status == 0 {
            #expect(receiver.stderr.contains("listening on 0.0.0.0:4321, 4 thread(s), SO_REUSEPORT"), "\(receiver.stderr)")
        } else {
            #expect(receiver.stderr.hasPrefix("cannot listen on 0.0.0.0:4321: address already in use"), "\(receiver.stderr)")
        }
    }

    @Test func badArguments() throws {
        let tooMany = try Program.run("udpreceiver1", ["127.0.0.1:1", "1", "1", "1"])
        #expect(tooMany.status == 64)
        #expect(tooMany.stderr.hasPrefix("udpreceiver1: too many arguments\nusage: udpreceiver1 [listen ip:port] [threads] [reuseport]"))
        let badReuse = try Program.run("udpreceiver1", ["127.0.0.1:1", "1", "yes"])
        #expect(badReuse.status == 64)
        #expect(badReuse.stderr == "udpreceiver1: reuseport must be 0 or 1, not 'yes'\n")
        let badTarget = try Program.run("udpsender", ["127.0.0.1"])
        #expect(badTarget.status == 64)
        #expect(badTarget.stderr == "udpsender: bad target: missing port in '127.0.0.1': write HOST:PORT, for example 127.0.0.1:4321\n")
    }
}
