/// Chooses the next configuration to try. Samplers are pure: everything they know comes from
/// `history` (finished and running trials), so a restarted coordinator that replays the stored
/// history gets the same suggestions, and nothing else needs checkpointing.
public protocol Sampler: Sendable {
    /// The next configuration, or nil when the sampler has nothing left (an exhausted grid).
    func suggest<G: RandomNumberGenerator>(_ space: SearchSpace, history: [Trial], direction: Direction, using generator: inout G) -> Configuration?
}

extension RandomNumberGenerator {
    /// A Double in [0, 1) from the top 53 bits of one draw.
    mutating func unit() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    /// A standard normal draw (Box–Muller).
    mutating func gaussian() -> Double {
        let u1 = Swift.max(unit(), .leastNormalMagnitude), u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}

import Foundation
