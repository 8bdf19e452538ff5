import Foundation

/// log EI for minimization (Ament et al. 2023, "Unexpected Improvements to Expected
/// Improvement"): log(σ·h(z)), z = (best − μ)/σ, h(z) = φ(z) + z·Φ(z), computed without
/// underflow far below the incumbent, so the acquisition keeps a gradient everywhere.
func logExpectedImprovement(mean: Double, variance: Double, best: Double) -> Double {
    let sigma = variance.squareRoot()
    let z = (best - mean) / sigma
    return log(sigma) + logH(z)
}

/// log h(z), h(z) = φ(z) + z·Φ(z).
func logH(_ z: Double) -> Double {
    let logPhi = -0.5 * z * z - 0.5 * log(2 * Double.pi)
    if z > -1 {
        let phi = exp(logPhi), cdf = 0.5 * erfc(-z / 2.0.squareRoot())
        return log(phi + z * cdf)
    }
    // h(z) = φ(z)·(1 − t·R(t)), t = −z, R the Mills ratio Φ(−t)/φ(t).
    let t = -z
    if t < 25 {
        let mills = 0.5 * erfc(t / 2.0.squareRoot()) / exp(logPhi)
        let rest = 1 - t * mills
        if rest > 1e-12 { return logPhi + log(rest) }
    }
    // Asymptotic series 1 − tR(t) = 1/t² − 3/t⁴ + 15/t⁶ − …
    let t2 = t * t
    return logPhi + log(1 / t2 - 3 / (t2 * t2) + 15 / (t2 * t2 * t2))
}

/// log EI and its derivatives in the posterior mean and variance.
func logExpectedImprovementSlopes(mean: Double, variance: Double, best: Double) -> (value: Double, dMean: Double, dVariance: Double) {
    let sigma = variance.squareRoot()
    let z = (best - mean) / sigma
    // d log EI = (dσ/σ)(1 − z·Φ/h) − (Φ/h)·dμ/σ, with Φ/h = exp(log Φ(z) − log h(z)) and dσ = dv/2σ.
    let ratio = exp(logCDF(z) - logH(z))
    return (log(sigma) + logH(z), -ratio / sigma, (1 - z * ratio) / (2 * variance))
}

/// log EI and its gradient in the point, from the posterior and its gradients. (The same
/// derivative as `logExpectedImprovementSlopes`, in the order of operations the sequential GP's
/// recorded benchmark runs were made with.)
func logExpectedImprovementWithGradient(mean: Double, variance: Double, dMean: [Double], dVariance: [Double], best: Double) -> (Double, [Double]) {
    let sigma = variance.squareRoot()
    let z = (best - mean) / sigma
    let value = log(sigma) + logH(z)
    let ratio = exp(logCDF(z) - logH(z))
    let gradient = zip(dMean, dVariance).map { dm, dv -> Double in
        let dSigma = dv / (2 * sigma)
        return dSigma / sigma * (1 - z * ratio) - ratio * dm / sigma
    }
    return (value, gradient)
}

/// log Φ(z), stable for very negative z.
func logCDF(_ z: Double) -> Double {
    if z > -30 { return log(0.5 * erfc(-z / 2.0.squareRoot())) }
    let t2 = z * z
    return -0.5 * t2 - log(-z) - 0.5 * log(2 * Double.pi) + log(1 - 1 / t2 + 3 / (t2 * t2))
}
