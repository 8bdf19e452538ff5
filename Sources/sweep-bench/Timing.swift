import Foundation

/// Best-of-`repeats` seconds per call of `body`, each repeat running it `iterations` times.
func bestTime(repeats: Int = 5, iterations: Int = 1, _ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    var best = Double.infinity
    try body() // warm-up: first-touch allocations, BLAS thread start
    for _ in 0..<repeats {
        let start = clock.now
        for _ in 0..<iterations { try body() }
        best = min(best, (clock.now - start).seconds / Double(iterations))
    }
    return best
}
