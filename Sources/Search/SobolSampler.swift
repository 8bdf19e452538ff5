/// Quasi-random points from the Sobol sequence (Joe & Kuo direction numbers), digitally
/// shifted by a random 32-bit mask per dimension drawn from the study's seed (a scrambling that
/// keeps the sequence's low discrepancy). The n-th suggestion is point n, where n counts the
/// trials in the history, so replaying the history replays the suggestions.
public struct SobolSampler: Sampler {
    public let seed: UInt64

    public init(seed: UInt64 = 0) { self.seed = seed }

    public func suggest<G: RandomNumberGenerator>(_ space: SearchSpace, history: [Trial], direction: Direction, using generator: inout G) -> Configuration? {
        let d = space.parameters.count
        guard d <= Self.maximumDimensions else {
            return RandomSampler().suggest(space, history: history, direction: direction, using: &generator)
        }
        var shift = SplitMix64(seed: seed ^ 0x50B0_1C0D)
        let point = Self.point(history.count, dimensions: d).map { x in
            Double(x ^ UInt32(truncatingIfNeeded: shift.next() >> 32)) / 4_294_967_296.0 + 0.5 / 4_294_967_296.0
        }
        return space.configuration(at: point)
    }

    public static let maximumDimensions = sobolDirections.count + 1

    /// The unscrambled point `index` as 32-bit fractions, by its Gray code.
    public static func point(_ index: Int, dimensions: Int) -> [UInt32] {
        let gray = UInt32(truncatingIfNeeded: index ^ (index >> 1))
        return (0..<dimensions).map { j in
            var x: UInt32 = 0
            for bit in 0..<32 where gray & (1 << bit) != 0 { x ^= table[j][bit] }
            return x
        }
    }

    /// Direction numbers V₁…V₃₂ of every dimension.
    static let table: [[UInt32]] = {
        var table = [(0..<32).map { UInt32(1) << (31 - $0) }]
        for (polynomial, initial) in sobolDirections {
            let s = polynomial.bitWidth - polynomial.leadingZeroBitCount - 1
            let a = (polynomial >> 1) & ((1 << (s - 1)) - 1)
            var m = initial
            for k in s..<32 {
                var next = m[k - s] ^ (m[k - s] << s)
                for i in 1..<s where (a >> (s - 1 - i)) & 1 == 1 { next ^= m[k - i] << i }
                m.append(next)
            }
            table.append((0..<32).map { m[$0] << (31 - $0) })
        }
        return table
    }()
}

/// SplitMix64 (Steele et al. 2014): a tiny seeded generator, for draws that must not depend on
/// the caller's generator (the study-wide Sobol shift).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
