import Testing
import HostStats
import Reporting

/// The CPU shares as people and programs read them.
@Suite struct CPUUseTests {
    @Test func theHumanLineMatchesTheIssuesExample() {
        let use = CPUUse(cpus: [CPUShare(cpu: 0, user: 0.02, system: 0.12, softirq: 0.85, idle: 0.01),
                                CPUShare(cpu: 1, user: 0.38, system: 0.60, idle: 0.02),
                                CPUShare(cpu: 2, idle: 1)])
        #expect(use.compactLine == "cpu0 si 85% sys 12% usr 2% | cpu1 sys 60% usr 38% | cpu2 idle")
        #expect(use.cpusJSON.rendered == #"[{"cpu":0,"user":0.0200,"system":0.1200,"softirq":0.8500,"irq":0.0000,"iowait":0.0000,"steal":0.0000,"idle":0.0100},"#
            + #"{"cpu":1,"user":0.3800,"system":0.6000,"softirq":0.0000,"irq":0.0000,"iowait":0.0000,"steal":0.0000,"idle":0.0200},"#
            + #"{"cpu":2,"user":0.0000,"system":0.0000,"softirq":0.0000,"irq":0.0000,"iowait":0.0000,"steal":0.0000,"idle":1.0000}]"#)
    }

    @Test func theLineLeavesOutLessThanHalfAPercent() {
        #expect(CPUUse(cpus: [CPUShare(cpu: 0, softirq: 85.0 / 88.0, idle: 3.0 / 88.0), CPUShare(cpu: 1, user: 0.38, system: 0.60, idle: 0.02)]).compactLine
                 == "cpu0 si 97% | cpu1 sys 60% usr 38%")
        #expect(CPUUse(cpus: [CPUShare(cpu: 3, user: 0.004, idle: 0.996)]).compactLine == "cpu3 idle")
    }

    @Test func threadsUnknownAtTheFirstReadingCountFromZero() {
        let earlier = CPUReading(processors: ProcessorTimes(cpus: [CPUTimes(cpu: 0, idle: 100)]), threads: [nil],
                                 process: TaskCPUTime(userTicks: 10, systemTicks: 10))
        let later = CPUReading(processors: ProcessorTimes(cpus: [CPUTimes(cpu: 0, system: 95, idle: 105)]),
                               threads: [TaskCPUTime(userTicks: 5, systemTicks: 90)], process: TaskCPUTime(userTicks: 16, systemTicks: 104))
        let use = CPUUse(from: earlier, to: later, seconds: 1, receiving: [(cpu: 0, packets: 1000)])
        #expect(use.cpus == [CPUShare(cpu: 0, system: 0.95, idle: 0.05)])
        #expect(use.threads == [ThreadCPUSeconds(user: 0.05, system: 0.9)])
        #expect(use.process == ThreadCPUSeconds(user: 0.06, system: 0.94))
        #expect(use.findings.map(\.text) == ["receiving thread #0 is busy 95% on cpu0: the application is the limit; add threads (--threads N --reuseport)"])
    }
}
