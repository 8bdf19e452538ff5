/// Independent uniform draws on each parameter's scale (log where asked).
public struct RandomSampler: Sampler {
    public init() {}

    public func suggest<G: RandomNumberGenerator>(_ space: SearchSpace, history: [Trial], direction: Direction, using generator: inout G) -> Configuration? {
        space.configuration(at: space.parameters.map { _ in generator.unit() })
    }
}

/// Every combination: choices × `points` values per numeric parameter (or every value of a
/// small discrete one), in a fixed order; nil once every combination was suggested.
public struct GridSampler: Sampler {
    public let points: Int

    public init(points: Int = 5) { self.points = Swift.max(points, 1) }

    /// The values tried for one domain.
    func levels(_ domain: Domain) -> [Double] {
        if let n = domain.cardinality, n <= points || !domain.isNumeric {
            return (0..<n).map { (Double($0) + 0.5) / Double(n) }
        }
        return points == 1 ? [0.5] : (0..<points).map { Double($0) / Double(points - 1) }
    }

    public func suggest<G: RandomNumberGenerator>(_ space: SearchSpace, history: [Trial], direction: Direction, using generator: inout G) -> Configuration? {
        let tried = Set(history.map(\.configuration))
        var seen = Set<Configuration>()
        // Enumerate in odometer order; conditional parameters collapse when inactive.
        let axes = space.parameters.map { levels($0.domain) }
        var index = [Int](repeating: 0, count: axes.count)
        while true {
            let configuration = space.configuration(at: zip(axes, index).map { $0[$1] })
            if seen.insert(configuration).inserted && !tried.contains(configuration) { return configuration }
            var axis = axes.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < axes[axis].count { break }
                index[axis] = 0
                axis -= 1
            }
            if axis < 0 { return nil }
        }
    }
}
