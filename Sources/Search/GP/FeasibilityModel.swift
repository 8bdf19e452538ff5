import Foundation

/// The probability that a point keeps every constraint (Gardner et al. 2014, Gelbart et al.
/// 2014): one independent GP per constraint on its violation (≤ 0 within the bound), and
/// P(feasible) = Πₖ Φ((tₖ − μₖ)/σₖ), tₖ the bound 0 on the model's standardized scale. The
/// constrained acquisition is log EI (over the best feasible trial) plus log P(feasible); with no
/// feasible trial yet, log P(feasible) alone, which leads the search into the feasible region first.
struct FeasibilityModel {
    let models: [(gp: GaussianProcess, threshold: Double)]

    /// log P(feasible) at `point`.
    func logProbability(_ point: [Double]) -> Double {
        var total = 0.0
        for (gp, threshold) in models {
            let (mean, variance) = gp.predict(point)
            total += logCDF((threshold - mean) / variance.squareRoot())
        }
        return total
    }

    /// log P(feasible) and its gradient in the point's continuous coordinates.
    func logProbabilityWithGradient(_ point: [Double]) -> (Double, [Double]) {
        var total = 0.0, gradient = [Double](repeating: 0, count: point.count)
        for (gp, threshold) in models {
            let p = gp.predictWithGradient(point)
            let sigma = p.variance.squareRoot(), z = (threshold - p.mean) / sigma
            let value = logCDF(z)
            // d log Φ(z) = (φ(z)/Φ(z))·dz, dz = −dμ/σ − z·dv/(2v).
            let ratio = exp(-0.5 * z * z - 0.5 * log(2 * Double.pi) - value)
            total += value
            for j in gradient.indices { gradient[j] += ratio * (-p.dMean[j] / sigma - z * p.dVariance[j] / (2 * p.variance)) }
        }
        return (total, gradient)
    }
}

extension GPSampler {
    /// The feasibility model of the finished trials' violations (nil without constraints, or when
    /// a fit fails). A violation never reported (NaN: the trial failed or left the metric out) is
    /// imputed as half the observed range beyond the worst, as failed objectives are. `x`: the
    /// trials' unit-cube points. At most `maximumPoints` observations, the most recent.
    func feasibility(_ finished: [Trial], _ x: [[Double]], _ space: SearchSpace, _ categorical: [Bool]) -> FeasibilityModel? {
        let count = finished.map(\.violations.count).max() ?? 0
        guard count > 0 else { return nil }
        let recent = Swift.max(0, finished.count - maximumPoints)
        var models: [(GaussianProcess, Double)] = []
        for k in 0..<count {
            let raw = finished.map { k < $0.violations.count ? $0.violations[k] : .nan }
            let hyper = constraintHyperparameters(finished, x, raw, k, categorical, dimensions: space.parameters.count)
            let (y, threshold) = Self.standardized(Array(raw[recent...]))
            guard let gp = GaussianProcess(x: Array(x[recent...]), y: y, categorical: categorical, hyper: hyper) else { return nil }
            models.append((gp, threshold))
        }
        return FeasibilityModel(models: models)
    }

    /// Violations imputed (NaN as worse than the worst) and standardized, with the bound 0 on
    /// the same scale.
    static func standardized(_ raw: [Double]) -> (values: [Double], threshold: Double) {
        let y = imputed(raw)
        let mean = y.reduce(0, +) / Double(y.count)
        let std = Swift.max((y.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(y.count)).squareRoot(), 1e-10)
        return (y.map { ($0 - mean) / std }, -mean / std)
    }

    /// Constraint `k`'s hyperparameters, fitted at the same checkpoints as the objective's (from
    /// the first trials at the checkpoint, cached by them) so a suggestion's cost stays bounded.
    private func constraintHyperparameters(_ finished: [Trial], _ x: [[Double]], _ raw: [Double], _ k: Int, _ categorical: [Bool],
                                           dimensions d: Int) -> Hyperparameters {
        let n = Self.checkpoint(finished.count)
        var hasher = Hasher()
        hasher.combine(k)
        for t in finished.prefix(n) { hasher.combine(t.number); hasher.combine(t.configuration); hasher.combine(t.violations); hasher.combine(t.state) }
        let key = hasher.finalize()
        if let cached = constraintFits.withLock({ $0[key] }) { return cached }
        let first = Swift.max(0, n - 150)
        let fitted = GaussianProcess.fit(x: Array(x[first..<n]), y: Self.standardized(Array(raw[first..<n])).values, categorical: categorical,
                                         start: .initial(dimensions: d))
        constraintFits.withLock { cache in
            if cache.count > 256 { cache.removeAll() }
            cache[key] = fitted
        }
        return fitted
    }
}
