import Testing
import HostStats

@Suite struct CPUSetTextTests {
    @Test func parsesLists() {
        #expect(CPUSetText.parseList("0-3,8") == [0, 1, 2, 3, 8])
        #expect(CPUSetText.parseList("0-2,4-15\n") == [0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15])
        #expect(CPUSetText.parseList("5") == [5])
        #expect(CPUSetText.parseList("") == [])
        #expect(CPUSetText.parseList("\n") == [])
        #expect(CPUSetText.parseList("3-1") == nil)
        #expect(CPUSetText.parseList("a") == nil)
        #expect(CPUSetText.parseList("1,,2") == nil)
        #expect(CPUSetText.parseList("-1") == nil)
    }

    @Test func formatsLists() {
        #expect(CPUSetText.formatList([0, 1, 2, 3, 8]) == "0-3,8")
        #expect(CPUSetText.formatList([8, 3, 2, 1, 0, 8]) == "0-3,8")
        #expect(CPUSetText.formatList([11, 23]) == "11,23")
        #expect(CPUSetText.formatList([Int]()) == "")
    }

    @Test func parsesMasks() {
        #expect(CPUSetText.parseMask("0") == [])
        #expect(CPUSetText.parseMask("000000\n") == [])
        #expect(CPUSetText.parseMask("e") == [1, 2, 3])
        #expect(CPUSetText.parseMask("00000000,00000f00") == [8, 9, 10, 11])
        #expect(CPUSetText.parseMask("ff,ffffffff") == Array(0..<40))
        #expect(CPUSetText.parseMask("1,00000000") == [32])
        #expect(CPUSetText.parseMask("xyz") == nil)
        #expect(CPUSetText.parseMask("") == nil)
    }

    @Test func formatsMasks() {
        #expect(CPUSetText.formatMask([1, 2, 3]) == "e")
        #expect(CPUSetText.formatMask([0]) == "1")
        #expect(CPUSetText.formatMask([0, 40]) == "100,00000001")
        #expect(CPUSetText.formatMask([32]) == "1,00000000")
        #expect(CPUSetText.formatMask([Int]()) == "0")
        #expect(CPUSetText.parseMask(CPUSetText.formatMask([0, 5, 31, 32, 63, 64])) == [0, 5, 31, 32, 63, 64])
    }
}
