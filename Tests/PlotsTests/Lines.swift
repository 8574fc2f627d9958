import Reporting
@testable import Plots

/// Hand-written JSON lines, as mpps writes them, with or without the `cpus`
/// and per-thread CPU keys the CPU accounting adds.
enum Lines {
    static let ready = #"{"type":"ready","address":"127.0.0.1:4321","threads":2,"reuseport":true,"steer":"hash","cpus":[0,1],"batch":512,"gro":false,"rx_usecs":0,"rcvbuf":8388608,"flow_keys":0,"pid":1}"#

    /// Interval `n` (from 1) of a two-thread receiver at 1 s: thread 0 gets 600k, thread 1 400k, 10 dropped at the socket.
    static func interval(_ n: Int, cpu: Bool = false) -> String {
        let threads = cpu
            ? #"[{"id":0,"cpu":0,"packets":600000,"cpu_user_s":0.25,"cpu_system_s":0.70},{"id":1,"cpu":1,"packets":400000,"cpu_user_s":0.10,"cpu_system_s":0.40}]"#
            : #"[{"id":0,"cpu":0,"packets":600000},{"id":1,"cpu":1,"packets":400000}]"#
        var line = #"{"type":"interval","elapsed":\#(n).000,"packets":1000000,"bytes":32000000,"pps":1000000.0,"calls":5000,"threads":\#(threads),"#
            + #""kernel":{"udp_in":1000010,"rcvbuf_errors":10,"in_errors":10,"no_ports":0,"mem_errors":0},"socket_drops":10,"#
            + #""softnet":[{"cpu":0,"processed":10,"dropped":0,"time_squeeze":0},{"cpu":1,"processed":10,"dropped":0,"time_squeeze":0}]"#
        if cpu {
            line += #","cpus":[{"cpu":0,"user":0.25,"system":0.70,"softirq":0.05,"irq":0,"iowait":0,"steal":0,"idle":0},"#
                + #"{"cpu":1,"user":0.10,"system":0.40,"softirq":0.30,"irq":0.0,"iowait":0.0,"steal":0.0,"idle":0.20}]"#
        }
        return line + "}"
    }

    static let summary = #"{"type":"summary","packets":3000000,"bytes":96000000,"seconds":3.000,"pps_mean":1000000.0,"pps_min":1000000.0,"pps_max":1000000.0,"calls":15000,"threads":[1800000,1200000],"refused":0,"no_buffers":0,"truncated":0,"stop":"duration","socket_drops":30}"#

    /// A three-second receiving run, as a stream.
    static func run(cpu: Bool) -> String {
        ([ready] + (1...3).map { interval($0, cpu: cpu) } + [summary]).joined(separator: "\n") + "\n"
    }

    static let sendStream = [
        #"{"type":"ready","targets":["127.0.0.1:4321"],"threads":1,"flows":1,"payload":32,"headers":true,"batch":1024,"gso":1,"rate":null,"count":null,"cpus":null,"flow_key":"3f9a0c5e71d2b846","pid":2}"#,
        #"{"type":"interval","elapsed":1.000,"packets":300000,"bytes":9600000,"pps":300000.0,"calls":300,"threads":[{"id":0,"cpu":0,"packets":300000}]}"#,
        #"{"type":"interval","elapsed":2.000,"packets":310000,"bytes":9920000,"pps":310000.0,"calls":310,"threads":[{"id":0,"cpu":0,"packets":310000}]}"#,
        #"{"type":"summary","packets":610000,"bytes":19520000,"seconds":2.000,"pps_mean":305000.0,"pps_min":300000.0,"pps_max":310000.0,"calls":610,"threads":[610000],"refused":0,"no_buffers":0,"truncated":0,"stop":"duration"}"#,
    ].joined(separator: "\n") + "\n"

    static let lab = [
        #"{"type":"experiment","name":"naive","title":"one receiver","sender":["mpps","send"],"receiver":["mpps","recv"],"received_pps":300000.0,"sent_pps":400000.0,"sent":400000,"received":300000,"lost":100000,"sequence_lost":100000,"loss":0.25,"drops":{"socket":60000,"rcvbuf_errors":60000,"in_errors":60000,"mem_errors":0,"no_ports":0,"backlog":30000},"threads":[300000],"shares":[1.0000],"notes":[]}"#,
        #"{"type":"experiment","name":"steer-cpu","title":"x","sender":["mpps","send"],"receiver":["mpps","recv"],"skipped":"not available in this build (needs --steer)","notes":[]}"#,
        #"{"type":"experiment","name":"gro","title":"x","sender":["mpps","send"],"receiver":["mpps","recv"],"received_pps":20000000.0,"sent_pps":20000000.0,"sent":20000000,"received":20000000,"lost":0,"sequence_lost":0,"loss":0.000000,"drops":{"socket":0,"rcvbuf_errors":0,"in_errors":0,"mem_errors":0,"no_ports":0,"backlog":0},"threads":[20000000],"shares":[1.0000],"notes":[]}"#,
        #"{"type":"summary","experiments":3,"completed":2,"skipped":1,"failed":0,"seconds":4.500,"place":"loopback","cpus":"0-1","best":{"name":"gro","received_pps":20000000.0},"notes":[],"stop":"done"}"#,
    ].joined(separator: "\n") + "\n"

    static let ndr = [
        #"{"type":"trial","number":1,"phase":"search","offered":1000000.0,"expected":100000,"sent":100000,"received":90000,"lost":10000,"sequence_lost":10000,"loss":0.100000,"sent_pps":1000000.0,"received_pps":900000.0,"drops":{"socket":10000,"rcvbuf_errors":10000,"in_errors":10000,"mem_errors":0,"no_ports":0,"backlog":0},"socket_drops":10000,"other_drops":0,"passed":false,"limit":"loss","reason":"lost 10.00%, more than 0%"}"#,
        #"{"type":"trial","number":2,"phase":"search","offered":505000.0,"expected":50500,"sent":50500,"received":50500,"lost":0,"sequence_lost":0,"loss":0.000000,"sent_pps":505000.0,"received_pps":505000.0,"drops":{"socket":0,"rcvbuf_errors":0,"in_errors":0,"mem_errors":0,"no_ports":0,"backlog":0},"socket_drops":0,"other_drops":0,"passed":true,"limit":null,"reason":"loss 0% within 0%"}"#,
        #"{"type":"trial","number":3,"phase":"confirm","offered":505000.0,"expected":50500,"sent":50500,"received":50500,"lost":0,"sequence_lost":0,"loss":0.000000,"sent_pps":505000.0,"received_pps":505000.0,"drops":{"socket":0,"rcvbuf_errors":0,"in_errors":0,"mem_errors":0,"no_ports":0,"backlog":0},"socket_drops":0,"other_drops":0,"passed":true,"limit":null,"reason":"loss 0% within 0%"}"#,
        #"{"type":"summary","rate":505000.0,"loss":0.000000,"trials":3,"confirmed":true,"max_loss":0.000000,"min":10000.0,"max":1000000.0,"limited_by":"loss","stop":"done"}"#,
    ].joined(separator: "\n") + "\n"

    /// The stream read through `PlotStream`, as `mpps plot` reads a file.
    static func stream(_ text: String) throws(PlotInputError) -> PlotStream {
        var stream = PlotStream()
        try stream.feed(Array(text.utf8))
        try stream.finish()
        return stream
    }
}
