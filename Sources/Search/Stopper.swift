/// Why a trial was stopped: the rule and the numbers behind it, recorded with the trial.
public struct StopReason: Equatable, Sendable, Codable, CustomStringConvertible {
    public let rule: StopRule
    public let detail: String
    public let numbers: [String: Double]

    public init(rule: StopRule, detail: String, numbers: [String: Double] = [:]) {
        self.rule = rule
        self.detail = detail
        self.numbers = numbers
    }

    public var description: String { "\(rule.rawValue): \(detail)" }
}

public enum StopDecision: Equatable, Sendable {
    case `continue`
    case stop(StopReason)
}

/// Decides, after a trial reports a step, whether it goes on. Pure: it reads only the trial
/// and the study's history (which includes the trial itself).
public protocol Stopper: Sendable {
    func decide(_ trial: Trial, step: Int, history: [Trial], direction: Direction) -> StopDecision
}

/// Stoppers applied in order; the first that stops wins. Divergence always comes first.
public struct StopperChain: Stopper {
    public let stoppers: [any Stopper]

    public init(_ stoppers: [any Stopper], divergence: Divergence = Divergence()) {
        self.stoppers = [divergence] + stoppers
    }

    public func decide(_ trial: Trial, step: Int, history: [Trial], direction: Direction) -> StopDecision {
        decide(trial, step: step, history: history, direction: direction, lastStep: nil)
    }

    /// At the trial's `lastStep` only divergence stops it: stopping a trial that ends anyway saves
    /// nothing and would label a finished trial pruned (ASHA's top rung often is the last epoch).
    public func decide(_ trial: Trial, step: Int, history: [Trial], direction: Direction, lastStep: Int?) -> StopDecision {
        let final = lastStep.map { step >= $0 } ?? false
        for stopper in final ? Array(stoppers.prefix(1)) : stoppers {
            let decision = stopper.decide(trial, step: step, history: history, direction: direction)
            if case .stop = decision { return decision }
        }
        return .continue
    }
}

/// A NaN or infinite objective, always. With a `factor` (nil: off), also a loss that blows up:
/// minimizing, every report positive, and this one more than `factor` times the largest the trial
/// has reported before, so the rule scales with the trial's own values (a loss falling from 0.1 to
/// 5e-11 that ticks up to 7e-9 has not diverged; one going from 2.3 to 40 has). A maximized or a
/// signed objective has no scale to judge by: only NaN and ∞ count there.
public struct Divergence: Stopper {
    public let factor: Double?

    public init(factor: Double? = 10) { self.factor = factor }

    public func decide(_ trial: Trial, step: Int, history: [Trial], direction: Direction) -> StopDecision {
        guard let value = trial.reports[step] else { return .continue }
        guard value.isFinite else {
            return .stop(StopReason(rule: .divergence, detail: "objective is \(value) at step \(step)", numbers: ["step": Double(step)]))
        }
        guard let factor, direction == .minimize else { return .continue }
        let earlier = trial.reports.filter { $0.key < step }.values
        guard let largest = earlier.max(), earlier.allSatisfy({ $0 > 0 }), value > 0 else { return .continue }
        if value > factor * largest {
            return .stop(StopReason(rule: .divergence, detail: "objective \(value) is more than \(factor)× the largest it reported before, \(largest)",
                                    numbers: ["value": value, "largest": largest, "factor": factor]))
        }
        return .continue
    }
}

/// Median rule (Golovin et al. 2017, Google Vizier): after `warmup` steps and once
/// `minimumTrials` trials completed, stop a trial whose best value so far is worse than the
/// median of the other trials' values at the same step. With several objectives (`directions`),
/// "worse than the median" is by Pareto front: the trial stops when more than half of the others
/// lie in a better front than its values at this step.
public struct MedianRule: Stopper {
    public let warmup: Int
    public let minimumTrials: Int
    /// Several objectives' directions; empty for one (the `direction` each decision gets).
    public let directions: [Direction]

    public init(warmup: Int = 1, minimumTrials: Int = 5, directions: [Direction] = []) {
        self.warmup = warmup
        self.minimumTrials = minimumTrials
        self.directions = directions.count > 1 ? directions : []
    }

    public func decide(_ trial: Trial, step: Int, history: [Trial], direction: Direction) -> StopDecision {
        guard step >= warmup, history.filter({ $0.state == .completed }).count >= minimumTrials else { return .continue }
        if !directions.isEmpty { return decideFronts(trial, step: step, history: history) }
        // Each trial's best loss by this step, with how far past the constraints it stood then.
        func best(_ t: Trial) -> (excess: Double, loss: Double)? {
            t.reports.filter { $0.key <= step && $0.value.isFinite }.map { direction.loss($0.value) }.min().map { (t.excess(by: step), $0) }
        }
        let scored = history.filter { $0.number != trial.number }.compactMap(best)
        guard let mine = best(trial), !scored.isEmpty else { return .continue }
        if mine.excess > 0 || scored.contains(where: { $0.excess > 0 }) { return decideConstrained(mine, scored, step: step) }
        let own = mine.loss, others = scored.map(\.loss)
        let median = middle(others)
        guard own > median else { return .continue }
        return .stop(StopReason(rule: .median, detail: "best \(direction.loss(own)) by step \(step) is worse than the median \(direction.loss(median)) of \(others.count) trials",
                                numbers: ["step": Double(step), "value": direction.loss(own), "median": direction.loss(median), "trials": Double(others.count)]))
    }
}

extension MedianRule {
    /// Each trial's losses at its last report by `step`, all finite.
    func latest(_ trial: Trial, by step: Int) -> [Double]? {
        guard let last = trial.stepValues.keys.filter({ $0 <= step }).max() else { return nil }
        return Pareto.finiteLosses(trial.stepValues[last], directions)
    }

    /// With a constraint broken by the step (by this trial or another), one objective: the trial
    /// stops when more than half of the others rank ahead of it by (excess, best loss so far).
    func decideConstrained(_ own: (excess: Double, loss: Double), _ others: [(excess: Double, loss: Double)], step: Int) -> StopDecision {
        let ahead = others.filter { $0 < own }.count
        guard 2 * ahead > others.count else { return .continue }
        return .stop(StopReason(rule: .median, detail: "at step \(step), \(ahead) of \(others.count) trials rank ahead by constraints, then value; more than half do",
                                numbers: ["step": Double(step), "better": Double(ahead), "trials": Double(others.count)]))
    }

    func decideFronts(_ trial: Trial, step: Int, history: [Trial]) -> StopDecision {
        let others = history.filter { $0.number != trial.number }.compactMap { t in latest(t, by: step).map { (excess: t.excess(by: step), losses: $0) } }
        guard let own = latest(trial, by: step), !others.isEmpty else { return .continue }
        let better = Pareto.better(than: (trial.excess(by: step), own), among: others)
        guard 2 * better > others.count else { return .continue }
        return .stop(StopReason(rule: .median, detail: "at step \(step), \(better) of \(others.count) trials lie in a better Pareto front; more than half do",
                                numbers: ["step": Double(step), "better": Double(better), "trials": Double(others.count)]))
    }
}

func middle(_ values: [Double]) -> Double {
    let s = values.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// Asynchronous successive halving (Li et al. 2020), the stopping variant: rungs at
/// `minimumResource · reductionFactor^k` steps; a trial reaching a rung continues only if it is
/// in the top 1/`reductionFactor` of the trials that reached that rung. With several objectives
/// (`directions`) the rung is ranked by non-dominated sorting: a trial's rank is how many of the
/// rung lie in a better Pareto front than its values there (Optuna has no pruning for studies
/// of several objectives).
public struct ASHA: Stopper {
    public let minimumResource: Int
    public let reductionFactor: Int
    /// Several objectives' directions; empty for one.
    public let directions: [Direction]
    /// Trials of other brackets are not compared (Hyperband); nil: one bracket.
    let bracket: (index: Int, count: Int)?

    public init(minimumResource: Int = 1, reductionFactor: Int = 3, directions: [Direction] = []) {
        self.init(minimumResource: minimumResource, reductionFactor: reductionFactor, directions: directions, bracket: nil)
    }

    init(minimumResource: Int, reductionFactor: Int, directions: [Direction], bracket: (Int, Int)?) {
        self.minimumResource = Swift.max(minimumResource, 1)
        self.reductionFactor = Swift.max(reductionFactor, 2)
        self.directions = directions.count > 1 ? directions : []
        self.bracket = bracket
    }

    /// Whether `step` is a rung.
    public func isRung(_ step: Int) -> Bool {
        var r = minimumResource
        while r < step { r *= reductionFactor }
        return r == step
    }

    public func decide(_ trial: Trial, step: Int, history: [Trial], direction: Direction) -> StopDecision {
        guard isRung(step), let value = trial.reports[step] else { return .continue }
        let peers = history.filter { t in bracket.map { t.number % $0.count == $0.index } ?? true }
        let rung: Int, rank: Int
        // Ordered by (excess past the constraints, loss): the loss alone without constraints.
        if directions.isEmpty {
            let keys = peers.compactMap { t in t.reports[step].flatMap { $0.isFinite ? (t.excess(by: step), direction.loss($0)) : nil } }
            let own = (trial.excess(by: step), direction.loss(value))
            (rung, rank) = (keys.count, keys.filter { $0 < own }.count)
        } else {
            guard let own = Pareto.finiteLosses(trial.stepValues[step], directions) else { return .continue }
            let others = peers.filter { $0.number != trial.number }.compactMap { t in
                Pareto.finiteLosses(t.stepValues[step], directions).map { (excess: t.excess(by: step), losses: $0) }
            }
            (rung, rank) = (others.count + 1, Pareto.better(than: (trial.excess(by: step), own), among: others))
        }
        let keep = Swift.max(1, rung / reductionFactor)
        guard rank >= keep else { return .continue }
        let constrained = trial.excess(by: step) > 0 ? ", past a constraint" : ""
        return .stop(StopReason(rule: .asha, detail: "ranked \(rank + 1) of \(rung) at rung \(step)\(directions.isEmpty ? "" : " by Pareto front")\(constrained); only the top \(keep) continue",
                                numbers: ["step": Double(step), "rank": Double(rank + 1), "trials": Double(rung), "keep": Double(keep)]))
    }
}

/// Hyperband (Li et al. 2018) as several ASHA brackets: trial n goes to bracket n mod
/// `brackets`, whose first rung is `minimumResource · reductionFactor^bracket`.
public struct Hyperband: Stopper {
    public let minimumResource: Int
    public let reductionFactor: Int
    public let brackets: Int
    /// Several objectives' directions (each bracket's ASHA ranks by Pareto front); empty for one.
    public let directions: [Direction]

    public init(minimumResource: Int = 1, reductionFactor: Int = 3, brackets: Int = 3, directions: [Direction] = []) {
        self.minimumResource = Swift.max(minimumResource, 1)
        self.reductionFactor = Swift.max(reductionFactor, 2)
        self.brackets = Swift.max(brackets, 1)
        self.directions = directions
    }

    public func decide(_ trial: Trial, step: Int, history: [Trial], direction: Direction) -> StopDecision {
        let index = trial.number % brackets
        var first = minimumResource
        for _ in 0..<index { first *= reductionFactor }
        let asha = ASHA(minimumResource: first, reductionFactor: reductionFactor, directions: directions, bracket: (index, brackets))
        guard case let .stop(reason) = asha.decide(trial, step: step, history: history, direction: direction) else { return .continue }
        var numbers = reason.numbers
        numbers["bracket"] = Double(index)
        return .stop(StopReason(rule: .hyperband, detail: "bracket \(index): \(reason.detail)", numbers: numbers))
    }
}

/// Stop a trial whose objective has not improved for `patience` steps.
public struct Patience: Stopper {
    public let patience: Int
    public let minimumDelta: Double

    public init(patience: Int = 3, minimumDelta: Double = 0) {
        self.patience = Swift.max(patience, 1)
        self.minimumDelta = minimumDelta
    }

    public func decide(_ trial: Trial, step: Int, history: [Trial], direction: Direction) -> StopDecision {
        let steps = trial.reports.keys.filter { $0 <= step }.sorted()
        guard let bestStep = steps.min(by: { direction.loss(trial.reports[$0]!) < direction.loss(trial.reports[$1]!) }) else { return .continue }
        let best = direction.loss(trial.reports[bestStep]!)
        let waited = steps.filter { $0 > bestStep && direction.loss(trial.reports[$0]!) > best - minimumDelta }.count
        guard waited >= patience else { return .continue }
        return .stop(StopReason(rule: .patience, detail: "no improvement for \(waited) steps since step \(bestStep)",
                                numbers: ["best_step": Double(bestStep), "waited": Double(waited)]))
    }
}

/// Stop at a step budget.
public struct MaximumSteps: Stopper {
    public let steps: Int
    public init(_ steps: Int) { self.steps = steps }

    public func decide(_ trial: Trial, step: Int, history: [Trial], direction: Direction) -> StopDecision {
        step >= steps ? .stop(StopReason(rule: .maxSteps, detail: "reached \(steps) steps", numbers: ["steps": Double(steps)])) : .continue
    }
}
