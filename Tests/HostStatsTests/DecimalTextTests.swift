import Testing
@testable import HostStats

/// The one fixed-point formatter: printf's rounding by default, the rounding asked for otherwise.
@Suite struct DecimalTextTests {
    @Test func fixedRoundsHalfAwayFromZeroUnlessTold() {
        #expect(DecimalText.fixed(0.352, decimals: 3, width: 7) == "  0.352")
        #expect(DecimalText.fixed(2.25, decimals: 1) == "2.3")
        #expect(DecimalText.fixed(-2.25, decimals: 1) == "-2.3")
        #expect(DecimalText.fixed(2.29, decimals: 1, rounding: .down) == "2.2")
        #expect(DecimalText.fixed(.infinity, decimals: 1, width: 5) == "  nan")
    }

    @Test func percentScalesOnceSoRoundingDownKeepsExactShares() {
        // 0.29 × 100 × 100 is 2899.9999999999995; 0.29 × 10000 is 2900.
        #expect(DecimalText.percent(0.29, decimals: 2, rounding: .down) == "29.00%")
        #expect(DecimalText.percent(0.99991, decimals: 2, rounding: .down) == "99.99%")
        #expect(DecimalText.percent(0.855, decimals: 0) == "86%")
        #expect(DecimalText.percent(0.000012, decimals: 4) == "0.0012%")
        #expect(DecimalText.percent(1e17, decimals: 2) == "10000000000000000000%")
        #expect(DecimalText.percent(1e18, decimals: 2) == "1e+20%")
    }
}
