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
    /// a fit fails), with the checkpoint's hyperparameters. A violation never reported (NaN: the
    /// trial failed or left the metric out) is imputed as half the observed range beyond the
    /// worst, as failed objectives are. `x`: the trials' unit-cube points. At most
    /// `maximumPoints` observations, the most recent.
    func feasibility(_ finished: [Trial], _ x: [[Double]], _ categorical: [Bool], _ fitted: [Hyperparameters]) -> FeasibilityModel? {
        let count = finished.map(\.violations.count).max() ?? 0
        guard count > 0 else { return nil }
        let recent = Swift.max(0, finished.count - maximumPoints)
        var models: [(GaussianProcess, Double)] = []
        for k in 0..<count {
            let raw = finished[recent...].map { k < $0.violations.count ? $0.violations[k] : .nan }
            // A constraint the checkpoint's trials never reported (a warm start without it) starts unfitted.
            let hyper = k < fitted.count ? fitted[k] : .initial(dimensions: categorical.count)
            let (y, threshold) = Self.standardized(raw)
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
}
