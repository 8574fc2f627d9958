#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import PacketIO
import StreamTestSupport

/// `mpps recv --metrics`: a scrape over a plain socket returns the exact count,
/// `promtool` accepts the page, and a real Prometheus server scrapes it.
@Suite(.serialized) struct MetricsCLITests {
    /// A TCP port on 127.0.0.1 that was free a moment ago.
    static func freeTCPPort() throws -> UInt16 {
        let descriptor = try Syscalls.socket(domain: AF_INET, type: Int32(SOCK_STREAM.rawValue))
        defer { Syscalls.close(descriptor) }
        try Syscalls.bind(descriptor, to: SocketAddress(ipv4: 127, 0, 0, 1, port: 0))
        return try Syscalls.localAddress(descriptor).port
    }

    /// A TCP socket listening on a free port of 127.0.0.1, so that the port is taken;
    /// the caller closes the descriptor.
    static func listeningOnAFreePort() throws -> (descriptor: Int32, address: SocketAddress) {
        let descriptor = try Syscalls.socket(domain: AF_INET, type: Int32(SOCK_STREAM.rawValue))
        do {
            try Syscalls.bind(descriptor, to: SocketAddress(ipv4: 127, 0, 0, 1, port: 0))
            try Syscalls.listen(descriptor, backlog: 1)
            return (descriptor, try Syscalls.localAddress(descriptor))
        } catch {
            Syscalls.close(descriptor)
            throw error
        }
    }

    /// One HTTP/1.0 GET over a plain socket; the whole response, or nil when nobody answers.
    static func get(_ port: UInt16, _ target: String) -> String? {
        guard let client = try? HTTPClient(SocketAddress(ipv4: 127, 0, 0, 1, port: port)) else { return nil }
        defer { client.close() }
        guard client.send("GET \(target) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\n\r\n") else { return nil }
        return client.readAll()
    }

    /// The sample `name` (with its labels, as written) in a page; nil when absent.
    static func value(_ page: String, _ sample: String) -> String? {
        page.split(separator: "\n").first { $0.hasPrefix(sample + " ") }.map { String($0.dropFirst(sample.count + 1)) }
    }

    /// A receiver with metrics and a sender of `count` datagrams, finished; the page scraped once it holds them all.
    static func receiveAndScrape(count: Int, metricsPort: UInt16) throws -> (receiver: Program, page: String) {
        let port = freePort()
        let receiver = try Program("mpps", ["recv", "127.0.0.1:\(port)", "--metrics", "127.0.0.1:\(metricsPort)",
                                            "--json", "--duration", "60", "--rcvbuf", "16M"])
        #expect(receiver.waitForReady(), "\(receiver.stderr)")
        let sender = try Program.run("mpps", ["send", "127.0.0.1:\(port)", "--count", "\(count)", "--rate", "100k", "--payload", "40", "--quiet"])
        #expect(sender.status == 0, "\(sender.stderr)")
        var page = ""
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            page = get(metricsPort, "/metrics").map(\.body) ?? ""
            if value(page, #"mpps_received_datagrams_total{thread="0"}"#) == "\(count)" { break }
            usleep(50_000)
        }
        return (receiver, page)
    }

    @Test func aScrapeReturnsTheExactCountsAndTheReceiverStopsCleanly() throws {
        let metricsPort = try Self.freeTCPPort()
        let (receiver, page) = try Self.receiveAndScrape(count: 20000, metricsPort: metricsPort)
        #expect(Self.value(page, #"mpps_received_datagrams_total{thread="0"}"#) == "20000", "\(page)")
        #expect(Self.value(page, #"mpps_received_bytes_total{thread="0"}"#) == "800000")
        #expect(Self.value(page, #"mpps_sequence_lost_datagrams_total{thread="0"}"#) == "0")
        #expect(Self.value(page, #"mpps_sequence_duplicate_datagrams_total{thread="0"}"#) == "0")
        // The sender shares the clock: every datagram's latency is in the histogram.
        #expect(Self.value(page, "mpps_one_way_latency_seconds_count") == "20000")
        #expect(Self.value(page, #"mpps_one_way_latency_seconds_bucket{le="+Inf"}"#) == "20000")
        #expect(Self.value(page, #"mpps_receiver_info{address="127.0.0.1:"#) == nil)  // the label holds the whole address
        #expect(page.contains(#"mpps_receiver_info{address="127.0.0.1:"#))
        #expect(receiver.stderr.contains("mpps recv: metrics at http://127.0.0.1:\(metricsPort)/metrics\n"), "\(receiver.stderr)")
        // The HTTP head, exactly.
        let response = try #require(Self.get(metricsPort, "/metrics"))
        #expect(response.hasPrefix("HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: "))
        #expect(Self.get(metricsPort, "/")?.hasPrefix("HTTP/1.1 404 Not Found\r\n") == true)
        receiver.send(SIGINT)
        #expect(receiver.finish(within: 5) == 0, "\(receiver.stderr)")
        // Its summary agrees, and the metrics port is closed with the receiver.
        #expect(receiver.stdoutLines.last.flatMap(jsonObject)?["packets"] as? Int == 20000)
        #expect(Self.get(metricsPort, "/metrics") == nil)
    }

    static let promtool = "/usr/bin/promtool"
    static let prometheus = "/usr/bin/prometheus"

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: promtool),
                   "needs promtool (Debian's prometheus package: apt-get install -y prometheus)"))
    func promtoolAcceptsARealScrape() throws {
        let metricsPort = try Self.freeTCPPort()
        let (receiver, page) = try Self.receiveAndScrape(count: 1000, metricsPort: metricsPort)
        defer { receiver.send(SIGINT); _ = receiver.finish(within: 5) }
        #expect(Self.value(page, #"mpps_received_datagrams_total{thread="0"}"#) == "1000")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("mpps-metrics-\(UUID().uuidString).txt")
        try page.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        // promtool reads the page on standard input.
        let check = Process()
        check.executableURL = URL(fileURLWithPath: Self.promtool)
        check.arguments = ["check", "metrics"]
        check.standardInput = try FileHandle(forReadingFrom: file)
        let output = Pipe()
        check.standardOutput = output
        check.standardError = output
        try check.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        check.waitUntilExit()
        #expect(check.terminationStatus == 0, "promtool: \(text)")
        #expect(text == "", "promtool's lint: \(text)")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: prometheus),
                   "needs prometheus (Debian's prometheus package: apt-get install -y prometheus)"))
    func aRealPrometheusScrapesTheDatagramCounter() throws {
        let metricsPort = try Self.freeTCPPort()
        let (receiver, page) = try Self.receiveAndScrape(count: 3000, metricsPort: metricsPort)
        defer { receiver.send(SIGINT); _ = receiver.finish(within: 5) }
        #expect(Self.value(page, #"mpps_received_datagrams_total{thread="0"}"#) == "3000")

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mpps-prometheus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("prometheus.yml")
        try """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        scrape_configs:
          - job_name: mpps
            static_configs:
              - targets: ['127.0.0.1:\(metricsPort)']
        """.write(to: config, atomically: true, encoding: .utf8)
        let webPort = try Self.freeTCPPort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: Self.prometheus)
        server.arguments = ["--config.file=\(config.path)", "--storage.tsdb.path=\(directory.path)/data",
                            "--web.listen-address=127.0.0.1:\(webPort)"]
        let log = directory.appendingPathComponent("prometheus.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        server.standardOutput = try FileHandle(forWritingTo: log)
        server.standardError = try FileHandle(forWritingTo: log)
        server.standardInput = FileHandle.nullDevice
        try server.run()
        // Stopped on every path, before its directory goes: SIGTERM, then SIGKILL after 10 s.
        defer {
            server.terminate()
            let end = Date().addingTimeInterval(10)
            while server.isRunning && Date() < end { usleep(20_000) }
            if server.isRunning { kill(server.processIdentifier, SIGKILL) }
            server.waitUntilExit()
        }
        var answer = ""
        var sum: String?
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline && sum == nil {
            usleep(250_000)
            answer = Self.get(webPort, "/api/v1/query?query=sum(mpps_received_datagrams_total)").map(\.body) ?? ""
            if let object = jsonObject(answer), let data = object["data"] as? [String: Any],
               let result = data["result"] as? [[String: Any]], let value = result.first?["value"] as? [Any] {
                sum = value.last as? String
            }
        }
        let serverLog = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(sum == "3000", "prometheus answered: \(answer)\n\(serverLog.suffix(2000))")
    }

    @Test func badMetricsAddressesAndPortsInUse() throws {
        let bad = try Program.run("mpps", ["recv", "127.0.0.1:0", "--metrics", "localhost"])
        #expect(bad.status == 64)
        #expect(bad.stderr == "mpps recv: bad --metrics address: missing port in 'localhost': write HOST:PORT, for example 127.0.0.1:4321 (see 'mpps recv --help')\n")
        let (holder, taken) = try MetricsCLITests.listeningOnAFreePort()
        defer { Syscalls.close(holder) }
        let inUse = try Program.run("mpps", ["recv", "127.0.0.1:0", "--metrics", "\(taken)", "--duration", "5"])
        #expect(inUse.status == 1)
        #expect(inUse.stderr == "--metrics: cannot listen on \(taken): address already in use (another program holds it: choose another port)\n")
        let absent = try Program.run("mpps", ["recv", "127.0.0.1:0", "--metrics", "192.0.2.1:9321", "--duration", "5"])
        #expect(absent.status == 1)
        #expect(absent.stderr == "--metrics: cannot listen on 192.0.2.1:9321: no local interface has that address (use 127.0.0.1, 0.0.0.0, or an address 'ip addr' lists)\n")
        let help = try Program.run("mpps", ["recv", "--help"])
        #expect(help.stdout.contains("--metrics ADDR:PORT"), "\(help.stdout)")
    }

    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") && BadInputTests.unprivilegedStart > 80,
                   "needs root and setpriv (util-linux) to drop to an unprivileged user, and port 80 privileged"))
    func aPrivilegedMetricsPortWithoutPrivilege() throws {
        let result = try Program.run("mpps", ["recv", "127.0.0.1:0", "--metrics", "127.0.0.1:80", "--duration", "5"],
                                     prefix: ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr == "--metrics: cannot listen on 127.0.0.1:80: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE: choose a port of 1024 or more)\n")
    }
}

/// `mpps serve --metrics`: each receiver it runs serves the page at that address.
@Suite(.serialized) struct ServeMetricsCLITests {
    @Test func aServedReceiverServesItsMetricsWhileItRuns() throws {
        let metricsPort = try MetricsCLITests.freeTCPPort()
        let server = try ServeProcess(["--metrics", "127.0.0.1:\(metricsPort)"])
        defer { _ = server.stop() }
        #expect(MetricsCLITests.get(metricsPort, "/metrics") == nil, "nothing listens before a receiver runs")

        let port = freePort()
        let client = try ControlClient(port: server.port)
        _ = client.hello()
        client.send(#"{"type":"start","arguments":["127.0.0.1:\#(port)"]}"# + "\n")
        #expect(client.readLine().flatMap(jsonObject)?["type"] as? String == "ready")
        let sender = try Program.run("mpps", ["send", "127.0.0.1:\(port)", "--count", "5000", "--rate", "100k", "--quiet"])
        #expect(sender.status == 0, "\(sender.stderr)")
        var page = ""
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            page = MetricsCLITests.get(metricsPort, "/metrics") ?? ""
            if MetricsCLITests.value(page.body, #"mpps_received_datagrams_total{thread="0"}"#) == "5000" { break }
            usleep(50_000)
        }
        #expect(MetricsCLITests.value(page.body, #"mpps_received_datagrams_total{thread="0"}"#) == "5000", "\(page)")

        client.send(#"{"type":"stop"}"# + "\n")
        #expect(client.readLine().flatMap(jsonObject)?["packets"] as? Int == 5000)
        #expect(MetricsCLITests.get(metricsPort, "/metrics") == nil, "the page goes with its receiver")
    }

    @Test func aMetricsAddressWithoutAPortOrInUseIsRefusedAtStart() throws {
        let zero = try Program.run("mpps", ["serve", "--listen", "127.0.0.1:0", "--metrics", "127.0.0.1:0"])
        #expect(zero.status == 64)
        #expect(zero.stderr == "mpps serve: --metrics needs a port: each receiver binds the same ADDR:PORT, and Prometheus scrapes it (see 'mpps serve --help')\n")
        let (holder, held) = try MetricsCLITests.listeningOnAFreePort()
        defer { Syscalls.close(holder) }
        let busy = held.port
        let taken = try Program.run("mpps", ["serve", "--listen", "127.0.0.1:0", "--metrics", "127.0.0.1:\(busy)"])
        #expect(taken.status == 1)
        #expect(taken.stderr == "--metrics: cannot listen on 127.0.0.1:\(busy): address already in use (another program holds it: choose another port)\n")
    }
}
