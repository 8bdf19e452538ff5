import Config
import Search

/// The playbook's debugging workflow, read off a finished study: what its curves and its
/// leaderboard say (each finding with the numbers it rests on), and the changes that make the
/// next study (ranges moved and narrowed, losing choices dropped, epochs and stopper adjusted).
/// Only what the data supports is said: every rule needs enough trials, and says nothing otherwise.
public struct Advisor: Sendable {
    public let spec: StudySpec
    public let trials: [Observed]

    public init(spec: StudySpec, trials: [Observed]) {
        self.spec = spec
        self.trials = trials.sorted { $0.number < $1.number }
    }

    public func advise() -> Advice {
        var advice = Advice()
        fit(&advice)
        ranges(&advice)
        pruning(&advice)
        noise(&advice)
        strategy(&advice)
        retrained(&advice)
        return advice
    }

    /// The configurations the next study runs first (`enqueue`) must lie in its space: those a
    /// range change or a dropped choice leaves out are not run again (with none left, no enqueue).
    func retrained(_ advice: inout Advice) {
        guard let k = advice.changes.firstIndex(where: { if case .set("enqueue", _, _) = $0 { true } else { false } }),
              case let .set(_, .array(configurations), why) = advice.changes[k] else { return }
        let inside = configurations.filter { c in
            guard case let .object(values) = c else { return false }
            return advice.changes.allSatisfy { change in
                switch change {
                case let .range(name, low, high, _):
                    guard case let .number(x)? = values[name] else { return true }
                    let integer = spec.space.parameters.first { $0.name == name }?.domain.isInteger ?? false
                    return x >= Advice.bound(low, integer: integer) && x <= Advice.bound(high, integer: integer)
                case let .drop(name, value, _): return values[name] != value
                case .search, .set: return true
                }
            }
        }
        if inside.isEmpty { advice.changes.remove(at: k) } else { advice.changes[k] = .set("enqueue", .array(inside), why: why) }
    }

    /// Refining a space round 1 mapped is where Bayesian optimization is strongest (Sweep's GP is
    /// ahead of TPE and Optuna's GP on continuous functions, `make bench SUITES=search`, and
    /// searches choices at their values): the next round uses it, starting from this study's
    /// trials, unless the trial itself changes (more epochs, a wider model, a new parameter).
    /// Then round 1's values measure another model: the GP would fit them as if they were round
    /// 2's, while TPE only reads which trials were the best quarter. A space that is conditional
    /// or mostly choices keeps its sampler, as `strategy: auto` picks TPE for it.
    func strategy(_ advice: inout Advice) {
        guard !spec.space.searched.isEmpty, !spec.space.favoursTPE else { return }
        let trialChanged = advice.changes.contains { change in
            switch change {
            case let .set(path, _, _): path.hasPrefix("trial.")
            case .search: true
            case .range, .drop: false
            }
        }
        guard !trialChanged else { return }
        switch spec.strategy {
        case .tpe, .random, .sobol, .coarseToFine:
            advice.changes.append(.set("strategy", .object(["name": .string("gp")]),
                                       why: "the trial is unchanged, so this study's trials measure what the next one will: the GP refines from them"))
        case .gp, .grid, .nsga2: return
        }
    }

    // MARK: What the rules share

    func loss(_ value: Double) -> Double { spec.direction.loss(value) }

    /// Holm's step-down over tests of one family (every range, or every choice's value): the
    /// positions of `chances` that pass, so that the chance any passes by luck stays 5%.
    static func holm(_ chances: [Double]) -> [Int] {
        var passed: [Int] = []
        for (i, k) in chances.indices.sorted(by: { chances[$0] < chances[$1] }).enumerated() {
            guard chances[k] < 0.05 / Double(chances.count - i) else { break }
            passed.append(k)
        }
        return passed
    }

    /// Completed trials with a finite objective, best first: feasible before infeasible, then by
    /// Pareto front (several objectives), then by the first objective. The rules that read curves
    /// read the first objective's.
    var finished: [Observed] {
        trials.filter { $0.state == .completed && ($0.value?.isFinite ?? false) }.sorted { a, b in
            if (a.feasible ?? true) != (b.feasible ?? true) { return a.feasible ?? true }
            if (a.front ?? .max) != (b.front ?? .max) { return (a.front ?? .max) < (b.front ?? .max) }
            return loss(a.value!) < loss(b.value!)
        }
    }

    /// Completed trials best first, then pruned ones by the value they were stopped at: a
    /// pruned trial was behind the ones that went on, so it ranks below them.
    var ranked: [Observed] {
        finished + trials.filter { $0.state == .pruned && ($0.value?.isFinite ?? false) }.sorted { loss($0.value!) < loss($1.value!) }
    }

    /// The best quarter of the finished trials (at least one).
    var top: [Observed] {
        let f = finished
        return Array(f.prefix(max(1, f.count / 4)))
    }

    /// The training metric that mirrors the objective (`validation_accuracy` → `train_accuracy`).
    var trainMetric: String? {
        guard spec.metric.hasPrefix("validation_") else { return nil }
        return "train_" + spec.metric.dropFirst("validation_".count)
    }

    /// Whether the objective is an accuracy (a gap in points) rather than a loss (a gap in ratio).
    var isAccuracy: Bool { spec.metric.contains("accuracy") }

    func format(_ x: Double) -> String {
        guard x.isFinite else { return "\(x)" }
        let a = abs(x)
        if a != 0 && (a < 1e-3 || a >= 1e5) { return String(format: "%.2e", x) }
        return String(format: a < 1 ? "%.3g" : "%.4g", x)
    }

    /// A probability as a person reads it: "3%", "< 1%".
    func percent(_ p: Double) -> String { p < 0.01 ? "< 1%" : "\(Int((100 * p).rounded()))%" }

    func format(_ value: Config) -> String {
        if case let .number(x) = value { return format(x) }
        return value.description
    }
}

/// What the advisor found and what the next study changes.
public struct Advice: Sendable {
    public var findings: [Finding] = []
    public var changes: [Change] = []

    mutating func add(_ rule: Rule, _ sentence: String, _ numbers: [String: Double] = [:], changes: [Change] = []) {
        findings.append(Finding(rule: rule, sentence: sentence, numbers: numbers))
        self.changes += changes
    }

    public func has(_ rule: Rule) -> Bool { findings.contains { $0.rule == rule } }
}

/// The playbook's readings the advisor can make.
public enum Rule: String, Sendable, CaseIterable {
    /// Training and validation agree and still improve at the last epoch.
    case underfit
    /// Training far above validation, or validation getting worse after some epoch.
    case overfit
    /// The best values of a parameter sit at a bound of its range.
    case atBound = "at_bound"
    /// Part of a range never produced a trial in the top quarter.
    case tooWide = "too_wide"
    /// Learning rates above a value diverged or were stopped every time.
    case diverging
    /// A choice never reached the top quarter.
    case losingChoice = "losing_choice"
    /// Pruned trials that would have finished among the best.
    case eagerPruning = "eager_pruning"
    /// Trials that were behind early and finished behind, run to the end.
    case laxPruning = "lax_pruning"
    /// The same configuration scored further apart than the leaders are.
    case noisy
}

public struct Finding: Sendable, Equatable {
    public let rule: Rule
    /// A plain sentence with the numbers in it.
    public let sentence: String
    public let numbers: [String: Double]
}

/// One edit of the spec, with why.
public enum Change: Sendable, Equatable {
    /// A numeric parameter's new range.
    case range(String, low: Double, high: Double, why: String)
    /// A choice's value removed.
    case drop(String, Config, why: String)
    /// A new searched parameter (`space.NAME`: the domain as the spec writes it).
    case search(String, Config, why: String)
    /// A value at a dotted path of the spec (`trial.epochs`, `stopper`).
    case set(String, Config, why: String)

    public var why: String {
        switch self {
        case let .range(_, _, _, why), let .drop(_, _, why), let .search(_, _, why), let .set(_, _, why): why
        }
    }
}
