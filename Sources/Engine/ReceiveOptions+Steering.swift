import PacketIO
import Reporting

/// Which CPU each receiving thread takes, and whether the options can steer the group as asked.
extension ReceiveOptions {
    /// The CPU each thread is pinned to, by thread index; nil leaves threads unpinned.
    /// Thread `i` takes the `i`-th CPU of ``cpus`` (wrapping around); with
    /// ``SteeringMode/cpu`` and no ``cpus``, the `i`-th CPU this process may use.
    package var threadCPUs: [Int]? {
        let list = cpus ?? (steering == .cpu ? CPUList.allowed() : nil)
        guard let list, !list.cpus.isEmpty else { return nil }
        return (0..<threads).map { list.cpus[$0 % list.cpus.count] }
    }

    /// Why these options cannot steer as asked, in one line; nil when they can.
    package var steeringProblem: String? {
        if steering != .hash && !reusePort {
            return "--steer \(steering.rawValue) needs --reuseport: steering picks a socket of an SO_REUSEPORT group"
        }
        if steering == .cpu {
            let list = cpus ?? CPUList.allowed()
            if list.cpus.count < threads {
                return "--steer cpu needs a CPU per receiving thread: \(threads) threads, but \(list.cpus.count) "
                    + "CPU\(list.cpus.count == 1 ? "" : "s") (\(list)): list more with --cpus, or use fewer --threads"
            }
        }
        return nil
    }

    /// The program to attach to the group, for the threads' CPUs; nil for the hash.
    var reusePortSteering: ReusePortSteering? {
        switch steering {
        case .hash: return nil
        case .random: return .random
        case .cpu: return .cpu(cpus: threadCPUs ?? [])
        }
    }
}
