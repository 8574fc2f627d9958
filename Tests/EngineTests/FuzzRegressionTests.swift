import Testing
@testable import Engine
import Reporting

/// Traps found while writing the fuzz targets (Fuzz/Targets), kept as tests (both fixed by
/// the bounds on --rate and the saturating conversions in Pacer).
/// Fuzz/README.md says how a crash becomes one of these.
@Suite struct FuzzRegressionTests {
    /// `--rate` accepts any positive finite number (Arguments.rate, Units.parseRate): 301
    /// digits read as 1e300, and Pacer.init traps converting `rate * window` to Int.
    /// Found reading the code behind the Arguments target, which parses `--rate` without
    /// trapping; `mpps send --rate 1000…0` (300 zeros) stops with SIGILL.
    @Test
    func aHugeRateIsRefusedOrPaced() {
        // What Arguments.rate accepts: Units.parseRate's value when above 0.
        guard let rate = Units.parseRate("1" + String(repeating: "0", count: 300)), rate > 0 else { return }  // refused: fine
        let pacer = Pacer(rate: rate, maximumBurst: 64, start: 0)
        #expect(pacer.burst == 64)
    }

    /// As above for a tiny rate: 0.000…1 (300 zeros) is above 0, and Pacer.dueTime traps
    /// converting 1e9 / rate (infinite) to UInt64 once a datagram has been sent.
    @Test
    func aTinyRateIsRefusedOrPaced() {
        guard let rate = Units.parseRate("0." + String(repeating: "0", count: 299) + "1"), rate > 0 else { return }  // refused: fine
        let pacer = Pacer(rate: rate, maximumBurst: 64, start: 0)
        #expect(pacer.dueTime(of: 1) == .max)
    }
}
