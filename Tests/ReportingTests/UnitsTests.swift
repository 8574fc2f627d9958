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

    @Test func countsAreReadExactlyUpTo64Bits() {
        // Through a Double these would have read 9007199254740992 and been refused.
        #expect(Units.parseCount("9007199254740993") == 9_007_199_254_740_993)
        #expect(Units.parseCount("18446744073709551615") == UInt64.max)
        #expect(Units.parseCount("18446744073709551616") == nil)
        #expect(Units.parseCount("18446744073.709551615G") == UInt64.max)
        #expect(Units.parseCount("18446744073.709551616G") == nil)
        #expect(Units.parseCount("1.50k") == 1_500)
        #expect(Units.parseCount("0.000000001G") == 1)
        #expect(Units.parseCount("0.0000000001G") == nil)
        #expect(Units.parseCount("00000000000000000000000000012") == 12)
        #expect(Units.parseCount("99999999999999999999999G") == nil)
        for bad in ["", "k", "-1", "1e3", "1..5", " 1", "0x10"] {
            #expect(Units.parseCount(bad) == nil, "\(bad)")
        }
    }

    @Test func secondsBecomeNanosecondsWithoutATrap() {
        #expect(Units.nanoseconds(1) == 1_000_000_000)
        #expect(Units.nanoseconds(0.001) == 1_000_000)
        #expect(Units.nanoseconds(0.0000000001) == 0)
        #expect(Units.nanoseconds(-1) == 0)
        #expect(Units.nanoseconds(.nan) == 0)
        #expect(Units.nanoseconds(1e30) == .max)
        #expect(Units.nanoseconds(.infinity) == .max)
        #expect(Units.saturating(18_446_744_073_709_549_568) == 18_446_744_073_709_549_568)
        #expect(Units.saturating(18_446_744_073_709_551_616) == .max)
        #expect(Units.deadline(10, plusSeconds: 1) == 1_000_000_010)
        // A far deadline stays far: it does not wrap round into the past.
        #expect(Units.deadline(.max - 5, plusSeconds: 1) == .max)
    }

    @Test func plainNumbersForCommandLines() {
        #expect(Units.plain(3) == "3")
        #expect(Units.plain(0.5) == "0.5")
        #expect(Units.plain(0.001) == "0.001")
        #expect(Units.plain(600) == "600")
        #expect(Units.plain(2.5) == "2.5")
        #expect(Units.plain(1_000_000) == "1000000")
        #expect(Units.plain(1e19) == "10000000000000000000")
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
        // Beyond 64 bits: a spelling, not a trap (Int64(value) trapped here).
        #expect(Units.fixed(1e23, decimals: 3) == "1e+23")
        #expect(Units.fixed(-1e23, decimals: 0) == "-1e+23")
        #expect(Units.shortRate(1e32) == "1e+26M")
    }

    @Test func shortRates() {
        #expect(Units.shortRate(123_800) == "123.8k")
        #expect(Units.shortRate(1_500_000) == "1.50M")
        #expect(Units.shortRate(950) == "950")
    }
}
