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
