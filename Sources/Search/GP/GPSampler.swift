import Foundation

/// Gaussian-process Bayesian optimization: Matérn-5/2 ARD on the unit cube, hyperparameters by
/// maximum a posteriori (priors in `Prior`), standardized outputs log-warped when that explains
/// them better (compared as likelihoods of the same data), log expected improvement.
///
/// - Failed, diverged and NaN trials count as worse than the worst observed value (half the
///   observed range beyond it), so the model learns to avoid their region instead of ignoring it.
/// - With trials running, the acquisition is the EI given them (`BatchImprovement`): their values
///   drawn 32 times from the model's joint posterior with half its spread, the point's EI
///   averaged over the draws, so a point near a running trial adds little. Half the spread sits
///   between the kriging believer (no spread: best with 8 in flight, worse in synchronous batches
///   of 32) and the q-batch EI (full spread: the reverse); a pessimistic believer (mean plus two
///   standard deviations) spread batches out of the optimum (32 in flight: Hartmann6 0.22 against
///   0.07 at 100 trials).
/// - Cost stays bounded: at most `maximumPoints` observations (the best half and the most recent
///   half); hyperparameters are refitted only at checkpoints of the number of finished trials
///   (every trial up to 40, then every 10%), each fit from the first trials of the history alone,
///   so suggestions depend only on the history and the seed. Past 100 a suggestion uses the
///   checkpoint before the last one reached, whose fit was made in the background meanwhile
///   (`Fits`): a refit (nine suggestions' time at 1,000 trials) is not on the suggestion path.
/// - The acquisition is maximized over quasi-random candidates plus perturbations of the best
///   observations, then refined by a shrinking local search.
public final class GPSampler: Sampler {
    public let seed: UInt64
    public let startup: Int
    public let maximumPoints: Int
    /// How running trials' values are fantasized (see `BatchImprovement`).
    public let fantasy: Fantasy
    let fits = Fits()

    public init(seed: UInt64 = 0, startup: Int = 10, maximumPoints: Int = 150, fantasy: Fantasy = .draws(32, spread: 0.5)) {
        self.seed = seed
        self.startup = Swift.max(startup, 2)
        self.maximumPoints = Swift.max(maximumPoints, 20)
        self.fantasy = fantasy
    }

    public func suggest<G: RandomNumberGenerator>(_ space: SearchSpace, history: [Trial], direction: Direction, using generator: inout G) -> Configuration? {
        suggest(space, history: history, direction: direction, fitting: nil, using: &generator)
    }

    /// `fitting`: the checkpoint's trials as the hyperparameters are fitted on them (nil: as
    /// they are). ParEGO passes one fixed scalarization, so the fit made at a checkpoint serves
    /// every weight vector drawn until the next instead of a fit per suggestion.
    /// `prior`: the lengthscales' prior of the fits (see `Prior`).
    func suggest<G: RandomNumberGenerator>(_ space: SearchSpace, history: [Trial], direction: Direction, fitting: (([Trial]) -> [Trial])?,
                                           prior: Prior = .unitLengthscale, using generator: inout G) -> Configuration? {
        let finished = history.filter { $0.state.isFinished && $0.state != .cancelled }.sorted { $0.number < $1.number }
        guard finished.count >= startup, !space.parameters.isEmpty else {
            return SobolSampler(seed: seed).suggest(space, history: history, direction: direction, using: &generator)
        }
        let categorical = space.parameters.map { !$0.domain.isNumeric }
        var (x, y) = observations(finished, space, direction)
        guard y.contains(where: { $0.isFinite }) else {
            return SobolSampler(seed: seed).suggest(space, history: history, direction: direction, using: &generator)
        }
        let points = x, kept = cappedIndices(y, finished.map(\.number))
        (x, y) = (kept.map { x[$0] }, kept.map { y[$0] })
        let fit = fit(finished, space, direction, categorical, fitting: fitting, prior: prior)
        let standardized = transform(y, warp: fit.warped).values
        guard let gp = GaussianProcess(x: x, y: standardized, categorical: categorical, hyper: fit.objective) else {
            return SobolSampler(seed: seed).suggest(space, history: history, direction: direction, using: &generator)
        }
        // With constraints: improvement over the best feasible trial, weighted by the chance of
        // being feasible; before any trial is feasible, that chance alone.
        let feasibility = feasibility(finished, points, categorical, fit.constraints)
        let best = feasibility == nil ? standardized.min()! : kept.indices.filter { finished[kept[$0]].feasible }.map { standardized[$0] }.min()
        // Running trials: the acquisition is the EI given them (their values drawn), not the plain
        // EI, so a suggestion adds what they do not already cover.
        let running = history.filter { $0.state == .running || $0.state == .queued }.map { space.point(of: $0.configuration) }
        let batch = best.flatMap { BatchImprovement(gp, running: running, best: $0, fantasy: fantasy, generator: &generator) }
        // The local search starts from the best observations: with constraints, feasible ones first.
        let starts = feasibility == nil ? standardized : kept.indices.map { finished[kept[$0]].feasible ? standardized[$0] : standardized[$0] + 1e6 }
        let (point, _) = maximizeAcquisition(gp, best: best, space: space, x: x, y: starts, trials: history.count, batch: batch,
                                             feasibility: feasibility, generator: &generator)
        return space.configuration(at: point)
    }

    /// Unit-cube points and losses; failed trials imputed as worse than the worst.
    func observations(_ trials: [Trial], _ space: SearchSpace, _ direction: Direction) -> ([[Double]], [Double]) {
        // Once per rung, not per pruned trial: studies of thousands of trials prune at a few steps.
        var remaining: [Int: Double] = [:]
        for step in Set(trials.filter { $0.state == .pruned }.compactMap(\.lastStep)) { remaining[step] = Self.remaining(after: step, trials, direction) }
        let values = trials.map { t -> Double in
            guard t.state == .completed || t.state == .pruned, let v = t.value, v.isFinite else { return .nan }
            guard t.state == .pruned, let step = t.lastStep else { return direction.loss(v) }
            return direction.loss(v) + remaining[step]!
        }
        return (trials.map { space.point(of: $0.configuration) }, Self.imputed(values))
    }

    /// How much completed trials still gained from `step` to their end (the median, in loss
    /// terms): a pruned trial is scored where its curve would likely have ended, not where it
    /// was cut. 0 when no completed trial reported at that step.
    static func remaining(after step: Int, _ trials: [Trial], _ direction: Direction) -> Double {
        let gains = trials.compactMap { t -> Double? in
            guard t.state == .completed, let v = t.value, v.isFinite, let at = t.reports[step], at.isFinite, t.lastStep.map({ $0 > step }) ?? false else { return nil }
            return direction.loss(v) - direction.loss(at)
        }.sorted()
        return gains.isEmpty ? 0 : gains[gains.count / 2]
    }

    /// Non-finite values (failed trials, metrics never reported) replaced by a value worse than
    /// the worst: half the observed range beyond it.
    static func imputed(_ values: [Double]) -> [Double] {
        let finite = values.filter(\.isFinite)
        let worst = finite.max() ?? 0, best = finite.min() ?? 0
        let imputed = worst + 0.5 * Swift.max(worst - best, 1e-6)
        return values.map { $0.isFinite ? $0 : imputed }
    }

    /// At most `maximumPoints` observations: the best half and the most recent half.
    func capped(_ x: [[Double]], _ y: [Double], _ numbers: [Int]) -> ([[Double]], [Double]) {
        let kept = cappedIndices(y, numbers)
        return (kept.map { x[$0] }, kept.map { y[$0] })
    }

    /// The positions `capped` keeps, in order.
    func cappedIndices(_ y: [Double], _ numbers: [Int]) -> [Int] {
        guard y.count > maximumPoints else { return Array(y.indices) }
        let byValue = y.indices.sorted { y[$0] < y[$1] }.prefix(maximumPoints / 2)
        var keep = Set(byValue)
        for i in y.indices.sorted(by: { numbers[$0] > numbers[$1] }) where keep.count < maximumPoints { keep.insert(i) }
        return keep.sorted()
    }

    /// Outputs for the GP: optionally log-warped, log(y − min + δ) with δ = 0.3 × (median − min)
    /// (the region near the best values keeps its resolution when the objective spans orders of
    /// magnitude), then standardized. Also returns log |dy'/dy| summed over the points, so that
    /// fits on warped and unwarped outputs compare as likelihoods of the same data.
    func transform(_ raw: [Double], warp: Bool) -> (values: [Double], logJacobian: Double) {
        var y = raw, jacobian = 0.0
        if warp {
            let low = raw.min() ?? 0
            let median = raw.sorted()[raw.count / 2]
            let delta = Swift.max(0.3 * (median - low), 1e-12)
            y = raw.map { log($0 - low + delta) }
            jacobian = raw.map { -log($0 - low + delta) }.reduce(0, +)
        }
        let mean = y.reduce(0, +) / Double(y.count)
        let std = Swift.max((y.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(y.count)).squareRoot(), 1e-10)
        return (y.map { ($0 - mean) / std }, jacobian - Double(y.count) * log(std))
    }

    /// The fit a suggestion uses, from the first `checkpoints(n).used` finished trials, cached by
    /// them; the last checkpoint reached is fitted ahead, in the background, for the suggestions
    /// after the next one.
    func fit(_ finished: [Trial], _ space: SearchSpace, _ direction: Direction, _ categorical: [Bool],
             fitting: (([Trial]) -> [Trial])? = nil, prior: Prior = .unitLengthscale) -> Fit {
        func keyed(_ count: Int) -> (Int, [Trial]) {
            let first = Array(finished.prefix(count))
            let prefix = fitting?(first) ?? first
            // Keyed by the trials themselves: one sampler may serve several studies.
            var hasher = Hasher()
            for t in prefix {
                hasher.combine(t.number); hasher.combine(t.configuration); hasher.combine(t.value); hasher.combine(t.state); hasher.combine(t.violations)
            }
            hasher.combine(direction)
            hasher.combine(prior)
            return (hasher.finalize(), prefix)
        }
        let (used, ahead) = Self.checkpoints(finished.count)
        if let ahead {
            let (key, prefix) = keyed(ahead)
            fits.ahead(key) { [self] in make(prefix, space, direction, categorical, prior: prior) }
        }
        let (key, prefix) = keyed(used)
        return fits.fit(key) { make(prefix, space, direction, categorical, prior: prior) }
    }

    /// Hyperparameters fitted on `trials`: the objective's, warped or not (whichever explains the
    /// data better), and each constraint's, on at most the last 150 trials.
    func make(_ trials: [Trial], _ space: SearchSpace, _ direction: Direction, _ categorical: [Bool], prior: Prior = .unitLengthscale) -> Fit {
        let d = space.parameters.count
        var (x, y) = observations(trials, space, direction)
        let points = x
        (x, y) = capped(x, y, trials.map(\.number))
        if x.count > 150 { (x, y) = (Array(x.suffix(150)), Array(y.suffix(150))) }
        var best: (Hyperparameters, Bool) = (.initial(dimensions: d), false)
        var bestEvidence = -Double.infinity
        for warp in [false, true] {
            let (values, jacobian) = transform(y, warp: warp)
            let fitted = GaussianProcess.fit(x: x, y: values, categorical: categorical, start: .initial(dimensions: d), prior: prior)
            guard let (objective, _) = GaussianProcess.objective(x: x, y: values, categorical: categorical, hyper: fitted, prior: prior) else { continue }
            if objective + jacobian > bestEvidence { (best, bestEvidence) = ((fitted, warp), objective + jacobian) }
        }
        let first = Swift.max(0, trials.count - 150)
        let constraints = (0..<(trials.map(\.violations.count).max() ?? 0)).map { k in
            let raw = trials[first...].map { k < $0.violations.count ? $0.violations[k] : .nan }
            return GaussianProcess.fit(x: Array(points[first...]), y: Self.standardized(raw).values, categorical: categorical, start: .initial(dimensions: d),
                                       prior: prior)
        }
        return Fit(objective: best.0, warped: best.1, constraints: constraints)
    }

    /// How many of `n` finished trials a suggestion's fit is made on (`used`), and the
    /// checkpoint to fit ahead: every trial up to 40, then a 10% progression (40, 44, 49, …).
    /// From `fittedAhead` trials on, a suggestion uses the checkpoint before the last one
    /// reached, whose fit was made meanwhile.
    static func checkpoints(_ n: Int) -> (used: Int, ahead: Int?) {
        guard n > 40 else { return (n, nil) }
        var (previous, last) = (40, 40)
        while Int((Double(last) * 1.1).rounded(.up)) <= n { (previous, last) = (last, Int((Double(last) * 1.1).rounded(.up))) }
        return last < fittedAhead ? (last, nil) : (previous, last)
    }

    /// Below this many trials a fit is cheap (about two suggestions at 100 trials, nine at 1,000)
    /// and ten more trials still move the hyperparameters: a lag there cost regret (Branin at 50
    /// trials 1.4e-5 → 3.2e-5, Hartmann6 0.015 → 0.026), so those fits stay on the suggestion path.
    static let fittedAhead = 100

    /// The point to evaluate next and its log EI. Every point is scored where a trial would
    /// actually run: integers and steps at their cell, categories at their value, inactive
    /// parameters where observations put them (`snap`), so the score reported is the score of the
    /// suggestion. A point that repeats an observed configuration loses to the best one that
    /// does not, when there is one.
    /// `best`: the incumbent (nil: no feasible trial, the score is log P(feasible) alone);
    /// `feasibility`: with constraints, its log probability is added to the score.
    func maximizeAcquisition<G: RandomNumberGenerator>(_ gp: GaussianProcess, best: Double?, space: SearchSpace, x: [[Double]], y: [Double],
                                                       trials: Int, batch: BatchImprovement? = nil, feasibility: FeasibilityModel? = nil,
                                                       generator: inout G) -> (point: [Double], value: Double) {
        let d = space.parameters.count
        let categorical = space.parameters.map { !$0.domain.isNumeric }
        func snap(_ p: [Double]) -> [Double] { space.point(of: space.configuration(at: p)) }
        func improvement(_ q: [Double]) -> Double {
            guard let best else { return 0 }
            if let batch { return batch.log(q) }
            let (mean, variance) = gp.predict(q)
            return logExpectedImprovement(mean: mean, variance: variance, best: best)
        }
        func score(_ p: [Double]) -> Double {
            let q = snap(p)
            guard let feasibility else { return improvement(q) }
            return improvement(q) + feasibility.logProbability(q)
        }
        func clamp(_ p: [Double]) -> [Double] { p.map { Swift.min(Swift.max($0, 0), 1) } }
        var candidates: [[Double]] = []
        var shift = SplitMix64(seed: seed ^ UInt64(trials) &* 0x9E37_79B9)
        let masks = (0..<d).map { _ in UInt32(truncatingIfNeeded: shift.next() >> 32) }
        if d <= SobolSampler.maximumDimensions {
            for i in 0..<256 {
                candidates.append(zip(SobolSampler.point(i, dimensions: d), masks).map { Double($0 ^ $1) / 4_294_967_296.0 })
            }
        } else {
            for _ in 0..<256 { candidates.append((0..<d).map { _ in generator.unit() }) }
        }
        for i in y.indices.sorted(by: { y[$0] < y[$1] }).prefix(5) {
            for _ in 0..<20 {
                candidates.append(clamp(x[i].enumerated().map { k, v in
                    categorical[k] ? (generator.unit() < 0.2 ? generator.unit() : v) : v + 0.1 * generator.gaussian()
                }))
            }
        }
        var scored = candidates.map { ($0, score($0)) }.sorted { $0.1 > $1.1 }
        // Shrinking local search from the three best candidates.
        for start in 0..<Swift.min(3, scored.count) {
            var (current, value) = scored[start]
            var width = 0.05
            for _ in 0..<25 {
                let trial = clamp(current.enumerated().map { k, v in
                    categorical[k] ? (generator.unit() < 0.1 ? generator.unit() : v) : v + width * generator.gaussian()
                })
                let s = score(trial)
                if s > value { (current, value) = (trial, s) } else { width *= 0.85 }
            }
            scored[start] = (current, value)
        }
        // Gradient ascent on the continuous coordinates from the five best points so far:
        // normalized steps, halved when they stop improving, down to 1e-6 of the range.
        scored.sort { $0.1 > $1.1 }
        for start in 0..<Swift.min(5, scored.count) where categorical.contains(false) {
            var (current, value) = scored[start]
            var step = 0.02
            for _ in 0..<60 {
                var gradient = [Double](repeating: 0, count: d)
                if let batch { gradient = batch.logWithGradient(current).1 } else if let best {
                    let p = gp.predictWithGradient(current)
                    gradient = logExpectedImprovementWithGradient(mean: p.mean, variance: p.variance, dMean: p.dMean, dVariance: p.dVariance, best: best).1
                }
                if let feasibility { gradient = zip(gradient, feasibility.logProbabilityWithGradient(current).1).map(+) }
                let norm = gradient.map { $0 * $0 }.reduce(0, +).squareRoot()
                guard norm.isFinite, norm > 0 else { break }
                let trial = clamp(zip(current, gradient).map { $0 + step * $1 / norm })
                let s = score(trial)
                if s > value { (current, value) = (trial, s); step *= 1.2 } else {
                    step *= 0.5
                    if step < 1e-6 { break }
                }
            }
            scored[start] = (current, value)
        }
        // Discrete coordinates with few values (categories, small integer ranges) tried one by
        // one from the best points: the acquisition over them is searched, not sampled.
        scored = scored.map { (snap($0.0), $0.1) }.sorted { $0.1 > $1.1 }
        for start in 0..<Swift.min(3, scored.count) {
            var (current, value) = scored[start]
            for (k, parameter) in space.parameters.enumerated() {
                guard let count = parameter.domain.cardinality, count > 1, count <= 16 else { continue }
                for cell in 0..<count {
                    var trial = current
                    trial[k] = (Double(cell) + 0.5) / Double(count)
                    let s = score(trial)
                    if s > value { (current, value) = (snap(trial), s) }
                }
            }
            scored[start] = (current, value)
        }
        scored.sort { $0.1 > $1.1 }
        let observed = Set(x.map(Self.key))
        return scored.first { !observed.contains(Self.key($0.0)) } ?? scored[0]
    }

    /// A snapped point as a set key (cell centres, rounded past float noise).
    static func key(_ point: [Double]) -> [Int64] { point.map { Int64(($0 * 1e9).rounded()) } }
}
