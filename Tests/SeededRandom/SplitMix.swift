// Test-only: one seeded generator for every test target that makes up inputs,
// so that a failing case can be run again from its seed.

/// SplitMix64 (Steele, Lea and Flood's generator): small, fast, and the same
/// numbers for the same seed on every machine.
public struct SplitMix: RandomNumberGenerator {
    public var state: UInt64

    /// Starts at `state` as it is: the first number is that of `state` + the increment.
    public init(state: UInt64) { self.state = state }

    /// Starts one increment past `seed`, so that seed 0 does not begin at state 0.
    public init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<`bound` (with the modulo's slight bias, which no test here minds).
    public mutating func below(_ bound: UInt64) -> UInt64 { next() % bound }
}
