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
func logH(_ z: Double) -> Double { logH(z, tail: z > -25 ? erfc(-z / 2.0.squareRoot()) : 0) }

/// log h(z) given tail = erfc(−z/√2), which it uses above −25 (2Φ(z): the slopes reuse it for log Φ).
func logH(_ z: Double, tail: Double) -> Double {
    let logPhi = -0.5 * z * z - 0.5 * log(2 * Double.pi)
    if z > -1 { return log(exp(logPhi) + z * (0.5 * tail)) }
    // h(z) = φ(z)·(1 − t·R(t)), t = −z, R the Mills ratio Φ(−t)/φ(t).
    let t = -z
    if t < 25 {
        let mills = 0.5 * tail / exp(logPhi)
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
    return logExpectedImprovementSlopes(z: z, sigma: sigma, logSigma: log(sigma), variance: variance)
}

/// The same at z = (best − μ)/σ, with σ's log given: a batch's draws share one σ.
@inline(__always)
func logExpectedImprovementSlopes(z: Double, sigma: Double, logSigma: Double, variance: Double) -> (value: Double, dMean: Double, dVariance: Double) {
    // d log EI = (dσ/σ)(1 − z·Φ/h) − (Φ/h)·dμ/σ, with Φ/h = exp(log Φ(z) − log h(z)) and dσ = dv/2σ.
    let (h, ratio) = logHAndRatio(z)
    return (logSigma + h, -ratio / sigma, (1 - z * ratio) / (2 * variance))
}

/// log EI and its gradient in the point, from the posterior and its gradients. (The same
/// derivative as `logExpectedImprovementSlopes`, in the order of operations the sequential GP's
/// recorded benchmark runs were made with.)
func logExpectedImprovementWithGradient(mean: Double, variance: Double, dMean: [Double], dVariance: [Double], best: Double) -> (Double, [Double]) {
    let sigma = variance.squareRoot()
    let z = (best - mean) / sigma
    let (h, ratio) = logHAndRatio(z)
    let value = log(sigma) + h
    let gradient = zip(dMean, dVariance).map { dm, dv -> Double in
        let dSigma = dv / (2 * sigma)
        return dSigma / sigma * (1 - z * ratio) - ratio * dm / sigma
    }
    return (value, gradient)
}

/// log h(z) and Φ(z)/h(z), one erfc for both.
@inline(__always)
func logHAndRatio(_ z: Double) -> (logH: Double, ratio: Double) {
    let tail = z > -30 ? erfc(-z / 2.0.squareRoot()) : 0
    let h = logH(z, tail: tail)
    return (h, exp(logCDF(z, tail: tail) - h))
}

/// log Φ(z), stable for very negative z.
func logCDF(_ z: Double) -> Double { logCDF(z, tail: z > -30 ? erfc(-z / 2.0.squareRoot()) : 0) }

/// log Φ(z) given tail = erfc(−z/√2), which it uses above −30.
func logCDF(_ z: Double, tail: Double) -> Double {
    if z > -30 { return log(0.5 * tail) }
    let t2 = z * z
    return -0.5 * t2 - log(-z) - 0.5 * log(2 * Double.pi) + log(1 - 1 / t2 + 3 / (t2 * t2))
}
