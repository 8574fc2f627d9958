import PacketIO
import Reporting
import Engine

extension ReceiverMetrics {
    /// The page in the Prometheus text format 0.0.4. Counters are totals since
    /// the receiver started; names follow Prometheus's conventions (base units,
    /// `_total` on counters). Host-wide families appear once the monitor has
    /// read the host; the sequence families always (zero without headers),
    /// except lost when ``lostIsPerThread`` is false.
    package var prometheusText: String {
        var page = PrometheusText()
        perThread(&page, "mpps_received_datagrams_total", .counter,
                  "Datagrams received, per receiving thread.") { $0.counters.packets }
        perThread(&page, "mpps_received_bytes_total", .counter,
                  "Payload bytes of the datagrams received, per receiving thread.") { $0.counters.bytes }
        perThread(&page, "mpps_receive_system_calls_total", .counter,
                  "recvmmsg calls that returned datagrams, per receiving thread.") { $0.counters.calls }
        perThread(&page, "mpps_truncated_datagrams_total", .counter,
                  "Datagrams longer than the receive slot, cut short, per receiving thread.") { $0.counters.truncated }
        page.family("mpps_thread_cpu", .gauge, help: "The CPU each receiving thread last ran on; -1 before it started.")
        for thread in threads { page.sample("mpps_thread_cpu", labels: ["thread": String(thread.id)], String(thread.cpu)) }
        page.family("mpps_socket_incoming_cpu", .gauge,
                    help: "Each receiving socket's SO_INCOMING_CPU, in bind order: the CPU that last delivered to it; -1 when unknown.")
        for (index, cpu) in incomingCPUs.enumerated() {
            page.sample("mpps_socket_incoming_cpu", labels: ["socket": String(index)], String(cpu))
        }
        hostFamilies(&page)
        sequenceFamilies(&page)
        latencyFamily(&page)
        page.family("mpps_receiver_info", .gauge, help: "Always 1; the labels say where the receiver listens.")
        page.sample("mpps_receiver_info", labels: ["address": address], 1)
        return page.text
    }

    private func perThread(_ page: inout PrometheusText, _ name: String, _ kind: PrometheusText.Kind, _ help: String,
                           _ value: (Thread) -> UInt64) {
        page.family(name, kind, help: help)
        for thread in threads { page.sample(name, labels: ["thread": String(thread.id)], value(thread)) }
    }

    /// Drops by cause, each its own family: the causes overlap (InErrors
    /// includes RcvbufErrors, which includes this receiver's socket drops), so
    /// one family with a cause label would invite a sum that counts twice.
    private func hostFamilies(_ page: inout PrometheusText) {
        guard let host else { return }
        if let drops = host.socketDrops {
            page.family("mpps_socket_drops_total", .counter,
                        help: "Datagrams the kernel dropped at this receiver's sockets (SO_MEMINFO), since it started.")
            page.sample("mpps_socket_drops_total", drops)
        }
        if host.hasUDP {
            let udp: [(String, String, UInt64)] = [
                ("mpps_udp_receive_buffer_errors_total", "RcvbufErrors", host.rcvbufErrors),
                ("mpps_udp_in_errors_total", "InErrors", host.inErrors),
                ("mpps_udp_memory_errors_total", "MemErrors", host.memErrors),
                ("mpps_udp_no_ports_total", "NoPorts", host.noPorts),
            ]
            for (name, counter, value) in udp {
                page.family(name, .counter, help: "The host's UDP \(counter) (IPv4 and IPv6) since the receiver started, as of the monitor's last interval.")
                page.sample(name, value)
            }
        }
        if !host.softnet.isEmpty {
            page.family("mpps_softnet_backlog_drops_total", .counter,
                        help: "Packets dropped because a CPU's backlog was full (softnet_stat), per CPU, since the receiver started.")
            for cpu in host.softnet { page.sample("mpps_softnet_backlog_drops_total", labels: ["cpu": String(cpu.cpu)], UInt64(cpu.dropped)) }
        }
    }

    private func sequenceFamilies(_ page: inout PrometheusText) {
        if lostIsPerThread {
            perThread(&page, "mpps_sequence_lost_datagrams_total", .counter,
                      "Data datagrams never received, per the sequence headers so far, per receiving thread.") { $0.sequence.lost }
        }
        perThread(&page, "mpps_sequence_reordered_datagrams_total", .counter,
                  "Data datagrams that arrived after a later one, per receiving thread.") { $0.sequence.reordered }
        perThread(&page, "mpps_sequence_duplicate_datagrams_total", .counter,
                  "Data datagrams received more than once, per receiving thread.") { $0.sequence.duplicates }
        perThread(&page, "mpps_sequence_implausible_datagrams_total", .counter,
                  "Datagrams whose sequence header claimed the impossible or named a flow no key made, per receiving thread.") { $0.sequence.implausible }
        perThread(&page, "mpps_sequence_untracked_datagrams_total", .counter,
                  "Data datagrams of flows beyond the flow table, per receiving thread.") { $0.sequence.untracked }
    }

    /// The log-bucketed latency counts as a Prometheus histogram with
    /// power-of-two bounds (see ``latencyBoundExponents``).
    private func latencyFamily(_ page: inout PrometheusText) {
        let name = "mpps_one_way_latency_seconds"
        page.family(name, .histogram, help: "One-way latency of datagrams whose sender shares this host's clock.")
        var cumulative: UInt64 = 0
        var next = 0
        for exponent in Self.latencyBoundExponents {
            let edge = LatencyHistogram.bucket(of: UInt64(1) << UInt64(exponent))
            while next < edge && next < latencyBuckets.count {
                cumulative = cumulative.addingSaturating(latencyBuckets[next])
                next += 1
            }
            page.sample(name + "_bucket", labels: ["le": PrometheusText.seconds(nanoseconds: (UInt64(1) << UInt64(exponent)) - 1)], cumulative)
        }
        while next < latencyBuckets.count {
            cumulative = cumulative.addingSaturating(latencyBuckets[next])
            next += 1
        }
        page.sample(name + "_bucket", labels: ["le": "+Inf"], cumulative)
        let sum = threads.reduce(UInt64(0)) { $0.addingSaturating($1.sequence.latencySum) }
        page.sample(name + "_sum", PrometheusText.seconds(nanoseconds: sum))
        page.sample(name + "_count", cumulative)
    }
}
