import Foundation

/// Hyperparameters of the Matérn-5/2 kernel, on a log scale (what the fit moves).
struct Hyperparameters: Equatable {
    /// log lengthscale per input dimension.
    var logLengthscales: [Double]
    /// log signal variance.
    var logSignal: Double
    /// log noise variance.
    var logNoise: Double

    /// The fit's first start, and the model before any fit: a smooth one, lengthscales
    /// e^√2·√d (long, growing with the dimension: distances between random points do), noise
    /// low (the fit raises it when the data are noisy; starting high, it stayed there on smooth
    /// objectives). The fit also starts from uniform lengthscales 0.1…3 and keeps the best.
    static func initial(dimensions d: Int) -> Hyperparameters {
        Hyperparameters(logLengthscales: Array(repeating: smoothLogLengthscale(d), count: d), logSignal: 0, logNoise: log(1e-6))
    }

    /// log(e^√2·√d).
    static func smoothLogLengthscale(_ d: Int) -> Double { 2.0.squareRoot() + 0.5 * log(Double(Swift.max(d, 1))) }

    var vector: [Double] { logLengthscales + [logSignal, logNoise] }

    /// The noise variance's floor (standardized outputs): low enough to interpolate a smooth
    /// deterministic objective to many digits, high enough to keep the Cholesky factor stable.
    static let minimumLogNoise = log(1e-10)

    init(logLengthscales: [Double], logSignal: Double, logNoise: Double) {
        self.logLengthscales = logLengthscales
        self.logSignal = logSignal
        self.logNoise = logNoise
    }

    init(vector v: [Double]) {
        logLengthscales = Array(v.dropLast(2))
        logSignal = v[v.count - 2]
        logNoise = Swift.max(v[v.count - 1], Self.minimumLogNoise)
    }
}

/// Log-priors on the hyperparameters (inputs on the unit cube, outputs standardized): signal
/// variance LogNormal(0, 1), noise LogNormal(log 1e-4, 2) with a floor of 1e-10, and on the
/// lengthscales one of two.
enum Prior: Hashable, Sendable {
    /// On each inverse squared lengthscale λ = 1/ℓ², −(0.1/λ + 0.1·λ) (Optuna's GPSampler's):
    /// mode ℓ = 1, growing as ℓ² for long lengthscales, so a fit does not call a dimension
    /// irrelevant on little evidence (and stop exploring along it). The one-objective GP's.
    case unitLengthscale
    /// LogNormal(√2 + ½·log d, √3) on ℓ (Hvarfner et al. 2024, BoTorch's default): mode ℓ ≈ 10 in
    /// 6-D, smooth models. ParEGO's, whose fit on equal weights serves every weight draw until
    /// the next checkpoint (measured: ZDT3 at 200 trials 128.5 with it, 125.5 with the other).
    case dimensionScaled

    /// Log density (up to a constant) and its gradient in the log parameters.
    func logDensity(_ h: Hyperparameters) -> (Double, [Double]) {
        let d = h.logLengthscales.count
        var value = 0.0
        var gradient = [Double](repeating: 0, count: d + 2)
        let mu = Hyperparameters.smoothLogLengthscale(d), s2 = 3.0
        for (i, l) in h.logLengthscales.enumerated() {
            switch self {
            case .unitLengthscale:
                let lambda = exp(-2 * l)
                value -= 0.1 / lambda + 0.1 * lambda
                gradient[i] = -0.2 / lambda + 0.2 * lambda
            case .dimensionScaled:
                value -= (l - mu) * (l - mu) / (2 * s2)
                gradient[i] = -(l - mu) / s2
            }
        }
        value -= h.logSignal * h.logSignal / 2
        gradient[d] = -h.logSignal
        let noiseMean = log(1e-4)
        value -= (h.logNoise - noiseMean) * (h.logNoise - noiseMean) / 8
        gradient[d + 1] = -(h.logNoise - noiseMean) / 4
        return (value, gradient)
    }
}

/// An exact Gaussian process with a Matérn-5/2 ARD kernel on the unit cube; categorical
/// dimensions use the Hamming distance (same value or not) with their own lengthscale.
struct GaussianProcess {
    let x: [[Double]]
    let y: [Double]
    let categorical: [Bool]
    let hyper: Hyperparameters
    let factor: Cholesky
    /// K⁻¹·y
    let alpha: [Double]

    init?(x: [[Double]], y: [Double], categorical: [Bool], hyper: Hyperparameters) {
        self.x = x
        self.y = y
        self.categorical = categorical
        self.hyper = hyper
        let n = x.count
        var k = [Double](repeating: 0, count: n * n)
        let inverse = hyper.logLengthscales.map { exp(-2 * $0) }
        let signal = exp(hyper.logSignal), noise = exp(hyper.logNoise)
        for i in 0..<n {
            for j in 0...i {
                let v = Self.kernel(x[i], x[j], inverse, categorical, signal)
                k[i * n + j] = v
                k[j * n + i] = v
            }
            k[i * n + i] += noise
        }
        guard let factor = Cholesky(k, n: n, jitter: 0) else { return nil }
        self.factor = factor
        alpha = factor.solve(y)
    }

    /// r² = Σ (Δᵢ/ℓᵢ)², Δ the difference (or 0/1 for categorical dimensions).
    @inline(__always)
    static func squaredDistance(_ a: [Double], _ b: [Double], _ inverseSquared: [Double], _ categorical: [Bool]) -> Double {
        var r2 = 0.0
        for i in a.indices {
            let d = categorical[i] ? (Swift.abs(a[i] - b[i]) > 1e-9 ? 1 : 0) : a[i] - b[i]
            r2 += d * d * inverseSquared[i]
        }
        return r2
    }

    @inline(__always)
    static func matern(_ r2: Double, _ signal: Double) -> Double {
        let r = (5 * r2).squareRoot()
        return signal * (1 + r + r * r / 3) * exp(-r)
    }

    static func kernel(_ a: [Double], _ b: [Double], _ inverseSquared: [Double], _ categorical: [Bool], _ signal: Double) -> Double {
        matern(squaredDistance(a, b, inverseSquared, categorical), signal)
    }

    /// Posterior mean and variance at `point`.
    func predict(_ point: [Double]) -> (mean: Double, variance: Double) {
        let (mean, explained) = posterior(kernels(point, x))
        return (mean, Swift.max(signal - explained, 1e-12))
    }

    /// Log marginal likelihood plus log prior, and its gradient in the log hyperparameters.
    static func objective(x: [[Double]], y: [Double], categorical: [Bool], hyper: Hyperparameters,
                          prior: Prior = .unitLengthscale) -> (Double, [Double])? {
        guard let gp = GaussianProcess(x: x, y: y, categorical: categorical, hyper: hyper) else { return nil }
        let n = x.count, d = hyper.logLengthscales.count
        var value = -0.5 * zip(y, gp.alpha).map(*).reduce(0, +) - 0.5 * gp.factor.logDeterminant
        // W = ααᵀ − K⁻¹; ∂L/∂θ = ½ Σ W ⊙ ∂K/∂θ.
        let kInverse = gp.factor.inverse()
        let inverse = hyper.logLengthscales.map { exp(-2 * $0) }
        let signal = exp(hyper.logSignal), noise = exp(hyper.logNoise)
        var gradient = [Double](repeating: 0, count: d + 2)
        for i in 0..<n {
            for j in 0...i {
                let w = (gp.alpha[i] * gp.alpha[j] - kInverse[i * n + j]) * (i == j ? 0.5 : 1)
                let r2 = squaredDistance(x[i], x[j], inverse, categorical)
                let r = (5 * r2).squareRoot()
                let e = exp(-r)
                gradient[d] += w * signal * (1 + r + r * r / 3) * e
                // ∂k/∂log ℓₖ = σ²·(5/3)(1 + √5 r)e^{−√5 r}·Δₖ²/ℓₖ²
                let common = w * signal * (5.0 / 3) * (1 + r) * e
                if common != 0 {
                    for k in 0..<d {
                        let diff = categorical[k] ? (Swift.abs(x[i][k] - x[j][k]) > 1e-9 ? 1 : 0) : x[i][k] - x[j][k]
                        gradient[k] += common * diff * diff * inverse[k]
                    }
                }
                if i == j { gradient[d + 1] += w * noise }
            }
        }
        let (priorValue, priorGradient) = prior.logDensity(hyper)
        value += priorValue
        for i in gradient.indices { gradient[i] += priorGradient[i] }
        return (value, gradient)
    }

    /// MAP hyperparameters: the best of a few uniform-lengthscale starts, then L-BFGS ascent on
    /// the log parameters (the likelihood is far from its optimum at the prior's mode).
    static func fit(x: [[Double]], y: [Double], categorical: [Bool], start: Hyperparameters, prior: Prior = .unitLengthscale,
                    steps: Int = 100) -> Hyperparameters {
        let d = start.logLengthscales.count
        var starts = [start]
        for l in [0.1, 0.3, 1.0, 3.0] {
            starts.append(Hyperparameters(logLengthscales: Array(repeating: log(l), count: d), logSignal: 0, logNoise: start.logNoise))
        }
        var best = start, bestValue = -Double.infinity
        for s in starts {
            if let (value, _) = objective(x: x, y: y, categorical: categorical, hyper: s, prior: prior), value > bestValue { (best, bestValue) = (s, value) }
        }
        // L-BFGS on the log parameters from the best start.
        let found = LBFGS.maximize({ theta in
            objective(x: x, y: y, categorical: categorical, hyper: Hyperparameters(vector: theta), prior: prior).map { ($0.0, $0.1) }
        }, from: best.vector, low: Array(repeating: -10, count: d + 1) + [Hyperparameters.minimumLogNoise],
           high: Array(repeating: 5, count: d + 2), iterations: steps)
        if let (theta, value) = found, value > bestValue { best = Hyperparameters(vector: theta) }
        return best
    }
}

extension GaussianProcess {
    /// 1/ℓ² per dimension.
    var inverseSquaredLengthscales: [Double] { hyper.logLengthscales.map { exp(-2 * $0) } }
    /// The kernel's variance σ² (a point's prior variance).
    var signal: Double { exp(hyper.logSignal) }

    /// k(point, a) for each of `points`.
    func kernels(_ point: [Double], _ points: [[Double]]) -> [Double] {
        let inverse = inverseSquaredLengthscales, signal = signal
        return points.map { Self.kernel(point, $0, inverse, categorical, signal) }
    }

    /// k·K⁻¹y, from k = k(point, X).
    func mean(_ k: [Double]) -> Double {
        var mean = 0.0
        for i in k.indices { mean += k[i] * alpha[i] }
        return mean
    }

    /// The posterior mean and the part of the prior variance the observations explain (kᵀK⁻¹k),
    /// from k = k(point, X): the variance is σ² minus it.
    func posterior(_ k: [Double]) -> (mean: Double, explained: Double) {
        var explained = 0.0
        for value in factor.forward(k) { explained += value * value }
        return (mean(k), explained)
    }

    /// k(point, a) and ∂k/∂point for each of `points`: the gradients row-major, `point.count`
    /// per point, zero along categorical dimensions.
    func kernelsWithGradient(_ point: [Double], _ points: [[Double]]) -> (values: [Double], gradients: [Double]) {
        let d = point.count, n = points.count
        let inverse = inverseSquaredLengthscales, signal = signal
        var k = [Double](repeating: 0, count: n), dk = [Double](repeating: 0, count: n * d)
        for (i, a) in points.enumerated() {
            let r2 = Self.squaredDistance(point, a, inverse, categorical)
            let r = (5 * r2).squareRoot(), e = exp(-r)
            k[i] = signal * (1 + r + r * r / 3) * e
            // dk/d(r²) = −σ²·(5/6)(1 + r)e^{−r}; ∂r²/∂p_j = 2(p_j − a_j)/ℓ_j².
            let slope = -signal * (5.0 / 6) * (1 + r) * e
            for j in 0..<d where !categorical[j] {
                dk[i * d + j] = slope * 2 * (point[j] - a[j]) * inverse[j]
            }
        }
        return (k, dk)
    }

    /// Posterior mean and variance at `point` with their gradients in the point's continuous
    /// coordinates (zero along categorical ones).
    func predictWithGradient(_ point: [Double]) -> (mean: Double, variance: Double, dMean: [Double], dVariance: [Double]) {
        let (k, dk) = kernelsWithGradient(point, x)
        return posteriorWithGradient(k, dk, dimensions: point.count)
    }

    /// `predictWithGradient` from k(point, X) and its gradient (`kernelsWithGradient`).
    func posteriorWithGradient(_ k: [Double], _ dk: [Double], dimensions d: Int) -> (mean: Double, variance: Double, dMean: [Double], dVariance: [Double]) {
        let n = x.count
        let mean = mean(k)
        let v = factor.forward(k)
        var explained = 0.0
        for value in v { explained += value * value }
        let w = factor.backward(v) // K⁻¹k
        var dMean = [Double](repeating: 0, count: d), dVariance = [Double](repeating: 0, count: d)
        for i in 0..<n {
            for j in 0..<d {
                dMean[j] += alpha[i] * dk[i * d + j]
                dVariance[j] -= 2 * w[i] * dk[i * d + j]
            }
        }
        return (mean, Swift.max(signal - explained, 1e-12), dMean, dVariance)
    }
}
