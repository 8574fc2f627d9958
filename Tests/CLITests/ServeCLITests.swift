#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import NetLab

/// `mpps serve` and its clients end to end: a stranger's bad input (each with
/// its exact error line, the server serving on), a busy server, a client that
/// leaves mid-trial, the key, and `send`/`ndr --server` on loopback and across
/// a veth pair into a namespace.
@Suite(.serialized) struct ServeCLITests {
    static let malformed = #"{"type":"error","message":"malformed message: expected one JSON object per line, such as {\"type\":\"hello\",\"version\":1}"}"#

    /// A key file with `text`, removed by the caller.
    static func keyFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mpps-key-\(UUID().uuidString)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The server answers a fresh hello: it is still serving.
    static func stillServes(_ server: ServeProcess) throws {
        let client = try ControlClient(port: server.port)
        let hello = try #require(client.hello())
        #expect(hello["type"] as? String == "hello")
        #expect(hello["version"] as? Int == 1)
        #expect(hello["key"] as? Bool == false)
        #expect((hello["nonce"] as? String)?.range(of: "^[0-9a-f]{32}$", options: .regularExpression) != nil)
    }

    @Test func servesOnAfterMalformedOversizedTruncatedAndSilentClients() throws {
        let server = try ServeProcess(["--timeout", "1"])
        defer { _ = server.stop() }

        let garbage = try ControlClient(port: server.port)
        garbage.send("garbage\n")
        #expect(garbage.readLine() == Self.malformed)
        #expect(garbage.closedByServer())
        try Self.stillServes(server)

        // One byte over the limit and no newline (all of it read, so the error is not lost to a reset).
        let oversized = try ControlClient(port: server.port)
        oversized.send([UInt8](repeating: UInt8(ascii: "a"), count: 65537))
        #expect(oversized.readLine() == #"{"type":"error","message":"message longer than 65536 bytes: send one JSON object per line"}"#)
        #expect(oversized.closedByServer())
        try Self.stillServes(server)

        do {
            let truncated = try ControlClient(port: server.port)
            truncated.send(#"{"type":"hel"#)
        }
        try Self.stillServes(server)

        let silent = try ControlClient(port: server.port)
        let start = Date()
        #expect(silent.readLine(seconds: 5) == #"{"type":"error","message":"no message within 1 s: closing"}"#)
        #expect(Date().timeIntervalSince(start) < 3)
        #expect(silent.closedByServer())

        let early = try ControlClient(port: server.port)
        early.send(#"{"type":"start","arguments":[]}"# + "\n")
        #expect(early.readLine() == #"{"type":"error","message":"say hello first: {\"type\":\"hello\",\"version\":1}"}"#)

        let future = try ControlClient(port: server.port)
        future.send(#"{"type":"hello","version":2}"# + "\n")
        #expect(future.readLine() == #"{"type":"error","message":"protocol version 2 is not spoken here: this server speaks 1 (run the same mpps on both hosts)"}"#)

        let unknown = try ControlClient(port: server.port)
        _ = unknown.hello()
        unknown.send(#"{"type":"exec","command":"/bin/sh"}"# + "\n")
        #expect(unknown.readLine() == #"{"type":"error","message":"unknown message type 'exec': expected hello, auth, start or stop"}"#)
        try Self.stillServes(server)
        #expect(server.program.process.isRunning)
    }

    @Test func refusesOptionsOutsideTheAllowListAndLowPorts() throws {
        let server = try ServeProcess()
        defer { _ = server.stop() }
        let client = try ControlClient(port: server.port)
        _ = client.hello()
        client.send(#"{"type":"start","arguments":["127.0.0.1:0","--json"]}"# + "\n")
        #expect(client.readLine() == #"{"type":"error","message":"option '--json' is not one a client may give (allowed: --batch --count --cpus --duration --flow-key --gro --interface --interval --rcvbuf --reuseport --rx-usecs --steer --threads)"}"#)
        client.send(#"{"type":"start","arguments":["127.0.0.1:80"]}"# + "\n")
        #expect(client.readLine() == #"{"type":"error","message":"port 80 is below 1024: this server refuses it (start mpps serve with --allow-low-ports to permit it)"}"#)
        client.send(#"{"type":"start","arguments":["127.0.0.1:0","--threads","0"]}"# + "\n")
        #expect(client.readLine() == #"{"type":"error","message":"mpps recv: --threads must be a whole number from 1 to 1024, not '0' (see 'mpps recv --help')"}"#)
        client.send(#"{"type":"stop"}"# + "\n")
        #expect(client.readLine() == #"{"type":"error","message":"no receiver of this connection is running: start one first"}"#)
        // Errors about a request leave the session open: a good start still works.
        client.send(#"{"type":"start","arguments":["127.0.0.1:0"]}"# + "\n")
        let ready = try #require(client.readLine().flatMap(jsonObject))
        #expect(ready["type"] as? String == "ready", "\(ready)")
        client.send(#"{"type":"stop"}"# + "\n")
        let summary = try #require(client.readLine().flatMap(jsonObject))
        #expect(summary["type"] as? String == "summary")
        #expect(summary["packets"] as? Int == 0)
        #expect(summary["kernel"] is [String: Any])
    }

    @Test func aSecondClientIsToldBusyAndOneThatLeavesStopsItsReceiver() throws {
        let server = try ServeProcess()
        defer { _ = server.stop() }
        let port = freePort()
        var first: ControlClient? = try ControlClient(port: server.port)
        _ = first?.hello()
        first?.send(#"{"type":"start","arguments":["127.0.0.1:\#(port)"]}"# + "\n")
        let ready = try #require(first?.readLine().flatMap(jsonObject))
        #expect(ready["address"] as? String == "127.0.0.1:\(port)")
        let pid = try #require(ready["pid"] as? Int).asPID
        #expect(processExists(pid))
        #expect(!udpPortIsFree(port))

        let second = try ControlClient(port: server.port)
        _ = second.hello()
        second.send(#"{"type":"start","arguments":["127.0.0.1:0"]}"# + "\n")
        #expect(second.readLine() == #"{"type":"error","message":"busy: another client's receiver is running; try again when it stops"}"#)
        second.send(#"{"type":"stop"}"# + "\n")
        #expect(second.readLine() == #"{"type":"error","message":"no receiver of this connection is running: start one first"}"#)

        first = nil  // the client goes mid-trial
        // The server says so once it has reaped the receiver, which may be after the process is gone.
        let said = "closed with a receiver running: stopped it (pid \(pid))"
        #expect(server.program.waitFor(seconds: 10) { $0.stderr.contains(said) }, "\(server.program.stderr)")
        #expect(!processExists(pid), "the receiver of a client that left is stopped")
        #expect(udpPortIsFree(port), "and its socket closed")

        // The server is free again.
        second.send(#"{"type":"start","arguments":["127.0.0.1:0"]}"# + "\n")
        #expect(second.readLine().flatMap(jsonObject)?["type"] as? String == "ready")
    }

    @Test func theOwnerOfARunningReceiverMayStaySilentThroughItsTrial() throws {
        let server = try ServeProcess(["--timeout", "1"])
        defer { _ = server.stop() }
        let client = try ControlClient(port: server.port)
        _ = client.hello()
        client.send(#"{"type":"start","arguments":["127.0.0.1:0"]}"# + "\n")
        let pid = try #require(client.readLine().flatMap(jsonObject)?["pid"] as? Int).asPID
        client.send(#"{"type":"start","arguments":["127.0.0.1:0"]}"# + "\n")
        #expect(client.readLine() == #"{"type":"error","message":"a receiver is already running for this connection: stop it first"}"#)
        usleep(1_600_000)  // beyond --timeout, as a trial is
        #expect(processExists(pid))
        client.send(#"{"type":"stop"}"# + "\n")
        #expect(client.readLine().flatMap(jsonObject)?["type"] as? String == "summary")
        #expect(!processExists(pid))
    }

    @Test func stopsItsReceiverWhenStopped() throws {
        let server = try ServeProcess()
        let client = try ControlClient(port: server.port)
        _ = client.hello()
        client.send(#"{"type":"start","arguments":["127.0.0.1:0"]}"# + "\n")
        let pid = try #require(client.readLine().flatMap(jsonObject)?["pid"] as? Int).asPID
        #expect(server.stop() == 0)
        #expect(!processExists(pid))
        #expect(client.closedByServer())
        #expect(server.program.stderr.hasSuffix("mpps serve: stopped by a signal\n"), "\(server.program.stderr)")
    }

    @Test func theKeyIsProvedNotSent() throws {
        let right = try Self.keyFile("correct horse battery staple\n")
        let wrong = try Self.keyFile("incorrect horse battery staple\n")
        defer { try? FileManager.default.removeItem(atPath: right); try? FileManager.default.removeItem(atPath: wrong) }
        let server = try ServeProcess(["--key-file", right])
        defer { _ = server.stop() }

        let stranger = try ControlClient(port: server.port)
        let hello = try #require(stranger.hello())
        #expect(hello["key"] as? Bool == true)
        stranger.send(#"{"type":"start","arguments":[]}"# + "\n")
        #expect(stranger.readLine() == #"{"type":"error","message":"authenticate first: this server needs the shared key (give the client --key-file)"}"#)

        let forger = try ControlClient(port: server.port)
        _ = forger.hello()
        forger.send(#"{"type":"auth","nonce":"\#(String(repeating: "0", count: 32))","hmac":"\#(String(repeating: "0", count: 64))"}"# + "\n")
        #expect(forger.readLine() == #"{"type":"error","message":"authentication failed: the proof does not match this server's key (give the client the same --key-file)"}"#)
        #expect(forger.closedByServer())

        let target = "127.0.0.1:\(freePort())"
        let good = try Program.run("mpps", ["send", "--server", server.address, "--key-file", right, target, "--count", "1000", "--json"])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout.hasSuffix(#"{"type":"account","sent":1000,"received":1000,"lost":0,"socket_drops":0,"sequence_lost":0,"backlog_drops":0,"other_drops":0}"# + "\n"), "\(good.stdout)")
        let bad = try Program.run("mpps", ["send", "--server", server.address, "--key-file", wrong, target, "--count", "1000"])
        #expect(bad.status == 1)
        #expect(bad.stderr == "mpps serve at \(server.address): authentication failed: the proof does not match this server's key (give the client the same --key-file)\n")
        let none = try Program.run("mpps", ["send", "--server", server.address, target, "--count", "1000"])
        #expect(none.status == 1)
        #expect(none.stderr == "mpps serve at \(server.address) needs the shared key: give --key-file FILE, the file its --key-file names\n")
        try #require(server.program.process.isRunning)
    }

    @Test func sendWithServerPrintsBothSummariesAndAnAccountThatCloses() throws {
        let server = try ServeProcess()
        defer { _ = server.stop() }
        let target = "127.0.0.1:\(freePort())"
        // 20000 at 20k/s: the server's receiver has the default 4 MiB (10000 datagrams here), so even
        // one slowed by TSan on a busy machine keeps up.
        let json = try Program.run("mpps", ["send", "--server", server.address, target, "--count", "20000", "--rate", "20k", "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let lines = json.stdout.split(separator: "\n").compactMap { jsonObject(String($0)) }
        #expect(lines.map { $0["type"] as? String } == ["receiver", "sender", "account"])
        let receiver = try #require(lines.first?["summary"] as? [String: Any])
        let sender = try #require(lines.dropFirst().first?["summary"] as? [String: Any])
        for line in lines { JSONDocs.expectDocumented(line, section: line["type"] as? String == "account" ? "demo" : "send --server") }
        JSONDocs.expectDocumented(receiver, section: "recv and send")
        JSONDocs.expectDocumented(sender, section: "recv and send")
        #expect(lines.first?["server"] as? String == server.address)
        #expect(receiver["packets"] as? Int == 20000)
        #expect(receiver["bytes"] as? Int == 20000 * 32)
        #expect(receiver["lost"] as? Int == 0)
        #expect(receiver["flows"] as? Int == 1)
        #expect((receiver["kernel"] as? [String: Any])?["rcvbuf_errors"] is Int)
        #expect(sender["packets"] as? Int == 20000)
        #expect(lines.last?["sent"] as? Int == 20000)
        #expect(lines.last?["received"] as? Int == 20000)
        #expect(lines.last?["lost"] as? Int == 0)

        let text = try Program.run("mpps", ["send", "--server", server.address, target, "--count", "20000", "--rate", "20k"])
        #expect(text.status == 0, "\(text.stderr)")
        let rows = text.stdout.split(separator: "\n").map(String.init)
        #expect(rows.count == 3, "\(text.stdout)")
        #expect(rows.first?.hasPrefix("receiver on \(server.address) (port \(target.split(separator: ":").last!)): 20000 datagrams, 640000 bytes in ") == true, "\(text.stdout)")
        #expect(rows.dropFirst().first?.hasPrefix("sender here: 20000 datagrams, 640000 bytes in ") == true, "\(text.stdout)")
        #expect(rows.last == "account: 20000 sent = 20000 received + 0 lost")

        let unbounded = try Program.run("mpps", ["send", "--server", server.address, target])
        #expect(unbounded.status == 64)
        #expect(unbounded.stderr == "mpps send: --server needs --duration or --count: the receiver's summary comes once the sender has ended (see 'mpps send --help')\n")
    }

    @Test func ndrWithServerConfirmsARate() throws {
        let server = try ServeProcess()
        defer { _ = server.stop() }
        let result = try Program.run("mpps", ["ndr", "--server", server.address, "127.0.0.1:\(freePort())",
                                              "--trial", "0.3", "--steps", "2", "--max", "100k", "--json"], within: 60)
        #expect(result.status == 0, "\(result.stderr)")
        let objects = result.stdout.split(separator: "\n").compactMap { jsonObject(String($0)) }
        let summary = try #require(objects.last)
        #expect(summary["type"] as? String == "summary")
        #expect((summary["rate"] as? Double ?? 0) > 0, "\(result.stdout)")
        #expect(summary["confirmed"] as? Bool == true, "\(result.stdout)")
        for trial in objects.dropLast() {
            #expect(trial["sent"] as? Int == (trial["received"] as? Int ?? -1) + (trial["lost"] as? Int ?? -1), "\(trial)")
        }
        #expect(server.program.stderr.components(separatedBy: "stopped the receiver").count - 1 == objects.count - 1)
    }

    @Test func labWithServerRunsItsExperimentsThereAndSkipsWhatNeedsMoreAddresses() throws {
        let server = try ServeProcess()
        defer { _ = server.stop() }
        let (result, objects) = try Self.runLab(server: server, target: "127.0.0.1", port: freePort())
        let experiments = objects.dropLast()
        #expect(experiments.count == 12, "\(result.stdout)")
        let several = try #require(experiments.first { $0["name"] as? String == "several-ips" })
        #expect(several["skipped"] as? String == "needs 2 receive addresses, --target gave 1: give more, --target ADDR,ADDR")
        let summary = try #require(objects.last)
        #expect(summary["place"] as? String == "server")
        #expect(summary["skipped"] as? Int == 1)
        #expect(summary["completed"] as? Int == 11, "\(result.stdout)")
        // Every receiver ran on the server (one start and one stop each), none here.
        #expect(server.program.stderr.components(separatedBy: "stopped the receiver").count - 1 == 11)

        let missing = try Program.run("mpps", ["lab", "--server", server.address])
        #expect(missing.status == 64)
        #expect(missing.stderr == "mpps lab: --server needs --target ADDR[,ADDR...]: the receiving host's addresses as this host reaches them (see 'mpps lab --help')\n")
        let both = try Program.run("mpps", ["ndr", "--server", server.address, "--netns"])
        #expect(both.status == 64)
        #expect(both.stderr == "mpps ndr: --server and --netns exclude each other: the receiver runs on the server's host (see 'mpps ndr --help')\n")
    }

    /// Runs every lab experiment for 0.1 s with its receivers on `server`, and returns the run
    /// and its JSON objects (the experiments, then the summary), having checked it exited 0.
    static func runLab(server: ServeProcess, target: String, port: UInt16,
                       sourceLocation: SourceLocation = #_sourceLocation) throws
        -> (result: (status: Int32, stdout: String, stderr: String), objects: [[String: Any]]) {
        let result = try Program.run("mpps", ["lab", "--server", server.address, "--target", target, "--port", "\(port)",
                                              "--seconds", "0.1", "--json"], within: 120)
        #expect(result.status == 0, "\(result.stderr)", sourceLocation: sourceLocation)
        return (result, result.stdout.split(separator: "\n").compactMap { jsonObject(String($0)) })
    }

    @Test func labWithServerTakesIPv6Targets() throws {
        let server = try ServeProcess()
        defer { _ = server.stop() }
        let port = freePort()
        let (result, objects) = try Self.runLab(server: server, target: "::1", port: port)
        let naive = try #require(objects.first { $0["name"] as? String == "naive" }, "\(result.stdout)")
        // The sender aims at the bracketed address; the receiver listens on the IPv6 wildcard.
        #expect(naive["sender"] as? [String] == ["mpps", "send", "[::1]:\(port)", "--duration", "0.1", "--json"])
        #expect(naive["receiver"] as? [String] == ["mpps", "recv", "[::]:\(port)", "--json", "--duration", "30.1"])
        #expect((naive["received"] as? Int ?? 0) > 0, "\(naive)")
        // An unpaced sender can outrun a receiver (a sanitized one on a busy machine does): then
        // every datagram lost is one the kernel dropped at the socket, the flow's 3 end markers aside.
        let sent = try #require(naive["sent"] as? Int), received = try #require(naive["received"] as? Int)
        let lost = try #require(naive["lost"] as? Int)
        let socketDrops = try #require((naive["drops"] as? [String: Any])?["socket"] as? Int, "\(naive)")
        #expect(received + lost == sent, "\(naive)")
        #expect(socketDrops >= lost && socketDrops <= lost + 3, "\(naive)")
        #expect(objects.last?["completed"] as? Int == 11, "\(result.stdout)")

        let withPort = try Program.run("mpps", ["lab", "--server", server.address, "--target", "127.0.0.1:4321"], within: 10)
        #expect(withPort.status == 64)
        #expect(withPort.stderr == "mpps lab: --target address '127.0.0.1:4321' is not an IPv4 or IPv6 address: give addresses "
            + "without ports, such as 192.0.2.10,192.0.2.11 or 2001:db8::10 (see 'mpps lab --help')\n")
    }

    @Test(.enabled(if: VethLab.unavailableReason() == nil, "needs root, ip (iproute2) and python3 for a network namespace"))
    func acrossTwoNamespaces() throws {
        let lab = try VethLab(hostNamespace: true)
        defer { lab.remove() }
        // The server and its receivers in one namespace, the clients (senders) in the other: two hosts joined by a veth.
        let server = try ServeProcess(host: lab.hostAddress, prefix: lab.hostPrefix)
        defer { _ = server.stop() }
        let ip = try #require(VethLab.which("ip"))
        let inside = [ip, "netns", "exec", lab.namespace]
        let target = "\(lab.hostAddress):\(freePort())"

        // 10000 at 20k/s: a rate the server's receiver keeps up with under TSan on a busy machine
        // (at 100k/s it once read 36k/s and its 4 MiB buffer overflowed).
        let send = try Program.run("mpps", ["send", "--server", server.address, target, "--count", "10000", "--rate", "20k", "--json"],
                                   prefix: inside)
        #expect(send.status == 0, "\(send.stderr)")
        let account = try #require(send.stdout.split(separator: "\n").last.flatMap { jsonObject(String($0)) })
        #expect(account["type"] as? String == "account")
        #expect(account["sent"] as? Int == 10000)
        #expect(account["received"] as? Int == 10000, "\(send.stdout)")
        #expect(account["lost"] as? Int == 0)

        let ndr = try Program.run("mpps", ["ndr", "--server", server.address, target, "--trial", "0.3", "--steps", "2",
                                           "--max", "50k", "--json"], prefix: inside, within: 60)
        #expect(ndr.status == 0, "\(ndr.stderr)")
        let summary = try #require(ndr.stdout.split(separator: "\n").last.flatMap { jsonObject(String($0)) })
        #expect((summary["rate"] as? Double ?? 0) > 0, "\(ndr.stdout)")
        #expect(summary["confirmed"] as? Bool == true, "\(ndr.stdout)")
    }
}

extension Int {
    /// This number as a process id.
    var asPID: Int32 { Int32(self) }
}
