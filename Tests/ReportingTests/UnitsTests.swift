import Testing
@testable import Reporting

@Suite struct UnitsTests {
    @Test func sizesUseBinarySuffixes() {
        #expect(Units.parseSize("212992") == 212_992)
        #expect(Units.parseSize("256K") == 262_144)
        #expect(Units.parseSize("4M") == 4_194_304)
        #expect(Units.parseSize("4m") == 4_194_304)
        #expect(Units.parseSize("1G") == 1_073_741_824)
        for bad in ["", "M", "4.5M", "-1", "4X", "0x10", " 4M"] {
            #expect(Units.parseSize(bad) == nil, "\(bad)")
        }
    }

    @Test func ratesUseDecimalSuffixes() {
        #expect(Units.parseRate("100000") == 100_000)
        #expect(Units.parseRate("500k") == 500_000)
        #expect(Units.parseRate("1.5M") == 1_500_000)
        #expect(Units.parseRate("2G") == 2_000_000_000)
        for bad in ["", "k", "1e6", "-5", "inf", "nan", "1..5", "1.5.0k"] {
            #expect(Units.parseRate(bad) == nil, "\(bad)")
        }
    }

    @Test func countsAreWholeNumbers() {
        #expect(Units.parseCount("200000") == 200_000)
        #expect(Units.parseCount("200k") == 200_000)
        #expect(Units.parseCount("1.5k") == 1_500)
        #expect(Units.parseCount("1.5") == nil)
    }

    @Test func secondsAcceptAnOptionalSuffix() {
        #expect(Units.parseSeconds("6") == 6)
        #expect(Units.parseSeconds("0.5") == 0.5)
        #expect(Units.parseSeconds("2s") == 2)
        #expect(Units.parseSeconds("-1") == nil)
        #expect(Units.parseSeconds("1m") == nil)
    }

    @Test func fixedFormatsLikePrintf() {
        #expect(Units.fixed(0.352, decimals: 3, width: 7) == "  0.352")
        #expect(Units.fixed(156.019, decimals: 3, width: 7) == "156.019")
        #expect(Units.fixed(1234.5678, decimals: 3, width: 7) == "1234.568")
        #expect(Units.fixed(0.0005, decimals: 3) == "0.001")
        #expect(Units.fixed(0, decimals: 1) == "0.0")
        #expect(Units.fixed(2, decimals: 0) == "2")
        #expect(Units.fixed(-1.25, decimals: 1) == "-1.3")
        #expect(Units.fixed(99.9996, decimals: 3) == "100.000")
    }

    @Test func shortRates() {
        #expect(Units.shortRate(123_800) == "123.8k")
        #expect(Units.shortRate(1_500_000) == "1.50M")
        #expect(Units.shortRate(950) == "950")
    }
}
