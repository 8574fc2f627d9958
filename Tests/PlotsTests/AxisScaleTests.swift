import Testing
@testable import Plots

/// Nice ticks (1, 2 or 5 × 10^n) and their labels, exactly.
@Suite struct AxisScaleTests {
    @Test func ratesUpToAMillionAndAQuarter() {
        let scale = AxisScale.covering(0, 1_234_567)
        #expect(scale.ticks == [0, 500_000, 1_000_000, 1_500_000])
        #expect(scale.ticks.map { scale.label($0, unit: .si(suffix: "/s")) } == ["0/s", "0.5M/s", "1.0M/s", "1.5M/s"])
    }

    @Test func smallStepsKeepTheirDecimals() {
        let scale = AxisScale.covering(0, 0.93)
        #expect(scale.ticks == [0, 0.2, 0.4, 0.6, 0.8, 1.0])
        #expect(scale.ticks.map { scale.label($0, unit: .percent) } == ["0%", "20%", "40%", "60%", "80%", "100%"])
        let fine = AxisScale.covering(0, 0.07)
        #expect(fine.step == 0.02)
        #expect(fine.ticks.map { fine.label($0, unit: .plain(suffix: " s")) } == ["0.00 s", "0.02 s", "0.04 s", "0.06 s", "0.08 s"])
    }

    @Test func kiloAndGigaPrefixes() {
        let kilo = AxisScale.covering(0, 12_000)
        #expect(kilo.ticks == [0, 5000, 10000, 15000])
        #expect(kilo.ticks.map { kilo.label($0, unit: .si(suffix: "")) } == ["0", "5k", "10k", "15k"])
        let giga = AxisScale.covering(0, 3.1e9)
        #expect(giga.ticks.map { giga.label($0, unit: .si(suffix: "/s")) } == ["0/s", "1G/s", "2G/s", "3G/s", "4G/s"])
        let twos = AxisScale.covering(0, 9)
        #expect(twos.ticks == [0, 2, 4, 6, 8, 10])
    }

    @Test func theRangeAlwaysHoldsZeroAndNeverCollapses() {
        #expect(AxisScale.covering(0, 0).ticks == [0, 0.2, 0.4, 0.6, 0.8, 1.0])
        #expect(AxisScale.covering(5, 5).ticks.first == 0)
        let negative = AxisScale.covering(-3, -1)
        #expect(negative.ticks == [-3, -2, -1, 0])
    }

    @Test func hostileValuesGiveAFiniteScale() {
        for (low, high) in [(0.0, Double.infinity), (-Double.infinity, 0), (Double.nan, 1), (0, 1.7e308), (-1.7e308, 1.7e308)] {
            let scale = AxisScale.covering(low, high)
            #expect(scale.top.isFinite && scale.bottom.isFinite, "\(low) \(high)")
            #expect(scale.ticks.count >= 2 && scale.ticks.count <= 12, "\(low) \(high): \(scale.ticks.count) ticks")
        }
    }

    @Test func positionsAreClampedToThePlot() {
        let scale = AxisScale.covering(0, 100)
        #expect(scale.position(of: 50, from: 200, to: 0) == 100)
        #expect(scale.position(of: -5, from: 200, to: 0) == 200)
        #expect(scale.position(of: 1e300, from: 200, to: 0) == 0)
        #expect(scale.position(of: .nan, from: 200, to: 0) == 200)
    }

    @Test func shortValuesForLegends() {
        #expect(AxisScale.short(1_234_567, suffix: "/s") == "1.23M/s")
        #expect(AxisScale.short(950) == "950")
        #expect(AxisScale.short(12_345) == "12.3k")
        #expect(AxisScale.short(20_100_000) == "20.1M")
    }
}
