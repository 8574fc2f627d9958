import PacketIO
import Reporting
import Engine

/// Everything a /metrics page of a receiver shows, read at one moment: a plain
/// value, so rendering it is a pure function that tests check to the byte.
package struct ReceiverMetrics: Sendable {
    /// One receiving thread.
    package struct Thread: Sendable {
        /// The thread's index (the `thread` label).
        package var id: Int
        /// The CPU it last ran on; -1 before it started.
        package var cpu: Int
        /// Its datagram, byte and call counts.
        package var counters: CounterSnapshot
        /// What its sequence headers said.
        package var sequence: SequenceTotals

        /// A thread's reading.
        package init(id: Int, cpu: Int, counters: CounterSnapshot, sequence: SequenceTotals = SequenceTotals()) {
            self.id = id
            self.cpu = cpu
            self.counters = counters
            self.sequence = sequence
        }
    }

    /// The address the receiver is bound to (the info metric's `address` label).
    package var address: String
    /// The threads, by index.
    package var threads: [Thread]
    /// Whether each flow is read by one thread only (one thread, or SO_REUSEPORT
    /// hashing flows to sockets): only then is a thread's count of sequence gaps
    /// a count of lost datagrams. Otherwise a thread sees its siblings'
    /// datagrams as gaps, and the lost family is left out (the summary has it).
    package var lostIsPerThread: Bool
    /// Latency counts per ``LatencyHistogram`` bucket, all threads together.
    package var latencyBuckets: [UInt64]
    /// The host's counters since the receiver started, as of the monitor's last
    /// reading; nil before its first.
    package var host: HostDelta?
    /// Each socket's `SO_INCOMING_CPU`, in bind order; -1 when unknown.
    package var incomingCPUs: [Int]

    /// A reading.
    package init(address: String, threads: [Thread], lostIsPerThread: Bool, latencyBuckets: [UInt64] = [],
                 host: HostDelta? = nil, incomingCPUs: [Int] = []) {
        self.address = address
        self.threads = threads
        self.lostIsPerThread = lostIsPerThread
        self.latencyBuckets = latencyBuckets
        self.host = host
        self.incomingCPUs = incomingCPUs
    }

    /// Reads a running receive: the counter slots its threads publish once per
    /// batch, the monitor's latest host reading, and each socket's incoming CPU
    /// (one getsockopt each). Takes no lock a receiving thread takes.
    package init(run: ReceiveRun) {
        var buckets = Array(repeating: UInt64(0), count: LatencyHistogram.bucketCount)
        var threads: [Thread] = []
        for index in 0..<run.counters.count {
            let sequence = run.sequenceCounters.read(index)
            for bucket in 0..<buckets.count {
                buckets[bucket] = buckets[bucket].addingSaturating(sequence.latencyBuckets[bucket])
            }
            threads.append(Thread(id: index, cpu: run.counters.slot(index).readCPU(),
                                  counters: run.counters.read(index), sequence: sequence.totals))
        }
        let options = run.options
        self.init(address: run.boundAddress.description, threads: threads,
                  lostIsPerThread: options.threads == 1 || (options.reusePort && options.steering == .hash),
                  latencyBuckets: buckets, host: run.hostReadings.delta(), incomingCPUs: run.incomingCPUs())
    }

    /// The latency histogram's bucket bounds: powers of two of nanoseconds,
    /// 2^8 (256 ns) to 2^36 (about 69 s, past the 60 s a plausible latency
    /// stays below). Each is a bucket edge of ``LatencyHistogram``, so the
    /// cumulative counts are exact: bucket `k` counts values of at most 2^k − 1 ns.
    package static let latencyBoundExponents = 8...36
}
