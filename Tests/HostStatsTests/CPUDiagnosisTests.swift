import Testing
import HostStats

/// The findings from constructed shares, word for word.
@Suite struct CPUDiagnosisTests {
    @Test func theArticlesPictureIsTheKernelsLimit() {
        // One CPU red with softirq, the receiving thread on another CPU mostly waiting.
        let findings = CPUDiagnosis.findings(
            cpus: [CPUShare(cpu: 0, system: 0.03, softirq: 0.95, idle: 0.02), CPUShare(cpu: 1, user: 0.1, system: 0.2, idle: 0.7)],
            threads: [ReceivingThreadCPU(id: 0, cpu: 1, busy: 0.28)])
        #expect(findings == [CPUFinding(kind: .kernelReceiveLimit, text:
            "cpu0 is 95% in softirq while no receiving thread is full (the busiest at 28%): the kernel's receive work is the limit; "
            + "spread it over more CPUs with RSS (more NIC queues) or RPS (rps_cpus)")])
    }

    @Test func softirqOnTheReceiversCPUStarvingItIsLivelock() {
        let findings = CPUDiagnosis.findings(
            cpus: [CPUShare(cpu: 0, user: 0.2, system: 0.7, softirq: 0.1), CPUShare(cpu: 1, user: 0.05, system: 0.15, softirq: 0.8)],
            threads: [ReceivingThreadCPU(id: 0, cpu: 1, busy: 0.2)])
        #expect(findings == [CPUFinding(kind: .receiveLivelock, text:
            "receive livelock on cpu1: softirq takes 80% of it and receiving thread #0 gets 20%: "
            + "move the thread to another CPU (--cpus), or keep RPS and IRQs off cpu1")])
    }

    /// The demo's stage 2 on loopback: the sender's CPU (cpu0) full of softirq, the receiving
    /// thread on cpu1 at 85%. On loopback that softirq is the sender delivering in its own
    /// context, so the finding must not call it the kernel's receive limit nor advise RSS/RPS,
    /// which the stage's own sentence (the sender delivers) would contradict.
    @Test func onLoopbackTheSoftirqCPUIsTheSenders() {
        let cpus = [CPUShare(cpu: 0, user: 0.01, system: 0.08, softirq: 0.91), CPUShare(cpu: 1, user: 0.02, system: 0.83, idle: 0.15)]
        let threads = [ReceivingThreadCPU(id: 0, cpu: 1, busy: 0.85)]
        let findings = CPUDiagnosis.findings(cpus: cpus, threads: threads, delivery: .loopback)
        #expect(findings == [CPUFinding(kind: .loopbackDelivery, text:
            "cpu0 is 91% in softirq while no receiving thread is full (the busiest at 85%): on loopback that is a sender's CPU, "
            + "delivering each datagram in the sender's own context: the sending side pays for the kernel's receive work there, "
            + "and RSS or RPS cannot move it")])
        #expect(!findings.contains { $0.text.contains("RPS (rps_cpus)") || $0.kind == .kernelReceiveLimit })
        // The same shares behind a NIC are the kernel's limit, as before.
        #expect(CPUDiagnosis.findings(cpus: cpus, threads: threads).map(\.kind) == [.kernelReceiveLimit])
    }

    @Test func onLoopbackALivelockNamesTheSenderSharingTheCPU() {
        let findings = CPUDiagnosis.findings(
            cpus: [CPUShare(cpu: 0, user: 0.2, system: 0.7, softirq: 0.1), CPUShare(cpu: 1, user: 0.05, system: 0.15, softirq: 0.8)],
            threads: [ReceivingThreadCPU(id: 0, cpu: 1, busy: 0.2)], delivery: .loopback)
        #expect(findings == [CPUFinding(kind: .receiveLivelock, text:
            "receive livelock on cpu1: softirq takes 80% of it and receiving thread #0 gets 20%: "
            + "on loopback that softirq is a sender's on the same CPU, delivering in its own context: "
            + "pin the sender and the receiver to different CPUs (--cpus)")])
    }

    @Test func aThreadAtAFullCPUIsTheApplicationsLimit() {
        let findings = CPUDiagnosis.findings(
            cpus: [CPUShare(cpu: 0, system: 0.5, softirq: 0.45, idle: 0.05), CPUShare(cpu: 1, user: 0.3, system: 0.69, idle: 0.01)],
            threads: [ReceivingThreadCPU(id: 0, cpu: 1, busy: 0.99), ReceivingThreadCPU(id: 1, cpu: -1, busy: 0.9)])
        #expect(findings.map(\.text) == [
            "receiving thread #0 is busy 99% on cpu1: the application is the limit; add threads (--threads N --reuseport)",
            "receiving thread #1 is busy 90%: the application is the limit; add threads (--threads N --reuseport)",
        ])
    }

    @Test func thresholdsAreWhereTheConstantsSay() {
        let fullSoftirq = CPUShare(cpu: 0, system: 0.4, softirq: CPUDiagnosis.softirqDominant, idle: 1 - CPUDiagnosis.saturated - 0.0)
        // busy exactly 0.90 with softirq exactly 0.50: the kernel's limit (both bounds inclusive).
        #expect(CPUDiagnosis.findings(cpus: [fullSoftirq, CPUShare(cpu: 1, idle: 1)],
                                      threads: [ReceivingThreadCPU(id: 0, cpu: 1, busy: 0.5)]).map(\.kind) == [.kernelReceiveLimit])
        // Just below either: nothing.
        var lighter = fullSoftirq
        lighter.softirq = 0.49
        lighter.idle = 0.11
        #expect(CPUDiagnosis.findings(cpus: [lighter, CPUShare(cpu: 1, idle: 1)], threads: [ReceivingThreadCPU(id: 0, cpu: 1, busy: 0.5)]).isEmpty)
        // A thread at 0.89 is not the limit; at exactly 0.90 it is.
        #expect(CPUDiagnosis.findings(cpus: [], threads: [ReceivingThreadCPU(id: 0, cpu: 0, busy: 0.89)]).isEmpty)
        #expect(CPUDiagnosis.findings(cpus: [], threads: [ReceivingThreadCPU(id: 0, cpu: 0, busy: 0.9)]).map(\.kind) == [.applicationLimit])
    }

    @Test func aThreadWithNothingToReadIsIdleNotStarved() {
        // The reuseport hash gave both flows to thread #1: thread #0, on the CPU full of softirq, had nothing to read.
        let cpus = [CPUShare(cpu: 0, user: 0.55, system: 0.05, softirq: 0.40), CPUShare(cpu: 1, user: 0.44, system: 0.5, softirq: 0.06)]
        #expect(CPUDiagnosis.findings(cpus: cpus, threads: [ReceivingThreadCPU(id: 0, cpu: 0, busy: 0, received: 0),
                                                             ReceivingThreadCPU(id: 1, cpu: 1, busy: 0.5, received: 180_000)]).isEmpty)
    }

    @Test func aThreadCrowdedOutByOtherWorkIsNeitherLivelockNorTheKernelsLimit() {
        // Other programs fill CPU 1 (no softirq there): the thread gets 17 %, and CPU 0's softirq is not what holds it back.
        let findings = CPUDiagnosis.findings(
            cpus: [CPUShare(cpu: 0, user: 0.5, system: 0.05, softirq: 0.42, steal: 0.01, idle: 0.02),
                   CPUShare(cpu: 1, user: 0.46, system: 0.52, idle: 0.02)],
            threads: [ReceivingThreadCPU(id: 0, cpu: 1, busy: 0.17, received: 450_000)])
        #expect(findings == [CPUFinding(kind: .crowdedOut, text:
            "receiving thread #0 gets 17% of cpu1, which is 98% busy with other work: give the thread a CPU of its own (--cpus), "
            + "or move the other programs off cpu1")])
    }

    @Test func quietCasesSayNothing() {
        // Nothing received: no threads, no findings, even with a CPU full of softirq.
        #expect(CPUDiagnosis.findings(cpus: [CPUShare(cpu: 0, softirq: 1)], threads: []).isEmpty)
        // An idle host.
        #expect(CPUDiagnosis.findings(cpus: [CPUShare(cpu: 0, idle: 1), CPUShare(cpu: 1, idle: 1)],
                                      threads: [ReceivingThreadCPU(id: 0, cpu: 1, busy: 0)]).isEmpty)
        #expect(CPUDiagnosis.percent(.nan) == "0%")
        #expect(CPUDiagnosis.percent(1.07) == "100%")
    }
}
