// swift-tools-version:6.0
// mpps: receive (and send) a million UDP packets per second, in Swift on Linux.
// No outside dependencies: everything here builds from the toolchain alone.
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
        // The fast path a Swift server author imports.
        .target(name: "PacketIO", dependencies: ["CMPPSLinux"]),
        // Read-only views of the kernel's and the NIC's counters, topology, doctor rules.
        .target(name: "HostStats", dependencies: ["CMPPSLinux"]),
        // Multi-threaded runs, counters, the reporter and its output formats.
        .target(name: "Bench", dependencies: ["PacketIO", "HostStats"]),
        // The command lines.
        .executableTarget(name: "mpps", dependencies: ["Bench", "HostStats", "PacketIO"]),
        .executableTarget(name: "udpsender", dependencies: ["Bench"]),
        .executableTarget(name: "udpreceiver1", dependencies: ["Bench"]),
        .testTarget(name: "PacketIOTests", dependencies: ["PacketIO"]),
        // Test-only: a veth pair into a network namespace the test creates and deletes.
        .target(name: "NetLab", path: "Tests/NetLab"),
        .testTarget(name: "HostStatsTests", dependencies: ["HostStats", "NetLab"], resources: [.copy("Fixtures")]),
        // Test-only: counts the calling thread's heap allocations (replaces malloc in the test binary).
        .target(name: "AllocationCounter", path: "Tests/AllocationCounter"),
        .testTarget(name: "BenchTests", dependencies: ["Bench", "HostStats", "AllocationCounter"]),
        .testTarget(name: "CLITests", dependencies: ["PacketIO", "NetLab"]),
    ],
    swiftLanguageModes: [.v6]
)
