import Foundation
import Testing
import HostStats
import PacketIO

/// /proc/stat's per-CPU lines, thread and process stat files, and the CPU findings.
@Suite struct CPUTimesTests {
    static let earlier = """
        cpu  300 0 200 1000 0 0 100 0 0 0
        cpu0 100 0 100 500 0 0 100 0 0 0
        cpu1 200 0 100 500 0 0 0 0 0 0
        intr 12345 0 0
        ctxt 999
        """
    static let later = """
        cpu  400 0 300 1100 0 0 190 0 0 0
        cpu0 100 0 12 503 0 0 185 0 0 0
        cpu1 238 0 160 502 0 0 0 0 0 0
        """

    @Test func parsesTheFixtureOfThisVM() throws {
        let times = try ProcessorTimes.read(Fixture.files(Fixture.vm))
        #expect(times.cpus == [
            CPUTimes(cpu: 0, user: 646756, nice: 1, system: 172641, idle: 283586, iowait: 739, irq: 0, softirq: 77350, steal: 3351),
            CPUTimes(cpu: 1, user: 667419, nice: 2, system: 182497, idle: 272958, iowait: 2307, irq: 0, softirq: 54690, steal: 3555),
        ])
    }

    @Test func sharesAreExactFractionsOfTheTicksThatPassed() throws {
        let before = try #require(ProcessorTimes.parse(Self.earlier))
        let after = try #require(ProcessorTimes.parse(Self.later))
        let shares = after.shares(since: before)
        // cpu0: system went backwards (counts 0), softirq +85, idle +3: 88 ticks... plus user 0.
        #expect(shares[0] == CPUShare(cpu: 0, user: 0, system: 0, softirq: 85.0 / 88.0, idle: 3.0 / 88.0))
        // cpu1: user +38, system +60, idle +2: 100 ticks.
        #expect(shares[1] == CPUShare(cpu: 1, user: 0.38, system: 0.60, idle: 0.02))
        #expect(shares[1].busy == 0.98)
    }

    @Test func allOnesAndDecreasingCountersNeitherTrapNorCount() throws {
        let max = UInt64.max
        let before = try #require(ProcessorTimes.parse("cpu0 \(max) \(max) 5 \(max) 9 0 0 0\n"))
        let after = try #require(ProcessorTimes.parse("cpu0 1 \(max) 5 \(max) 3 0 \(max) \(max)\n"))
        let share = after.shares(since: before)[0]
        // user went from all-ones to 1 and iowait from 9 to 3: both count 0; softirq and steal grew by all-ones.
        #expect(share == CPUShare(cpu: 0, softirq: 0.5, steal: 0.5))
        // No tick at all: every share 0, busy 0.
        let still = before.shares(since: before)[0]
        #expect(still == CPUShare(cpu: 0))
        #expect(still.busy == 0)
    }

    @Test func refusesMalformedLines() {
        #expect(ProcessorTimes.parse("cpu0 1 2 3\n") == nil)                 // fewer than four columns
        #expect(ProcessorTimes.parse("cpu0 1 2 3 x\n") == nil)               // not a number
        #expect(ProcessorTimes.parse("cpu0 1 2 3 18446744073709551616\n") == nil)  // beyond 64 bits
        #expect(ProcessorTimes.parse("cpu0 1 2 3 4\ncpu0 1 2 3 4\n") == nil)  // the same CPU twice
        #expect(ProcessorTimes.parse("cpu-1 1 2 3 4\n") == nil)
        #expect(ProcessorTimes.parse("cpu 1 2 3 4\nintr 5\n") == ProcessorTimes(cpus: []))
        #expect(ProcessorTimes.parse("cpu3 1 2 3 4\n") == ProcessorTimes(cpus: [CPUTimes(cpu: 3, user: 1, nice: 2, system: 3, idle: 4)]))
    }

    @Test func threadStatIsReadFromTheLastParenthesis() throws {
        // A thread may name itself anything: spaces and parentheses in comm must not shift the fields.
        let line = "4242 (a) b (c) S 1 4242 4242 0 -1 4194560 10 0 0 0 1234 567 0 0 20 0 3 0 100 2000 30 "
            + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
        #expect(TaskCPUTime.parse(line) == TaskCPUTime(userTicks: 1234, systemTicks: 567, lastCPU: 1))
        let fixture = try TaskCPUTime.thread(1234, Fixture.files(Fixture.vm))
        #expect(fixture == TaskCPUTime(userTicks: 8712, systemTicks: 30456, lastCPU: 1))
        #expect(TaskCPUTime(userTicks: 250, systemTicks: 700).seconds(since: TaskCPUTime(userTicks: 50, systemTicks: 800), ticksPerSecond: 100)
                == ThreadCPUSeconds(user: 2, system: 0))
    }

    @Test func refusesMalformedStatLines() {
        #expect(TaskCPUTime.parse("") == nil)
        #expect(TaskCPUTime.parse("1 (x S 1 2 3 4 5 6 7 8 9 10 11 12") == nil)      // no ')'
        #expect(TaskCPUTime.parse("1 (x) S 1 2 3 4 5 6 7 8 9 10") == nil)         // utime and stime missing
        #expect(TaskCPUTime.parse("1 (x) S 1 2 3 4 5 6 7 8 9 10 -5 12") == nil)   // utime negative
        // A short line (an old kernel) without field 39 still gives the times.
        #expect(TaskCPUTime.parse("1 (x) S 1 2 3 4 5 6 7 8 9 10 11 12") == TaskCPUTime(userTicks: 11, systemTicks: 12))
    }

    @Test func malformedFilesAreOneClearError() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mpps-cpu-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("proc/self"), withIntermediateDirectories: true)
        try "cpu0 1 2 x 4\n".write(to: root.appendingPathComponent("proc/stat"), atomically: true, encoding: .utf8)
        try "1 (x S\n".write(to: root.appendingPathComponent("proc/self/stat"), atomically: true, encoding: .utf8)
        let files = HostFiles(root: root.path)
        #expect(throws: HostReadError.malformed("/proc/stat", "expected lines 'cpuN' followed by whole numbers of clock ticks")) {
            try ProcessorTimes.read(files)
        }
        #expect(throws: HostReadError.malformed("/proc/self/stat", "expected 'pid (name) state ...' with utime and stime in fields 14 and 15")) {
            try TaskCPUTime.process(files)
        }
    }

    @Test func liveReadOfThisHostAndThisThread() throws {
        let times = try ProcessorTimes.read()
        let online = try CPUTopology.readOnline(HostFiles())
        #expect(times.cpus.map(\.cpu) == online)
        let thread = try TaskCPUTime.thread(Syscalls.currentThreadID())
        let process = try TaskCPUTime.process()
        // The process's time includes this thread's.
        #expect(process.userTicks + process.systemTicks >= thread.userTicks + thread.systemTicks)
        #expect(thread.lastCPU.map { online.contains($0) } == true)
    }
}
