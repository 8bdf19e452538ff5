import Foundation

/// Chooses the next configuration for a study of several objectives. Pure, like `Sampler`:
/// everything comes from `history`, whose trials carry every objective in `values`.
public protocol ParetoSampler: Sendable {
    func suggest<G: RandomNumberGenerator>(_ space: SearchSpace, history: [Trial], directions: [Direction], using generator: inout G) -> Configuration?
}

/// A one-objective sampler on a fresh random scalarization per suggestion (ParEGO, Knowles
/// 2006): weights drawn uniformly from the simplex, each objective scaled to [0, 1] by the
/// range the finished trials span, and the augmented Chebyshev distance
/// max_i w_i·f_i + 0.05·Σ w_i·f_i as the loss the inner sampler minimizes. The Chebyshev maximum
/// reaches every part of the front, concave ones too, which a weighted sum cannot; the small sum
/// breaks its ties toward points no worse anywhere. Each suggestion aims at one part of the
/// front, and the draws spread them along it. Costs the inner sampler's price per suggestion
/// (a GP refits its hyperparameters every time, since the losses change with the weights).
public struct Scalarized: ParetoSampler {
    public let inner: any Sampler
    /// The weight of the sum beside the maximum.
    public static let augmentation = 0.05

    public init(_ inner: any Sampler) { self.inner = inner }

    public func suggest<G: RandomNumberGenerator>(_ space: SearchSpace, history: [Trial], directions: [Direction], using generator: inout G) -> Configuration? {
        let draws = directions.map { _ in -log(Swift.max(generator.unit(), .leastNormalMagnitude)) }
        let total = draws.reduce(0, +), weights = draws.map { $0 / total }
        let losses = history.map { $0.scored.map { Pareto.losses($0, directions) } }
        let scored = losses.compactMap { $0 }
        let low = directions.indices.map { k in scored.map { $0[k] }.min() ?? 0 }
        let high = directions.indices.map { k in scored.map { $0[k] }.max() ?? 1 }
        let scalar = history.indices.map { i -> Trial in
            var t = history[i]
            t.stepValues = [:]
            t.values = []
            if let loss = losses[i] {
                let scaled = directions.indices.map { k in (loss[k] - low[k]) / Swift.max(high[k] - low[k], 1e-12) }
                let terms = zip(weights, scaled).map { $0 * $1 }
                t.value = terms.max()! + Self.augmentation * terms.reduce(0, +)
            } else if t.state.isFinished {
                // Finished without every objective: no place on the front, like a failure.
                t.value = nil
                if t.state == .completed || t.state == .pruned { t.state = .failed }
            }
            return t
        }
        return inner.suggest(space, history: scalar, direction: .minimize, using: &generator)
    }
}
