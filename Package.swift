// swift-tools-version:6.0
// mpps: receive (and send) a million UDP packets per second, in Swift on Linux.
// No outside dependencies: everything here builds from the toolchain alone.
// ARCHITECTURE.md explains the modules and what each may import.
import PackageDescription

let package = Package(
    name: "mpps",
    products: [
        .library(name: "PacketIO", targets: ["PacketIO"]),
        .executable(name: "mpps", targets: ["mpps"]),
        .executable(name: "udpsender", targets: ["udpsender"]),
        .executable(name: "udpreceiver1", targets: ["udpreceiver1"]),
    ],
    targets: [
        // Declarations and macro wrappers Swift cannot import by itself; no logic.
        .target(name: "CMPPSLinux"),
        // The library product: the door to the kernel, sockets, batches, offloads, CPU sets, sequence headers.
        .target(name: "PacketIO", dependencies: ["CMPPSLinux"]),
        // Read-only views of the kernel's and the NIC's counters and topology; the doctor's rules.
        .target(name: "HostStats", dependencies: ["PacketIO", "CMPPSLinux"]),
        // Report values, units, the human and JSON sinks, the JSON schema.
        .target(name: "Reporting", dependencies: ["PacketIO", "HostStats"]),
        // The threads, workers, pacer and monitor behind `recv` and `send`.
        .target(name: "Engine", dependencies: ["PacketIO", "HostStats", "Reporting"]),
        // Child processes, paired trials, `lab`, `ndr`: they read the JSON stream, not the engine.
        .target(name: "Trials", dependencies: ["PacketIO", "HostStats", "Reporting"]),
        // SVG plots of runs, labs and searches, from the same JSON values the streams carry.
        .target(name: "Plots", dependencies: ["PacketIO", "Reporting"]),
        // The /metrics endpoint: a hardened one-page HTTP server and the Prometheus text of a running receiver.
        .target(name: "Metrics", dependencies: ["PacketIO", "Reporting", "Engine"]),
        // The argument parser and every command; the executables are one line each.
        .target(name: "Commands", dependencies: ["PacketIO", "HostStats", "Reporting", "Engine", "Trials", "Plots", "Metrics"]),
        .executableTarget(name: "mpps", dependencies: ["Commands"]),
        .executableTarget(name: "udpsender", dependencies: ["Commands"]),
        .executableTarget(name: "udpreceiver1", dependencies: ["Commands"]),
        // Small programs that import only PacketIO, as a user of the library writes them: built with the rest, not products.
        .executableTarget(name: "EchoServer", dependencies: ["PacketIO"], path: "Examples/EchoServer"),
        .executableTarget(name: "GROCounter", dependencies: ["PacketIO"], path: "Examples/GROCounter"),
        .executableTarget(name: "XDPCounter", dependencies: ["PacketIO"], path: "Examples/XDPCounter"),
        .executableTarget(name: "XDPSender", dependencies: ["PacketIO"], path: "Examples/XDPSender"),
        .executableTarget(name: "ThreadedReceiver", dependencies: ["PacketIO"], path: "Examples/ThreadedReceiver"),
        .executableTarget(name: "AsyncEchoServer", dependencies: ["PacketIO"], path: "Examples/AsyncEchoServer"),

        // Test-only: a veth pair into a network namespace the test creates and deletes.
        .target(name: "NetLab", path: "Tests/NetLab"),
        // Test-only: counts the calling thread's heap allocations (replaces malloc in the test binary).
        .target(name: "AllocationCounter", path: "Tests/AllocationCounter"),
        // Test-only: one seeded random generator (SplitMix64) for the tests that make up inputs.
        .target(name: "SeededRandom", path: "Tests/SeededRandom"),
        .testTarget(name: "PacketIOTests", dependencies: ["PacketIO", "NetLab", "SeededRandom"]),
        .testTarget(name: "HostStatsTests", dependencies: ["HostStats", "PacketIO", "NetLab"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting", "PacketIO", "HostStats"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "Reporting", "PacketIO", "HostStats", "AllocationCounter", "NetLab",
                                                       "SeededRandom"]),
        .testTarget(name: "TrialsTests", dependencies: ["Trials", "Reporting", "PacketIO", "HostStats"]),
        // Test-only: an SVG parses as XML and rsvg-convert renders it to a PNG that is not blank.
        .target(name: "SVGCheck", path: "Tests/SVGCheck"),
        .testTarget(name: "PlotsTests", dependencies: ["Plots", "Reporting", "PacketIO", "SVGCheck"]),
        .testTarget(name: "CommandsTests", dependencies: ["Commands", "Engine", "Reporting", "PacketIO"]),
        // Test-only: the blocking TCP client side of the /metrics and serve tests (send all, receive some).
        .target(name: "StreamTestSupport", dependencies: ["PacketIO"], path: "Tests/StreamTestSupport"),
        .testTarget(name: "CLITests", dependencies: ["PacketIO", "NetLab", "SVGCheck", "StreamTestSupport"]),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics", "Engine", "Reporting", "PacketIO", "HostStats", "StreamTestSupport"]),
        // Runs the built examples against loopback peers made with PacketIO.
        .testTarget(name: "ExamplesTests", dependencies: ["PacketIO", "NetLab"]),
        // Reads Sources/, Package.swift and ARCHITECTURE.md and fails when an invariant the map states is broken.
        .testTarget(name: "TidyTests"),
    ],
    swiftLanguageModes: [.v6]
)
