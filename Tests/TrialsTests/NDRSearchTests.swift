import Testing
@testable import Trials
import Reporting

/// The search of `mpps ndr`, driven by a fake trial with a known loss curve.
@Suite struct NDRSearchTests {
    struct Step: Equatable, CustomStringConvertible {
        let rate: Double
        let phase: NDRSearch.Phase
        init(_ rate: Double, _ phase: NDRSearch.Phase = .search) {
            self.rate = rate
            self.phase = phase
        }
        var description: String { "\(phase.rawValue) \(rate)" }
    }

    /// Runs the search to its end; `passes(rate, n)` is the verdict of the n-th trial (from 1).
    func drive(_ search: inout NDRSearch, _ passes: (Double, Int) -> Bool) -> [Step] {
        var steps: [Step] = []
        while let next = search.next() {
            steps.append(Step(next.rate, next.phase))
            search.record(next.rate, passed: passes(next.rate, steps.count))
            precondition(steps.count < 100, "the search must end")
        }
        return steps
    }

    @Test func bisectsDownToTheKneeThenConfirms() {
        var search = NDRSearch(minimum: 10_000, maximum: 1_000_000, steps: 8)
        let steps = drive(&search) { rate, _ in rate <= 370_000 }
        #expect(steps == [Step(1_000_000), Step(505_000), Step(258_000), Step(382_000), Step(320_000),
                          Step(351_000), Step(367_000), Step(375_000), Step(367_000, .confirm)])
        #expect(search.result == NDRSearch.Result(rate: 367_000, confirmed: true))
        #expect(search.next() == nil)
    }

    @Test func theMaximumPassingNeedsOnlyItsConfirmation() {
        var search = NDRSearch(minimum: 10_000, maximum: 400_000, steps: 4)
        let steps = drive(&search) { _, _ in true }
        #expect(steps == [Step(400_000), Step(400_000, .confirm)])
        #expect(search.result == NDRSearch.Result(rate: 400_000, confirmed: true))
    }

    @Test func evenTheMinimumLosing() {
        var search = NDRSearch(minimum: 10_000, maximum: 1_000_000, steps: 4)
        let steps = drive(&search) { rate, _ in rate <= 5_000 }
        #expect(steps == [Step(1_000_000), Step(505_000), Step(258_000), Step(134_000), Step(10_000, .minimum)])
        #expect(search.result == NDRSearch.Result(rate: 0, confirmed: false))
    }

    @Test func theMinimumIsTriedWhenNothingElsePassed() {
        var search = NDRSearch(minimum: 10_000, maximum: 1_000_000, steps: 2)
        let steps = drive(&search) { rate, _ in rate <= 50_000 }
        #expect(steps == [Step(1_000_000), Step(505_000), Step(10_000, .minimum), Step(10_000, .confirm)])
        #expect(search.result == NDRSearch.Result(rate: 10_000, confirmed: true))
    }

    @Test func aFailedConfirmationFallsBackToTheNextBestRate() {
        var search = NDRSearch(minimum: 10_000, maximum: 1_000_000, steps: 8)
        // 367k passes during the search but loses on its confirming trial (the 9th).
        let steps = drive(&search) { rate, trial in rate <= 370_000 && trial != 9 }
        #expect(steps.suffix(2) == [Step(367_000, .confirm), Step(351_000, .confirm)])
        #expect(search.result == NDRSearch.Result(rate: 351_000, confirmed: true))
    }

    @Test func aFailedConfirmationResumesTheSearchWhileStepsRemain() {
        var search = NDRSearch(minimum: 10_000, maximum: 400_000, steps: 4)
        // 400k passes at once but loses on its confirmation: the search goes on below it.
        let steps = drive(&search) { rate, trial in trial == 1 || (trial != 2 && rate <= 300_000) }
        #expect(steps == [Step(400_000), Step(400_000, .confirm), Step(205_000), Step(303_000), Step(254_000),
                          Step(254_000, .confirm)])
        #expect(search.result == NDRSearch.Result(rate: 254_000, confirmed: true))
    }

    @Test func threeFailedConfirmationsMeanNoRateHeld() {
        var search = NDRSearch(minimum: 10_000, maximum: 1_000_000, steps: 8)
        let steps = drive(&search) { rate, trial in rate <= 370_000 && trial <= 8 }
        #expect(steps.filter { $0.phase == .confirm }.count == NDRSearch.maximumConfirmations)
        #expect(search.result == NDRSearch.Result(rate: 0, confirmed: false))
    }

    @Test func aNarrowRangeEndsTheSearchEarly() {
        // The midpoint of 100k and 101k rounds onto 101k: no further search trial can tell them apart.
        var search = NDRSearch(minimum: 100_000, maximum: 101_000, steps: 8)
        let steps = drive(&search) { rate, _ in rate <= 100_500 }
        #expect(steps == [Step(101_000), Step(100_000, .minimum), Step(100_000, .confirm)])
        #expect(search.result == NDRSearch.Result(rate: 100_000, confirmed: true))
    }

    @Test func minimumEqualToMaximum() {
        var failing = NDRSearch(minimum: 50_000, maximum: 50_000, steps: 8)
        #expect(drive(&failing) { _, _ in false } == [Step(50_000)])
        #expect(failing.result == NDRSearch.Result(rate: 0, confirmed: false))
        var passing = NDRSearch(minimum: 50_000, maximum: 50_000, steps: 8)
        #expect(drive(&passing) { _, _ in true } == [Step(50_000), Step(50_000, .confirm)])
    }

    @Test func nextRepeatsItselfUntilRecorded() {
        var search = NDRSearch(minimum: 10_000, maximum: 1_000_000, steps: 8)
        #expect(search.next()?.rate == 1_000_000)
        #expect(search.next()?.rate == 1_000_000)
    }

    @Test(arguments: [(257_500.0, 258_000.0), (1_234, 1_230), (99.6, 100), (381_500, 382_000), (1_000_000, 1_000_000),
                      (12_345_678, 12_300_000), (505_000, 505_000)])
    func roundsToThreeSignificantFigures(_ pair: (Double, Double)) {
        #expect(NDRSearch.round(pair.0) == pair.1)
    }
}
