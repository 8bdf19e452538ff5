import Foundation

/// The expected improvement of a point given the trials still running. The running trials'
/// values are fantasized (`Fantasy`); given them, the point's value is Gaussian — its variance
/// shrunk by what the running trials explain — and its EI is taken over the best of the finished
/// trials and the fantasized values. A point close to a running trial is nearly determined by it,
/// so it adds little: suggestions spread out where the running trials leave doubt.
///
/// The GP draws the running trials' values 32 times from the model's joint posterior with its
/// spread halved (`.draws(32, spread: 0.5)`): between the kriging believer (`.mean`, Ginsbourger
/// et al. 2010: no spread, each draw's incumbent only where the model expects a running trial to
/// win) and the q-batch EI (`.draws(64)`, what Optuna's qLogEI and BoTorch estimate: each draw's
/// incumbent the minimum of k drawn values, optimistic, so the acquisition leans to variance).
/// Measured on 8 synthetic functions, 20 seeds, at 100 trials: the believer held best with 8 in
/// flight and asynchronously, the q-batch EI in synchronous batches of 32; half the spread holds
/// against the sequential run with 8 in flight on 7 of 8 (the believer 6) and beats Optuna's
/// batched GP on 5 of 7 with 32 (the believer 4) — see the README's Trials in flight.
struct BatchImprovement {
    typealias Fantasy = GPSampler.Fantasy

    let gp: GaussianProcess
    let running: [[Double]]
    /// K⁻¹·k(X, rⱼ), n × k row-major: a point's covariance with rⱼ is k(x, rⱼ) − k(x, X)·βⱼ.
    private let beta: [Double]
    private let covariance: Cholesky
    /// The draws' normals (standard, times the spread), S × k row-major (the point's conditional mean moves by w·z).
    private let normals: [Double]
    /// Per draw: min(best, the running trials' drawn values).
    private let thresholds: [Double]

    init?<G: RandomNumberGenerator>(_ gp: GaussianProcess, running: [[Double]], best: Double, fantasy: Fantasy = .mean, generator: inout G) {
        guard !running.isEmpty else { return nil }
        let k = running.count, n = gp.x.count
        let inverse = gp.inverseSquaredLengthscales, signal = gp.signal
        let cross = running.map { gp.kernels($0, gp.x) }
        let columns = cross.map { gp.factor.solve($0) }
        var beta = [Double](repeating: 0, count: n * k)
        for j in 0..<k { for i in 0..<n { beta[i * k + j] = columns[j][i] } }
        var sigma = [Double](repeating: 0, count: k * k), mean = [Double](repeating: 0, count: k)
        for i in 0..<k {
            mean[i] = gp.mean(cross[i])
            for j in 0...i {
                let v = GaussianProcess.kernel(running[i], running[j], inverse, gp.categorical, signal) - zip(cross[i], columns[j]).map(*).reduce(0, +)
                sigma[i * k + j] = v
                sigma[j * k + i] = v
            }
        }
        guard let covariance = Cholesky(sigma, n: k, jitter: 1e-9 * signal) else { return nil }
        let (samples, spread) = switch fantasy {
        case .mean: (1, 0.0)
        case let .draws(count, spread): (Swift.max(count, 1), spread)
        }
        var normals = [Double](repeating: 0, count: samples * k), thresholds = [Double](repeating: best, count: samples)
        for s in 0..<samples {
            // At the mean the normals stay zero; scaled, they draw from the posterior with its spread scaled.
            if spread > 0 { for j in 0..<k { normals[s * k + j] = spread * generator.gaussian() } }
            // f_R = μ_R + L·z
            for i in 0..<k {
                var f = mean[i]
                for j in 0...i { f += covariance.lower[i * k + j] * normals[s * k + j] }
                thresholds[s] = Swift.min(thresholds[s], f)
            }
        }
        (self.gp, self.running, self.beta, self.covariance, self.normals, self.thresholds) = (gp, running, beta, covariance, normals, thresholds)
    }

    /// log of the batch EI at `point`.
    func log(_ point: [Double]) -> Double {
        let kx = gp.kernels(point, gp.x)
        let (mean, known) = gp.posterior(kx)
        var explained = known
        var c = gp.kernels(point, running)
        subtractProjection(kx, from: &c, n: gp.x.count, k: running.count)
        let w = covariance.forward(c)
        for v in w { explained += v * v }
        let conditional = Swift.max(gp.signal - explained, 1e-12)
        // logExpectedImprovement per draw, its square root and log taken once (the same bits).
        let sigma = conditional.squareRoot(), logSigma = Foundation.log(sigma)
        var terms = draws(w)
        for s in terms.indices { terms[s] = logSigma + logH((thresholds[s] - (mean + terms[s])) / sigma) }
        return Self.logMean(terms)
    }

    /// The log batch EI and its gradient in the point's continuous coordinates.
    func logWithGradient(_ point: [Double]) -> (Double, [Double]) {
        let d = point.count, n = gp.x.count, k = running.count
        let (kx, dkx) = gp.kernelsWithGradient(point, gp.x), (kr, dkr) = gp.kernelsWithGradient(point, running)
        let p = gp.posteriorWithGradient(kx, dkx, dimensions: d)
        // c = k(point, R) − k(point, X)·β, w = L⁻¹c (L the running trials' covariance factor).
        var c = kr
        subtractProjection(kx, from: &c, n: n, k: k)
        let w = covariance.forward(c)
        var explained = 0.0
        for v in w { explained += v * v }
        let conditional = Swift.max(p.variance - explained, 1e-12)
        let shifts = draws(w)
        // Per draw: log EI and its slopes in the conditional mean and variance; then the gradient
        // is Σ weight·(a·(dμ + dw·z) + b·dv) = (Σ wa)·dμ + dw·(Σ wa·z) + (Σ wb)·dv.
        var terms = [Double](repeating: 0, count: thresholds.count), slopes = [(Double, Double)](repeating: (0, 0), count: thresholds.count)
        let sigma = conditional.squareRoot(), logSigma = Foundation.log(sigma)
        for s in thresholds.indices {
            let e = logExpectedImprovementSlopes(z: (thresholds[s] - (p.mean + shifts[s])) / sigma, sigma: sigma, logSigma: logSigma, variance: conditional)
            terms[s] = e.value
            slopes[s] = (e.dMean, e.dVariance)
        }
        let total = Self.logMean(terms)
        var sumA = 0.0, sumB = 0.0, weighted = [Double](repeating: 0, count: k)
        for s in thresholds.indices {
            let weight = Foundation.exp(terms[s] - total) / Double(terms.count)
            let a = weight * slopes[s].0
            sumA += a
            sumB += weight * slopes[s].1
            for j in 0..<k { weighted[j] += a * normals[s * k + j] }
        }
        // dw = L⁻¹·dc enters only as wᵀdw and weightedᵀdw, so with u = L⁻ᵀw and v = L⁻ᵀ·weighted
        // they are uᵀdc and vᵀdc, and dc = dk(point, R) − dk(point, X)·β needs only β·u and β·v:
        // O(n·k) a gradient instead of O(n·k·d).
        let u = covariance.backward(w), v = covariance.backward(weighted)
        var betaU = [Double](repeating: 0, count: n), betaV = [Double](repeating: 0, count: n)
        beta.withUnsafeBufferPointer { b in
            for i in 0..<n {
                let row = b.baseAddress! + i * k
                var (su, sv) = (0.0, 0.0)
                for j in 0..<k { su += row[j] * u[j]; sv += row[j] * v[j] }
                (betaU[i], betaV[i]) = (su, sv)
            }
        }
        var gradient = [Double](repeating: 0, count: d)
        for m in 0..<d where !gp.categorical[m] {
            var uc = 0.0, vc = 0.0
            for j in 0..<k { uc += u[j] * dkr[j * d + m]; vc += v[j] * dkr[j * d + m] }
            for i in 0..<n { uc -= dkx[i * d + m] * betaU[i]; vc -= dkx[i * d + m] * betaV[i] }
            gradient[m] = sumA * p.dMean[m] + vc + sumB * (p.dVariance[m] - 2 * uc)
        }
        return (total, gradient)
    }

    /// c −= k(point, X)·β
    private func subtractProjection(_ kx: [Double], from c: inout [Double], n: Int, k: Int) {
        beta.withUnsafeBufferPointer { b in
            c.withUnsafeMutableBufferPointer { c in
                for i in 0..<n { Self.subtract(kx[i], b.baseAddress! + i * k, from: c.baseAddress!, count: k) }
            }
        }
    }

    /// y −= a·x over `count` elements: through pointers and in order per element (the same bits
    /// as indexing), so the loop vectorizes without index overflow checks.
    @inline(__always)
    private static func subtract(_ a: Double, _ x: UnsafePointer<Double>, from y: UnsafeMutablePointer<Double>, count: Int) {
        for j in 0..<count { y[j] -= a * x[j] }
    }

    /// The point's conditional mean shift w·z for every draw.
    private func draws(_ w: [Double]) -> [Double] {
        let k = w.count
        return normals.withUnsafeBufferPointer { z in
            w.withUnsafeBufferPointer { w in
                thresholds.indices.map { s in
                    let row = z.baseAddress! + s * k
                    var shift = 0.0
                    for j in 0..<k { shift += w[j] * row[j] }
                    return shift
                }
            }
        }
    }

    /// log((1/S) Σ exp(tᵢ)), without overflow.
    static func logMean(_ terms: [Double]) -> Double {
        guard let top = terms.max(), top.isFinite else { return terms.max() ?? -.infinity }
        return top + Foundation.log(terms.map { Foundation.exp($0 - top) }.reduce(0, +) / Double(terms.count))
    }
}

extension GPSampler {
    /// How the running trials' values are fantasized in `BatchImprovement`.
    public enum Fantasy: Sendable, Equatable {
        /// At the model's mean: one fantasy, the point's mean unmoved.
        case mean
        /// Drawn this many times from the model's joint posterior with its standard deviations
        /// times `spread` (1: the q-batch EI; 0 would be the believer); the point's EI averaged
        /// over the draws.
        case draws(Int, spread: Double = 1)
    }
}
