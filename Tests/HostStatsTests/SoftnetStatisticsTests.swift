import Testing
import HostStats

@Suite struct SoftnetStatisticsTests {
    @Test func parsesFifteenColumnsWithCPUNumbers() throws {
        // Linux 6.18 (this VM): 15 columns, the CPU number in column 12.
        let softnet = try #require(SoftnetStatistics.parse(try Fixture.text(Fixture.vm, "/proc/net/softnet_stat")))
        #expect(softnet.cpus.map(\.cpu) == [0, 1])
        #expect(softnet.cpus[0] == SoftnetCPU(cpu: 0, processed: 0x0596_4e14, dropped: 0, timeSqueeze: 8, backlogLength: 0))
        #expect(softnet.cpus[1] == SoftnetCPU(cpu: 1, processed: 0x0150_d056, dropped: 0, timeSqueeze: 1, backlogLength: 0))
        #expect(softnet.total.processed == 93_736_468 + 22_073_430)
    }

    @Test func parsesElevenColumnsByLine() throws {
        // Linux 3.x (the article's host): 11 columns, no CPU number: row n is CPU n.
        let softnet = try #require(SoftnetStatistics.parse(try Fixture.text(Fixture.article, "/proc/net/softnet_stat")))
        #expect(softnet.cpus.count == 24)
        #expect(softnet.cpus.map(\.cpu) == Array(0..<24))
        let cpu4 = try #require(softnet[cpu: 4])
        #expect(cpu4.processed == 2_050_789_872)
        #expect(cpu4.timeSqueeze == 6699)
        #expect(cpu4.dropped == 0)
        #expect(cpu4.backlogLength == nil)
        #expect(softnet.total.timeSqueeze == 6699)
    }

    @Test func placesRowsOfOlderKernelsOnTheOnlineCPUs() throws {
        let text = "00000010 00000001 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000\n"
            + "00000020 00000002 00000003 00000000 00000000 00000000 00000000 00000000 00000000 00000007 00000001\n"
        let softnet = try #require(SoftnetStatistics.parse(text, onlineCPUs: [0, 2]))
        #expect(softnet.cpus.map(\.cpu) == [0, 2])
        #expect(softnet.cpus[1] == SoftnetCPU(cpu: 2, processed: 32, dropped: 2, timeSqueeze: 3, receivedRPS: 7, flowLimitCount: 1))
    }

    @Test func skipsOfflineCPUsByNumber() throws {
        // Linux 5.15, 13 columns; CPU 3 is offline and has no row.
        let softnet = try #require(SoftnetStatistics.parse(try Fixture.text(Fixture.mlx5, "/proc/net/softnet_stat")))
        #expect(softnet.cpus.map(\.cpu) == [0, 1, 2] + Array(4...15))
        #expect(softnet[cpu: 3] == nil)
        #expect(softnet[cpu: 9]?.dropped == 47)
        #expect(softnet[cpu: 0]?.timeSqueeze == 21)
        #expect(softnet[cpu: 15]?.processed == UInt32(0x1f4a_0000 + 15 * 0x10203))
    }

    @Test func rejectsMalformedRows() {
        #expect(SoftnetStatistics.parse("zz 00000000 00000000\n") == nil)
        #expect(SoftnetStatistics.parse("00000001 00000002\n") == nil)
        #expect(SoftnetStatistics.parse("")?.cpus == [])
    }

    @Test func deltasWrapAt32Bits() {
        let before = SoftnetStatistics(cpus: [SoftnetCPU(cpu: 0, processed: 0xFFFF_FFF0, dropped: 5, timeSqueeze: 1, backlogLength: 9)])
        let after = SoftnetStatistics(cpus: [SoftnetCPU(cpu: 0, processed: 0x10, dropped: 7, timeSqueeze: 1, backlogLength: 2),
                                             SoftnetCPU(cpu: 1, processed: 40, dropped: 0, timeSqueeze: 0)])
        let delta = after.since(before)
        #expect(delta.cpus[0] == SoftnetCPU(cpu: 0, processed: 0x20, dropped: 2, timeSqueeze: 0, backlogLength: 2))
        #expect(delta.cpus[1] == SoftnetCPU(cpu: 1, processed: 40, dropped: 0, timeSqueeze: 0))
    }

    @Test func missingFileIsATypedError() {
        #expect(throws: HostReadError(subject: "/proc/net/softnet_stat", kind: .missing, code: 2, reason: "no such file or directory")) {
            try SoftnetStatistics.read(HostFiles(root: "/nonexistent-mpps-root"))
        }
    }

    @Test func readsThisHost() throws {
        let online = try CPUTopology.readOnline()
        let softnet = try SoftnetStatistics.current()
        #expect(softnet.cpus.map(\.cpu) == online)
        #expect(softnet.total.processed > 0)
    }
}
