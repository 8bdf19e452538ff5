import Foundation
import Testing
@testable import Search

@Suite("Gaussian-process sampler")
struct GPTests {
    @Test("the Cholesky factor and its solves agree with the textbook loops at every size the lanes split unevenly", arguments: [1, 3, 4, 7, 8, 13, 37])
    func cholesky(n: Int) throws {
        var g = SeededGenerator64(seed: UInt64(n))
        let m = (0..<n * n).map { _ in g.unit() - 0.5 }
        // A = M·Mᵀ + n·I: symmetric positive definite.
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { a[i * n + j] = (0..<n).reduce(0) { $0 + m[i * n + $1] * m[j * n + $1] } + (i == j ? Double(n) : 0) } }
        let factor = try #require(Cholesky(a, n: n, jitter: 0))
        // L·Lᵀ gives A back, and Lᵀ is stored as L transposed.
        for i in 0..<n {
            for j in 0..<n {
                let product = (0..<n).reduce(0) { $0 + factor.lower[i * n + $1] * factor.lower[j * n + $1] }
                #expect(abs(product - a[i * n + j]) <= 1e-12 * Double(n) * (1 + abs(a[i * n + j])))
                #expect(factor.upper[j * n + i] == factor.lower[i * n + j])
            }
        }
        let b = (0..<n).map { _ in g.unit() }
        let x = factor.solve(b)
        for i in 0..<n {
            let row = (0..<n).reduce(0) { $0 + a[i * n + $1] * x[$1] }
            #expect(abs(row - b[i]) <= 1e-11 * Double(n))
        }
        #expect(Cholesky([1, 2, 2, 1], n: 2, jitter: 0) == nil, "not positive definite, even with jitter")
    }

    @Test("the likelihood gradient agrees with finite differences, under either lengthscale prior", arguments: [Prior.unitLengthscale, .dimensionScaled])
    func likelihoodGradient(prior: Prior) {
        var g = SeededGenerator64(seed: 4)
        let x = (0..<12).map { _ in [g.unit(), g.unit(), Double(Int(g.unit() * 3)) / 3 + 1.0 / 6] }
        let y = x.map { sin(5 * $0[0]) + $0[1] * $0[1] + ($0[2] > 0.5 ? 1 : 0) }
        let categorical = [false, false, true]
        let h = Hyperparameters(logLengthscales: [-1, -0.3, 0.2], logSignal: 0.1, logNoise: -5)
        let (_, analytic) = GaussianProcess.objective(x: x, y: y, categorical: categorical, hyper: h, prior: prior)!
        var v = h.vector
        for i in v.indices {
            v[i] += 1e-5
            let plus = GaussianProcess.objective(x: x, y: y, categorical: categorical, hyper: Hyperparameters(vector: v), prior: prior)!.0
            v[i] -= 2e-5
            let minus = GaussianProcess.objective(x: x, y: y, categorical: categorical, hyper: Hyperparameters(vector: v), prior: prior)!.0
            v[i] += 1e-5
            let numeric = (plus - minus) / 2e-5
            #expect(abs(analytic[i] - numeric) < 1e-4 * max(1, abs(numeric)), "θ\(i): \(analytic[i]) vs \(numeric)")
        }
    }

    @Test("the posterior interpolates observations and is uncertain away from them")
    func posterior() {
        let x = [[0.1], [0.5], [0.9]], y = [1.0, -1.0, 0.5]
        let gp = GaussianProcess(x: x, y: y, categorical: [false], hyper: Hyperparameters(logLengthscales: [log(0.2)], logSignal: 0, logNoise: log(1e-6)))!
        for (xi, yi) in zip(x, y) {
            let (mean, variance) = gp.predict(xi)
            #expect(abs(mean - yi) < 1e-3 && variance < 1e-3)
        }
        #expect(gp.predict([0.3]).variance > 0.05)
    }

    @Test("log EI matches the closed form and stays finite far below the incumbent")
    func logEI() {
        for z in [-3.0, -0.5, 0, 1, 4] {
            let phi = exp(-z * z / 2) / (2 * Double.pi).squareRoot(), cdf = 0.5 * erfc(-z / 2.0.squareRoot())
            #expect(abs(logH(z) - log(phi + z * cdf)) < 1e-9)
        }
        let far = [-10.0, -40, -200].map(logH)
        #expect(far.allSatisfy(\.isFinite) && far[0] > far[1] && far[1] > far[2])
    }

    @Test("failed trials push suggestions away, running trials spread them out")
    func failuresAndRunning() {
        let space = SearchSpace([Parameter("x", .float(low: 0, high: 1, log: false, step: nil))])
        var history = (0..<12).map { n -> Trial in
            let x = (Double(n) + 0.5) / 12
            // Everything below 0.5 fails; above, lower x is better.
            return Trial(number: n, configuration: Configuration(["x": .number(x)]), state: x < 0.5 ? .failed : .completed, value: x < 0.5 ? nil : x)
        }
        let sampler = GPSampler(seed: 1, startup: 5)
        var g = SeededGenerator64(seed: 9)
        guard case let .number(first)? = sampler.suggest(space, history: history, direction: .minimize, using: &g)?["x"] else {
            Issue.record("no suggestion"); return
        }
        #expect(first > 0.4, "suggested \(first) inside the failing region")
        history.append(Trial(number: 12, configuration: Configuration(["x": .number(first)]), state: .running))
        guard case let .number(second)? = sampler.suggest(space, history: history, direction: .minimize, using: &g)?["x"] else {
            Issue.record("no suggestion"); return
        }
        #expect(abs(second - first) > 1e-3, "a second worker got the running trial's point again")
    }

    @Test("past 100 trials a suggestion uses the fit of the checkpoint before the last, so whether that fit was made ahead changes nothing")
    func fitsAhead() throws {
        #expect(GPSampler.checkpoints(12) == (12, nil))
        #expect(GPSampler.checkpoints(43) == (40, nil))
        #expect(GPSampler.checkpoints(50) == (49, nil))
        #expect(GPSampler.checkpoints(99) == (90, nil))
        #expect(GPSampler.checkpoints(100) == (90, 100))
        #expect(GPSampler.checkpoints(122) == (100, 111))
        let space = SearchSpace((0..<2).map { Parameter("x\($0)", .float(low: 0, high: 1, log: false, step: nil)) })
        var g = SeededGenerator64(seed: 4)
        let history = (0..<122).map { n -> Trial in
            let p = (0..<2).map { _ in g.unit() }
            return Trial(number: n, configuration: space.configuration(at: p), state: .completed, value: p.map { ($0 - 0.3) * ($0 - 0.3) }.reduce(0, +))
        }
        let categorical = [false, false]
        // One sampler saw the study at 101 trials (and fitted 100 ahead); a fresh one (a restarted coordinator) fits 100 when asked.
        let warmed = GPSampler(seed: 1)
        _ = warmed.fit(Array(history.prefix(101)), space, .minimize, categorical)
        let fresh = GPSampler(seed: 1).fit(history, space, .minimize, categorical)
        #expect(warmed.fit(history, space, .minimize, categorical) == fresh)
        // Trials past the checkpoint in use do not move the hyperparameters; those before it do.
        var later = history, earlier = history
        for i in 100..<122 { later[i].value = 5 }
        earlier[50].value = 5
        #expect(GPSampler().fit(later, space, .minimize, categorical) == fresh)
        #expect(GPSampler().fit(earlier, space, .minimize, categorical) != fresh)
    }
}

@Suite("Gaussian-process batches")
struct GPBatchTests {
    func model() -> (GaussianProcess, [Double]) {
        var g = SeededGenerator64(seed: 8)
        let x = (0..<15).map { _ in [g.unit(), g.unit(), 0.25] }
        let y = x.map { cos(4 * $0[0]) * $0[1] }
        return (GaussianProcess(x: x, y: y, categorical: [false, false, true],
                                hyper: Hyperparameters(logLengthscales: [-1, -0.7, 0], logSignal: 0, logNoise: -8))!, y)
    }

    @Test("the batch EI's gradient agrees with finite differences, the running trials at their mean or drawn",
          arguments: [BatchImprovement.Fantasy.mean, .draws(64), .draws(32, spread: 0.5)])
    func gradient(fantasy: BatchImprovement.Fantasy) throws {
        let (gp, y) = model()
        var g = SeededGenerator64(seed: 3)
        let batch = try #require(BatchImprovement(gp, running: [[0.3, 0.55, 0.25], [0.8, 0.2, 0.25]], best: y.min()!, fantasy: fantasy, generator: &g))
        let point = [0.37, 0.61, 0.25]
        let (value, analytic) = batch.logWithGradient(point)
        #expect(abs(value - batch.log(point)) < 1e-12)
        for j in 0..<2 {
            var plus = point, minus = point
            plus[j] += 1e-6
            minus[j] -= 1e-6
            let numeric = (batch.log(plus) - batch.log(minus)) / 2e-6
            #expect(abs(analytic[j] - numeric) < 1e-4 * max(1, abs(numeric)), "dim \(j): \(analytic[j]) vs \(numeric)")
        }
        #expect(analytic[2] == 0, "no gradient along a categorical dimension")
    }

    @Test("a point on a running trial adds almost nothing; far from it, nearly what it adds alone")
    func running() throws {
        let (gp, y) = model()
        let best = y.min()!
        // The plain EI's best point, as if a worker were already running it.
        var g = SeededGenerator64(seed: 5)
        let grid = (0..<400).map { [Double($0 % 20) / 19, Double($0 / 20) / 19, 0.25] }
        func plain(_ p: [Double]) -> Double { let r = gp.predict(p); return logExpectedImprovement(mean: r.mean, variance: r.variance, best: best) }
        let top = grid.max { plain($0) < plain($1) }!
        let batch = try #require(BatchImprovement(gp, running: [top], best: best, generator: &g))
        let near = plain(top) - batch.log(top)
        #expect(near > 2, "on the running trial: \(batch.log(top)) against \(plain(top)) alone")
        let far = grid.max { (hypot($0[0] - top[0], $0[1] - top[1]) > 0.7 ? plain($0) : -.infinity) < (hypot($1[0] - top[0], $1[1] - top[1]) > 0.7 ? plain($1) : -.infinity) }!
        // Lower a little even there: the running trial may beat the incumbent.
        let away = plain(far) - batch.log(far)
        #expect(away >= 0 && away < near / 5, "far away: \(batch.log(far)) against \(plain(far)); on it \(near) lower")
    }
}

@Suite("Gaussian-process mixed spaces")
struct GPMixedTests {
    /// Integers, a stepped float, a category and a free float.
    let space = SearchSpace([
        Parameter("x", .float(low: -2, high: 2, log: false, step: nil)),
        Parameter("step", .float(low: 0, high: 1, log: false, step: 0.25)),
        Parameter("layers", .int(low: 1, high: 6, log: false, step: 1)),
        Parameter("act", .choice([.string("relu"), .string("tanh"), .string("gelu")])),
    ])

    func value(_ c: Configuration) -> Double {
        guard case let .number(x)? = c["x"], case let .number(s)? = c["step"], case let .number(l)? = c["layers"], case let .string(a)? = c["act"] else { return .nan }
        return (x - 0.7) * (x - 0.7) + (s - 0.5) * (s - 0.5) + 0.3 * abs(l - 4) + (a == "tanh" ? 0 : 0.8)
    }

    /// 14 random finished trials and the GP the sampler fits on them (the draws come from `g`).
    func fitted(seed: Int, _ g: inout SeededGenerator64) throws -> (sampler: GPSampler, trials: Int, x: [[Double]], y: [Double], gp: GaussianProcess) {
        let history = (0..<14).map { n -> Trial in
            let c = space.configuration(at: (0..<4).map { _ in g.unit() })
            return Trial(number: n, configuration: c, state: .completed, value: value(c))
        }
        let sampler = GPSampler(seed: UInt64(seed), startup: 5)
        let categorical = space.parameters.map { !$0.domain.isNumeric }
        var (x, y) = sampler.observations(history, space, .minimize)
        (x, y) = sampler.capped(x, y, history.map(\.number))
        let fit = sampler.fit(history, space, .minimize, categorical)
        let standardized = sampler.transform(y, warp: fit.warped).values
        let gp = try #require(GaussianProcess(x: x, y: standardized, categorical: categorical, hyper: fit.objective))
        return (sampler, history.count, x, standardized, gp)
    }

    @Test("a pruned trial is scored where completed curves went on from its step, not where it was cut")
    func prunedScoredAtItsEnd() {
        let line = SearchSpace([Parameter("x", .float(low: 0, high: 1, log: false, step: nil))])
        func trial(_ n: Int, _ state: TrialState, _ reports: [Int: Double]) -> Trial {
            Trial(number: n, configuration: line.configuration(at: [Double(n) / 10]), state: state, reports: reports, value: reports[reports.keys.max()!])
        }
        // Completed trials fell by 0.3, 0.2 and 0.4 after epoch 1 (median 0.3), by 0.1 after epoch 3.
        let history = [trial(0, .completed, [1: 0.9, 3: 0.7, 6: 0.6]), trial(1, .completed, [1: 0.8, 3: 0.7, 6: 0.6]), trial(2, .completed, [1: 1.0, 3: 0.7, 6: 0.6]),
                       trial(3, .pruned, [1: 1.2]), trial(4, .pruned, [1: 1.1, 3: 0.9]), trial(5, .pruned, [2: 1.5])]
        let (_, y) = GPSampler().observations(history, line, .minimize)
        #expect(y[0...2] == [0.6, 0.6, 0.6])
        #expect(abs(y[3] - 0.9) < 1e-12, "1.2 at epoch 1, then the median fall of 0.3")
        #expect(abs(y[4] - 0.8) < 1e-12, "0.9 at epoch 3, then 0.1")
        #expect(y[5] == 1.5, "no completed trial reported at epoch 2: as it was cut")
        let (_, up) = GPSampler().observations(history.map { var t = $0; t.reports = t.reports.mapValues { -$0 }; t.value = t.value.map { -$0 }; return t }, line, .maximize)
        #expect(zip(up, y).allSatisfy { abs($0 - $1) < 1e-12 }, "the same in loss terms when maximizing")
    }

    @Test("the log EI the optimizer reports is the log EI at the configuration it suggests")
    func scoredWhereEvaluated() throws {
        for seed in 0..<6 {
            var g = SeededGenerator64(seed: UInt64(seed))
            let (sampler, trials, x, standardized, gp) = try fitted(seed: seed, &g)
            let best = standardized.min()!
            let (point, reported) = sampler.maximizeAcquisition(gp, best: best, space: space, x: x, y: standardized, trials: trials, generator: &g)
            let evaluated = space.point(of: space.configuration(at: point))
            let (mean, variance) = gp.predict(evaluated)
            #expect(logExpectedImprovement(mean: mean, variance: variance, best: best) == reported, "seed \(seed)")
            #expect(evaluated == point, "the suggestion is a point a trial can take")
        }
    }

    @Test("with trials running, the batch EI the optimizer reports is the batch EI at the configuration it suggests")
    func batchScoredWhereEvaluated() throws {
        for seed in 0..<6 {
            var g = SeededGenerator64(seed: UInt64(seed))
            let (sampler, trials, x, standardized, gp) = try fitted(seed: seed, &g)
            let running = (0..<3).map { _ in space.point(of: space.configuration(at: (0..<4).map { _ in g.unit() })) }
            let batch = try #require(BatchImprovement(gp, running: running, best: standardized.min()!, generator: &g))
            let (point, reported) = sampler.maximizeAcquisition(gp, best: standardized.min()!, space: space, x: x, y: standardized, trials: trials,
                                                                batch: batch, generator: &g)
            let evaluated = space.point(of: space.configuration(at: point))
            #expect(batch.log(evaluated) == reported, "seed \(seed)")
            #expect(evaluated == point, "the suggestion is a point a trial can take")
            #expect(!running.contains(evaluated), "seed \(seed): the suggestion is a running trial's configuration")
        }
    }

    @Test("on a discrete space with unvisited cells, no suggestion repeats a finished trial")
    func noRepeats() throws {
        let grid = SearchSpace([Parameter("layers", .int(low: 0, high: 4, log: false, step: 1)),
                                Parameter("act", .choice([.string("relu"), .string("tanh"), .string("gelu")]))])
        for seed in 0..<8 {
            var g = SeededGenerator64(seed: UInt64(seed) + 100)
            var history: [Trial] = []
            for layers in [0, 1, 2, 3, 4] {
                for act in ["relu", "tanh"] where history.count < 10 {
                    let c = Configuration(["layers": .number(Double(layers)), "act": .string(act)])
                    history.append(Trial(number: history.count, configuration: c, state: .completed, value: Double(abs(layers - 2)) + (act == "relu" ? 0.5 : 0)))
                }
            }
            let suggestion = try #require(GPSampler(seed: UInt64(seed), startup: 5).suggest(grid, history: history, direction: .minimize, using: &g))
            #expect(!history.map(\.configuration).contains(suggestion), "seed \(seed) repeated \(suggestion)")
        }
    }
}

@Suite("Gaussian-process gradients")
struct GPGradientTests {
    @Test("posterior and log EI gradients in the point agree with finite differences")
    func pointGradient() {
        var g = SeededGenerator64(seed: 8)
        let x = (0..<15).map { _ in [g.unit(), g.unit(), 0.25] }
        let y = x.map { cos(4 * $0[0]) * $0[1] }
        let gp = GaussianProcess(x: x, y: y, categorical: [false, false, true],
                                 hyper: Hyperparameters(logLengthscales: [-1, -0.7, 0], logSignal: 0, logNoise: -8))!
        let point = [0.37, 0.61, 0.25]
        let p = gp.predictWithGradient(point)
        let (_, analytic) = logExpectedImprovementWithGradient(mean: p.mean, variance: p.variance, dMean: p.dMean, dVariance: p.dVariance, best: y.min()!)
        for j in 0..<2 {
            var plus = point, minus = point
            plus[j] += 1e-6
            minus[j] -= 1e-6
            func f(_ q: [Double]) -> Double { let r = gp.predict(q); return logExpectedImprovement(mean: r.mean, variance: r.variance, best: y.min()!) }
            let numeric = (f(plus) - f(minus)) / 2e-6
            #expect(abs(analytic[j] - numeric) < 1e-4 * max(1, abs(numeric)), "dim \(j): \(analytic[j]) vs \(numeric)")
            let meanNumeric = (gp.predict(plus).mean - gp.predict(minus).mean) / 2e-6
            #expect(abs(p.dMean[j] - meanNumeric) < 1e-5 * max(1, abs(meanNumeric)))
        }
        #expect(p.dMean[2] == 0 && p.dVariance[2] == 0, "no gradient along a categorical dimension")
    }
}

