import Testing
import PacketIO
import Reporting
import HostStats
import Engine
@testable import Metrics

/// The exposition text of given readings, to the byte.
struct ReceiverMetricsTextTests {
    /// Two threads, a host delta, latencies of 5, 300, 1000, 1023, 1024 and 3 s (in ns).
    static func sample(lostIsPerThread: Bool = true) -> ReceiverMetrics {
        var buckets = Array(repeating: UInt64(0), count: LatencyHistogram.bucketCount)
        for value: UInt64 in [5, 300, 1000, 1023, 1024, 3_000_000_000] { buckets[LatencyHistogram.bucket(of: value)] += 1 }
        var first = SequenceTotals()
        first.expected = 1010
        first.unique = 1000
        first.reordered = 3
        first.duplicates = 2
        first.implausible = 1
        first.latencySum = 3_000_002_352
        var host = HostDelta()
        host.hasUDP = true
        host.udpIn = 2000
        host.rcvbufErrors = 7
        host.inErrors = 9
        host.memErrors = 1
        host.noPorts = 4
        host.socketDrops = 6
        host.softnet = [SoftnetCPU(cpu: 0, processed: 10, dropped: 0, timeSqueeze: 0),
                        SoftnetCPU(cpu: 1, processed: 10, dropped: 5, timeSqueeze: 1)]
        return ReceiverMetrics(address: "127.0.0.1:4321",
                               threads: [.init(id: 0, cpu: 1, counters: CounterSnapshot(packets: 1000, bytes: 32000, calls: 10, truncated: 0),
                                               sequence: first),
                                         .init(id: 1, cpu: -1, counters: CounterSnapshot(packets: 0, bytes: 0, calls: 0, truncated: 2))],
                               lostIsPerThread: lostIsPerThread, latencyBuckets: buckets, host: host, incomingCPUs: [1, -1])
    }

    /// Every family, in order; latencies 5, 300, 1000 and 1023 ns fall at or below 1023 ns, 1024 ns
    /// in the next bucket, 3 s below 2^32 ns: the cumulative counts 1, 2, 4, 5 … 6.
    @Test func theWholePageIsExact() {
        let expected = """
        # HELP mpps_received_datagrams_total Datagrams received, per receiving thread.
        # TYPE mpps_received_datagrams_total counter
        mpps_received_datagrams_total{thread="0"} 1000
        mpps_received_datagrams_total{thread="1"} 0
        # HELP mpps_received_bytes_total Payload bytes of the datagrams received, per receiving thread.
        # TYPE mpps_received_bytes_total counter
        mpps_received_bytes_total{thread="0"} 32000
        mpps_received_bytes_total{thread="1"} 0
        # HELP mpps_receive_system_calls_total recvmmsg calls that returned datagrams, per receiving thread.
        # TYPE mpps_receive_system_calls_total counter
        mpps_receive_system_calls_total{thread="0"} 10
        mpps_receive_system_calls_total{thread="1"} 0
        # HELP mpps_truncated_datagrams_total Datagrams longer than the receive slot, cut short, per receiving thread.
        # TYPE mpps_truncated_datagrams_total counter
        mpps_truncated_datagrams_total{thread="0"} 0
        mpps_truncated_datagrams_total{thread="1"} 2
        # HELP mpps_thread_cpu The CPU each receiving thread last ran on; -1 before it started.
        # TYPE mpps_thread_cpu gauge
        mpps_thread_cpu{thread="0"} 1
        mpps_thread_cpu{thread="1"} -1
        # HELP mpps_socket_incoming_cpu Each receiving socket's SO_INCOMING_CPU, in bind order: the CPU that last delivered to it; -1 when unknown.
        # TYPE mpps_socket_incoming_cpu gauge
        mpps_socket_incoming_cpu{socket="0"} 1
        mpps_socket_incoming_cpu{socket="1"} -1
        # HELP mpps_socket_drops_total Datagrams the kernel dropped at this receiver's sockets (SO_MEMINFO), since it started.
        # TYPE mpps_socket_drops_total counter
        mpps_socket_drops_total 6
        # HELP mpps_udp_receive_buffer_errors_total The host's UDP RcvbufErrors (IPv4 and IPv6) since the receiver started, as of the monitor's last interval.
        # TYPE mpps_udp_receive_buffer_errors_total counter
        mpps_udp_receive_buffer_errors_total 7
        # HELP mpps_udp_in_errors_total The host's UDP InErrors (IPv4 and IPv6) since the receiver started, as of the monitor's last interval.
        # TYPE mpps_udp_in_errors_total counter
        mpps_udp_in_errors_total 9
        # HELP mpps_udp_memory_errors_total The host's UDP MemErrors (IPv4 and IPv6) since the receiver started, as of the monitor's last interval.
        # TYPE mpps_udp_memory_errors_total counter
        mpps_udp_memory_errors_total 1
        # HELP mpps_udp_no_ports_total The host's UDP NoPorts (IPv4 and IPv6) since the receiver started, as of the monitor's last interval.
        # TYPE mpps_udp_no_ports_total counter
        mpps_udp_no_ports_total 4
        # HELP mpps_softnet_backlog_drops_total Packets dropped because a CPU's backlog was full (softnet_stat), per CPU, since the receiver started.
        # TYPE mpps_softnet_backlog_drops_total counter
        mpps_softnet_backlog_drops_total{cpu="0"} 0
        mpps_softnet_backlog_drops_total{cpu="1"} 5
        # HELP mpps_sequence_lost_datagrams_total Data datagrams never received, per the sequence headers so far, per receiving thread.
        # TYPE mpps_sequence_lost_datagrams_total counter
        mpps_sequence_lost_datagrams_total{thread="0"} 10
        mpps_sequence_lost_datagrams_total{thread="1"} 0
        # HELP mpps_sequence_reordered_datagrams_total Data datagrams that arrived after a later one, per receiving thread.
        # TYPE mpps_sequence_reordered_datagrams_total counter
        mpps_sequence_reordered_datagrams_total{thread="0"} 3
        mpps_sequence_reordered_datagrams_total{thread="1"} 0
        # HELP mpps_sequence_duplicate_datagrams_total Data datagrams received more than once, per receiving thread.
        # TYPE mpps_sequence_duplicate_datagrams_total counter
        mpps_sequence_duplicate_datagrams_total{thread="0"} 2
        mpps_sequence_duplicate_datagrams_total{thread="1"} 0
        # HELP mpps_sequence_implausible_datagrams_total Datagrams whose sequence header claimed the impossible or named a flow no key made, per receiving thread.
        # TYPE mpps_sequence_implausible_datagrams_total counter
        mpps_sequence_implausible_datagrams_total{thread="0"} 1
        mpps_sequence_implausible_datagrams_total{thread="1"} 0
        # HELP mpps_sequence_untracked_datagrams_total Data datagrams of flows beyond the flow table, per receiving thread.
        # TYPE mpps_sequence_untracked_datagrams_total counter
        mpps_sequence_untracked_datagrams_total{thread="0"} 0
        mpps_sequence_untracked_datagrams_total{thread="1"} 0
        # HELP mpps_one_way_latency_seconds One-way latency of datagrams whose sender shares this host's clock.
        # TYPE mpps_one_way_latency_seconds histogram
        mpps_one_way_latency_seconds_bucket{le="0.000000255"} 1
        mpps_one_way_latency_seconds_bucket{le="0.000000511"} 2
        mpps_one_way_latency_seconds_bucket{le="0.000001023"} 4
        mpps_one_way_latency_seconds_bucket{le="0.000002047"} 5
        mpps_one_way_latency_seconds_bucket{le="0.000004095"} 5
        mpps_one_way_latency_seconds_bucket{le="0.000008191"} 5
        mpps_one_way_latency_seconds_bucket{le="0.000016383"} 5
        mpps_one_way_latency_seconds_bucket{le="0.000032767"} 5
        mpps_one_way_latency_seconds_bucket{le="0.000065535"} 5
        mpps_one_way_latency_seconds_bucket{le="0.000131071"} 5
        mpps_one_way_latency_seconds_bucket{le="0.000262143"} 5
        mpps_one_way_latency_seconds_bucket{le="0.000524287"} 5
        mpps_one_way_latency_seconds_bucket{le="0.001048575"} 5
        mpps_one_way_latency_seconds_bucket{le="0.002097151"} 5
        mpps_one_way_latency_seconds_bucket{le="0.004194303"} 5
        mpps_one_way_latency_seconds_bucket{le="0.008388607"} 5
        mpps_one_way_latency_seconds_bucket{le="0.016777215"} 5
        mpps_one_way_latency_seconds_bucket{le="0.033554431"} 5
        mpps_one_way_latency_seconds_bucket{le="0.067108863"} 5
        mpps_one_way_latency_seconds_bucket{le="0.134217727"} 5
        mpps_one_way_latency_seconds_bucket{le="0.268435455"} 5
        mpps_one_way_latency_seconds_bucket{le="0.536870911"} 5
        mpps_one_way_latency_seconds_bucket{le="1.073741823"} 5
        mpps_one_way_latency_seconds_bucket{le="2.147483647"} 5
        mpps_one_way_latency_seconds_bucket{le="4.294967295"} 6
        mpps_one_way_latency_seconds_bucket{le="8.589934591"} 6
        mpps_one_way_latency_seconds_bucket{le="17.179869183"} 6
        mpps_one_way_latency_seconds_bucket{le="34.359738367"} 6
        mpps_one_way_latency_seconds_bucket{le="68.719476735"} 6
        mpps_one_way_latency_seconds_bucket{le="+Inf"} 6
        mpps_one_way_latency_seconds_sum 3.000002352
        mpps_one_way_latency_seconds_count 6
        # HELP mpps_receiver_info Always 1; the labels say where the receiver listens.
        # TYPE mpps_receiver_info gauge
        mpps_receiver_info{address="127.0.0.1:4321"} 1

        """
        #expect(Self.sample().prometheusText == expected)
    }

    @Test func lostIsLeftOutWhenFlowsSpreadOverThreads() {
        let text = Self.sample(lostIsPerThread: false).prometheusText
        #expect(!text.contains("mpps_sequence_lost_datagrams_total"))
        #expect(text.contains("mpps_sequence_reordered_datagrams_total{thread=\"0\"} 3\n"))
    }

    @Test func hostFamiliesWaitForTheMonitorsFirstReading() {
        var metrics = Self.sample()
        metrics.host = nil
        let text = metrics.prometheusText
        for family in ["mpps_socket_drops_total", "mpps_udp_", "mpps_softnet_"] { #expect(!text.contains(family)) }
        #expect(text.hasPrefix("# HELP mpps_received_datagrams_total "))
    }

    @Test func labelValuesAndHelpAreEscaped() {
        #expect(PrometheusText.escapeLabel(#"a"b\c"# + "\nd") == #"a\"b\\c\nd"#)
        #expect(PrometheusText.escapeHelp(#"a"b\c"# + "\nd") == #"a"b\\c\nd"#)
        var metrics = Self.sample()
        metrics.address = "[::1]:4321\"x\"\n"
        #expect(metrics.prometheusText.hasSuffix(#"mpps_receiver_info{address="[::1]:4321\"x\"\n"} 1"# + "\n"))
    }

    @Test func secondsAreExactDecimals() {
        #expect(PrometheusText.seconds(nanoseconds: 0) == "0")
        #expect(PrometheusText.seconds(nanoseconds: 1) == "0.000000001")
        #expect(PrometheusText.seconds(nanoseconds: 1023) == "0.000001023")
        #expect(PrometheusText.seconds(nanoseconds: 2_500_000_000) == "2.5")
        #expect(PrometheusText.seconds(nanoseconds: UInt64.max) == "18446744073.709551615")
    }
}
