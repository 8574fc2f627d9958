import Testing
import HostStats
import PacketIO

@Suite struct KernelCPUTextTests {
    @Test func parsesLists() {
        #expect(CPUList(kernelList: "0-3,8")?.cpus == [0, 1, 2, 3, 8])
        #expect(CPUList(kernelList: "0-2,4-15\n")?.cpus == [0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15])
        #expect(CPUList(kernelList: "5")?.cpus == [5])
        #expect(CPUList(kernelList: "")?.cpus == [])
        #expect(CPUList(kernelList: "\n")?.cpus == [])
        #expect(CPUList(kernelList: "3-1")?.cpus == nil)
        #expect(CPUList(kernelList: "a")?.cpus == nil)
        #expect(CPUList(kernelList: "1,,2")?.cpus == nil)
        #expect(CPUList(kernelList: "-1")?.cpus == nil)
    }

    @Test func formatsLists() {
        #expect(CPUList([0, 1, 2, 3, 8]).description == "0-3,8")
        #expect(CPUList([8, 3, 2, 1, 0, 8]).description == "0-3,8")
        #expect(CPUList([11, 23]).description == "11,23")
        #expect(CPUList([Int]()).description == "")
    }

    @Test func parsesMasks() {
        #expect(CPUList(kernelMask: "0")?.cpus == [])
        #expect(CPUList(kernelMask: "000000\n")?.cpus == [])
        #expect(CPUList(kernelMask: "e")?.cpus == [1, 2, 3])
        #expect(CPUList(kernelMask: "00000000,00000f00")?.cpus == [8, 9, 10, 11])
        #expect(CPUList(kernelMask: "ff,ffffffff")?.cpus == Array(0..<40))
        #expect(CPUList(kernelMask: "1,00000000")?.cpus == [32])
        #expect(CPUList(kernelMask: "xyz")?.cpus == nil)
        #expect(CPUList(kernelMask: "")?.cpus == nil)
    }

    @Test func formatsMasks() {
        #expect(CPUList([1, 2, 3]).kernelMask == "e")
        #expect(CPUList([0]).kernelMask == "1")
        #expect(CPUList([0, 40]).kernelMask == "100,00000001")
        #expect(CPUList([32]).kernelMask == "1,00000000")
        #expect(CPUList([Int]()).kernelMask == "0")
        #expect(CPUList(kernelMask: CPUList([0, 5, 31, 32, 63, 64]).kernelMask)?.cpus == [0, 5, 31, 32, 63, 64])
    }
}
