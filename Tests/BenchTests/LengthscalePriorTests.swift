import Foundation
import Testing
@testable import Search
@testable import sweep_bench

/// The GP's lengthscale prior on the benchmark's Hartmann-6.
@Suite("Lengthscale prior")
struct LengthscalePriorTests {
    @Test("a fit on few trials keeps every dimension of a function that depends on all of them")
    func lengthscalesStayShort() {
        // Hartmann-6 at 20 quasi-random points: every coordinate matters, but 20 points in 6-D
        // leave some directions with little evidence. Under the dimension-scaled prior three
        // lengthscales stay near its mode, about 12 (the model takes those coordinates for
        // irrelevant and stops exploring along them); with ℓ² growing in the prior, none
        // goes past 5 (the longest is 1.9).
        let x = (0..<20).map { SobolSampler.point($0 + 1, dimensions: 6).map { Double($0) / 4_294_967_296.0 } }
        let y = GPSampler().transform(x.map(TestFunction.hartmann6.evaluate), warp: false).values
        let categorical = [Bool](repeating: false, count: 6)
        let fitted = GaussianProcess.fit(x: x, y: y, categorical: categorical, start: .initial(dimensions: 6))
        #expect(exp(fitted.logLengthscales.max()!) < 5, "lengthscales \(fitted.logLengthscales.map { exp($0) })")
        let smooth = GaussianProcess.fit(x: x, y: y, categorical: categorical, start: .initial(dimensions: 6), prior: .dimensionScaled)
        #expect(smooth.logLengthscales.filter { exp($0) > 5 }.count >= 3, "lengthscales \(smooth.logLengthscales.map { exp($0) })")
    }
}
