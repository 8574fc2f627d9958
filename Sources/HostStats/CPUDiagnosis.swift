/// How busy one receiving thread was over an interval, and where it ran.
package struct ReceivingThreadCPU: Equatable, Sendable {
    /// The thread's index in the run.
    package var id: Int
    /// The CPU it is pinned to or last ran on; -1 when unknown.
    package var cpu: Int
    /// Its user plus system CPU time as a fraction of the interval (1 = a whole CPU).
    package var busy: Double
    /// Datagrams it received in the interval: a thread that had none to read is idle, not starved.
    package var received: UInt64

    /// Creates a value.
    package init(id: Int, cpu: Int, busy: Double, received: UInt64 = 1) {
        self.id = id
        self.cpu = cpu
        self.busy = busy
        self.received = received
    }
}

/// What a run's CPU shares say about where its limit is: the article's diagnosis
/// in words, one line per finding.
package struct CPUFinding: Equatable, Sendable {
    /// The kinds of limit the shares can show.
    package enum Kind: String, Equatable, Sendable {
        /// A CPU is full of softirq work while the receiving threads wait: the kernel's receive work is the limit.
        case kernelReceiveLimit = "kernel-receive-limit"
        /// Softirq work and a receiving thread share a full CPU and the thread gets little of it.
        case receiveLivelock = "receive-livelock"
        /// A receiving thread is busy all the time: the application is the limit.
        case applicationLimit = "application-limit"
        /// On loopback, a CPU full of softirq is a sender's: the kernel delivers each datagram in the
        /// sending thread's own context, so the sending side pays for the receive work.
        case loopbackDelivery = "loopback-delivery"
        /// A receiving thread gets little of a full CPU whose time goes to other work, not softirq:
        /// other threads or programs share its CPU (a busy machine, or a sender pinned beside it).
        case crowdedOut = "crowded-out"
    }

    /// Which limit.
    package var kind: Kind
    /// The line a person reads: what was seen, then what to do.
    package var text: String

    /// Creates a finding.
    package init(kind: Kind, text: String) {
        self.kind = kind
        self.text = text
    }
}

/// Where the kernel does a receiver's softirq work, which decides what a CPU full
/// of softirq means.
package enum ReceiveDelivery: Sendable, Equatable {
    /// From a NIC or a veth: on the CPUs that serve its RX queues (RSS, RPS), which can be spread.
    case network
    /// Over loopback: in each sending thread's own context, on the sender's CPU, which no
    /// receive setting moves (the article's note: loopback delivers in the sender's context).
    case loopback
}

/// The rules from CPU shares and receiving threads' CPU time to ``CPUFinding``s;
/// pure, so tests give it constructed shares.
package enum CPUDiagnosis {
    /// A CPU or thread at this fraction of the interval or more counts as full.
    /// Not 1: /proc counts in 10 ms ticks and the monitor's own wake-ups take a
    /// little, so a CPU that is flat out reads 0.93 to 1.0 over a second.
    package static let saturated = 0.90
    /// Softirq work at this fraction of a full CPU or more is what fills it
    /// (the article's htop: one CPU red with "si").
    package static let softirqDominant = 0.50
    /// Softirq work at this fraction of a CPU or more is enough to crowd out a thread sharing it.
    package static let softirqCrowding = 0.30
    /// A receiving thread below this fraction of its CPU while that CPU is full is
    /// starved: it would take more if the kernel's work left it any.
    package static let starved = 0.50

    /// The findings for one interval (or a whole run): `cpus` are the shares of
    /// every CPU, `threads` the receiving threads. Each thread is judged on
    /// the CPU it ran on (a thread that received nothing is idle, never starved); a CPU full of softirq with no starved receiving thread on
    /// it, while the receiving threads wait (neither they nor their CPUs are full:
    /// a thread crowded out by other programs is not waiting for the kernel), is the kernel's limit,
    /// unless `delivery` is loopback: then that CPU is a sender's, and the finding says so.
    package static func findings(cpus: [CPUShare], threads: [ReceivingThreadCPU],
                                 delivery: ReceiveDelivery = .network) -> [CPUFinding] {
        guard !threads.isEmpty else { return [] }
        var findings: [CPUFinding] = []
        var livelocked = Set<Int>()
        for thread in threads {
            guard let cpu = cpus.first(where: { $0.cpu == thread.cpu }) else { continue }
            guard cpu.busy >= saturated && thread.busy < starved && thread.received > 0 else { continue }
            if cpu.softirq >= softirqCrowding {
                livelocked.insert(cpu.cpu)
                let remedy = delivery == .loopback
                    ? "on loopback that softirq is a sender's on the same CPU, delivering in its own context: "
                        + "pin the sender and the receiver to different CPUs (--cpus)"
                    : "move the thread to another CPU (--cpus), or keep RPS and IRQs off cpu\(cpu.cpu)"
                findings.append(CPUFinding(kind: .receiveLivelock, text:
                    "receive livelock on cpu\(cpu.cpu): softirq takes \(percent(cpu.softirq)) of it and receiving thread #\(thread.id) "
                    + "gets \(percent(thread.busy)): " + remedy))
            } else {
                findings.append(CPUFinding(kind: .crowdedOut, text:
                    "receiving thread #\(thread.id) gets \(percent(thread.busy)) of cpu\(cpu.cpu), which is \(percent(cpu.busy)) busy with other work: "
                    + "give the thread a CPU of its own (--cpus), or move the other programs off cpu\(cpu.cpu)"))
            }
        }
        let busiest = threads.map(\.busy).max() ?? 0
        let threadCPUsFull = threads.contains { thread in cpus.first { $0.cpu == thread.cpu }.map { $0.busy >= saturated } ?? false }
        if busiest < saturated && !threadCPUsFull {
            for cpu in cpus where cpu.busy >= saturated && cpu.softirq >= softirqDominant && !livelocked.contains(cpu.cpu) {
                let seen = "cpu\(cpu.cpu) is \(percent(cpu.softirq)) in softirq while no receiving thread is full (the busiest at \(percent(busiest))): "
                switch delivery {
                case .network:
                    findings.append(CPUFinding(kind: .kernelReceiveLimit, text: seen
                        + "the kernel's receive work is the limit; spread it over more CPUs with RSS (more NIC queues) or RPS (rps_cpus)"))
                case .loopback:
                    findings.append(CPUFinding(kind: .loopbackDelivery, text: seen
                        + "on loopback that is a sender's CPU, delivering each datagram in the sender's own context: "
                        + "the sending side pays for the kernel's receive work there, and RSS or RPS cannot move it"))
                }
            }
        }
        for thread in threads where thread.busy >= saturated {
            let place = thread.cpu >= 0 ? " on cpu\(thread.cpu)" : ""
            findings.append(CPUFinding(kind: .applicationLimit, text:
                "receiving thread #\(thread.id) is busy \(percent(thread.busy))\(place): the application is the limit; "
                + "add threads (--threads N --reuseport)"))
        }
        return findings
    }

    /// `85%`, rounded to a whole percent, clamped to 0...100 (tick counts can overshoot a little).
    package static func percent(_ fraction: Double) -> String {
        guard fraction.isFinite else { return "0%" }
        return DecimalText.percent(min(max(fraction, 0), 1), decimals: 0)
    }
}
