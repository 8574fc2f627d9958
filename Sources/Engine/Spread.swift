import PacketIO
import Reporting

/// Whether an interval's datagrams were spread fairly across receiving threads.
package enum Spread {
    /// Fewer datagrams than this in an interval say nothing about the spread.
    static let minimumPerThread: UInt64 = 100

    /// A warning per thread that got less than a quarter of its fair share
    /// while the group as a whole was busy, naming the likely cause.
    package static func warnings(_ threads: [ThreadSample]) -> [String] {
        guard threads.count > 1 else { return [] }
        let total = threads.reduce(UInt64(0)) { $0 + $1.delta.packets }
        guard total >= minimumPerThread * UInt64(threads.count) else { return [] }
        let fair = Double(total) / Double(threads.count)
        let starved = threads.filter { Double($0.delta.packets) < fair / 4 }
        guard !starved.isEmpty else { return [] }
        let names = starved.map { "#\($0.id)" }.joined(separator: ", ")
        let shares = starved.map { Units.fixed(Double($0.delta.packets) * 100 / Double(total), decimals: 1) + "%" }
            .joined(separator: ", ")
        return ["uneven: thread\(starved.count > 1 ? "s" : "") \(names) got \(shares) of the datagrams "
            + "(a fair share is \(Units.fixed(100 / Double(threads.count), decimals: 1))%): the SO_REUSEPORT hash "
            + "puts each flow on one socket, and too few flows collide; send more flows (mpps send --flows N) or steer at random (mpps recv --steer random)"]
    }
}
