import PacketIO

/// The pieces of the lab's command lines for one setting: the receiver's and
/// the sender's arguments, CPU pinning, and the notes and missing options an
/// experiment carries. ``LabPlan/experiments(_:)`` builds every experiment from them.
struct LabCommandLines {
    let setting: LabSetting
    /// The address a receiver listens on: the IPv6 wildcard (dual-stack) when any target is IPv6.
    let listen: String
    /// The first target, `address:port`.
    let main: String
    /// Every target, as one range over the last octet when the addresses allow it.
    let targets: [String]
    /// Receiving threads of the multi-threaded experiments.
    let receivers: Int

    init(_ setting: LabSetting) {
        self.setting = setting
        let port = setting.port
        main = LabPlan.endpoint(setting.addresses[0], port)
        // The IPv6 wildcard takes IPv4 datagrams too (a dual-stack socket), so any IPv6 target makes it the one.
        listen = setting.addresses.contains { $0.contains(":") } ? "[::]:\(port)" : "0.0.0.0:\(port)"
        receivers = LabPlan.receivingThreads(cpus: setting.cpus.count)
        // The addresses as one range over the last octet: 127.0.0.1-4:PORT.
        let last = setting.addresses.count > 1 ? setting.addresses.last?.split(separator: ".").last : nil
        // Addresses given one by one (`lab --server --target A,B`) need not be consecutive: then each is a target.
        let consecutive = setting.addresses.count == 1 || LabPlan.consecutiveIPv4(setting.addresses)
        targets = consecutive ? (last.map { ["\(setting.addresses[0])-\($0):\(port)"] } ?? [main])
            : setting.addresses.map { LabPlan.endpoint($0, port) }
    }

    var cpus: [Int] { setting.cpus }

    /// `mpps recv` with `extra`, in JSON, bounded in time.
    func receiver(_ extra: [String]) -> [String] {
        ["recv", listen] + extra + ["--json", "--duration", LabPlan.secondsText(LabPlan.receiverBound(setting.seconds))]
    }

    /// `mpps send` to `targets` with `extra`, for the setting's seconds, in JSON.
    func sender(_ targets: [String], _ extra: [String]) -> [String] {
        ["send"] + targets + extra + ["--duration", LabPlan.secondsText(setting.seconds), "--json"]
    }

    /// `--cpus LIST`, or nothing for no CPUs.
    func pin(_ list: [Int]) -> [String] { list.isEmpty ? [] : ["--cpus", CPUList(list).description] }

    /// Where `senders` sending and `receivers` receiving threads run.
    func plan(senders: Int, receivers: Int) -> CPUPlan {
        LabPlan.cpuPlan(senders: senders, receivers: receivers, cpus: cpus)
    }

    /// The note an experiment gets when its threads must share CPUs.
    func sharing(_ senders: Int, _ receivers: Int) -> [String] {
        guard plan(senders: senders, receivers: receivers).shared else { return [] }
        return ["its \(senders + receivers) threads (\(senders) sending, \(receivers) receiving) need \(senders + receivers) CPUs "
            + "to have one each; mpps may use \(cpus.count) here (CPU\(cpus.count == 1 ? "" : "s") \(CPUList(cpus))), "
            + "so threads share CPUs and the numbers mix both effects"]
    }

    /// The receiver options the receiving host's mpps lacks, as `mpps recv OPTION`.
    func missingReceive(_ options: [String]) -> [String] {
        options.filter { !setting.capabilities.receiveOptions.contains($0) }.map { "mpps recv \($0)" }
    }

    /// The sender options the sending host's mpps lacks, as `mpps send OPTION`.
    func missingSend(_ options: [String]) -> [String] {
        options.filter { !setting.capabilities.sendOptions.contains($0) }.map { "mpps send \($0)" }
    }

    /// The note of the experiments that run fewer receiving threads than the article's 4.
    var fewReceivers: [String] {
        receivers < 4
            ? ["the article runs 4 receiving threads (taskset -c 1,2,3,4); with 2 senders that needs 6 CPUs, "
                + "this machine lets mpps use \(cpus.count): running \(receivers)"]
            : []
    }
}
