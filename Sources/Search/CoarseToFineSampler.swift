/// Coarse-to-fine search (hyperopt's `anneal` rule): pick one of the best trials so far
/// (rank drawn with mean `averageBestIndex`), then draw each parameter near its value with a
/// window that shrinks as trials accumulate, `1 / (1 + n · shrink)` of the range; a share
/// `exploration` of suggestions stays global. Categorical values are kept with probability
/// 1 − window, else redrawn.
public struct CoarseToFineSampler: Sampler {
    public let startup: Int
    public let shrink: Double
    public let averageBestIndex: Double
    public let exploration: Double

    public init(startup: Int = 10, shrink: Double = 0.1, averageBestIndex: Double = 2, exploration: Double = 0.1) {
        self.startup = startup
        self.shrink = shrink
        self.averageBestIndex = averageBestIndex
        self.exploration = exploration
    }

    public func suggest<G: RandomNumberGenerator>(_ space: SearchSpace, history: [Trial], direction: Direction, using generator: inout G) -> Configuration? {
        // Losses and positions, not trials, are sorted: copying 1,000 trials was most of a suggestion.
        let finished = history.indices.compactMap { i -> (loss: Double, index: Int)? in
            guard history[i].state == .completed, history[i].feasible, let value = history[i].value, value.isFinite else { return nil }
            return (direction.loss(value), i)
        }.sorted { $0.loss < $1.loss }
        guard finished.count >= startup, generator.unit() >= exploration else {
            return RandomSampler().suggest(space, history: history, direction: direction, using: &generator)
        }
        // Geometric rank with mean averageBestIndex.
        let p = 1 / (averageBestIndex + 1)
        var rank = 0
        while rank < finished.count - 1 && generator.unit() > p { rank += 1 }
        let center = space.point(of: history[finished[rank].index].configuration)
        let window = 1 / (1 + Double(finished.count) * shrink)
        let point = zip(space.parameters, center).map { parameter, c -> Double in
            if parameter.domain.isNumeric {
                var u = c + window * (generator.unit() - 0.5) * 2
                if u < 0 { u = -u }
                if u > 1 { u = 2 - u }
                return Swift.min(Swift.max(u, 0), 1)
            }
            return generator.unit() < window ? generator.unit() : c
        }
        return space.configuration(at: point)
    }
}
