import Config

/// A search spec: what to optimize, over which space, how, within what budget, with which early
/// stopping. Read from YAML or JSON; every problem is reported with its path and the fix.
public struct StudySpec: Equatable, Sendable {
    public var name: String
    /// What the study optimizes: one metric, or several (a Pareto front is searched, no single best).
    public var objectives: [Objective]
    /// The first objective's metric: the one objective, or the one a study of several retrains
    /// and tests its final trial by (the front's best on it).
    public var metric: String { objectives[0].metric }
    public var direction: Direction { objectives[0].direction }
    /// Bounds a trial's metrics must keep to count (`constraints`): the best trial and the
    /// front are feasible ones, and the samplers model feasibility.
    public var constraints: [Constraint]
    /// The base configuration of a built-in trial, searched parameters laid over it.
    public var trial: Config
    /// An external command trial: arguments with `{param}` placeholders.
    public var command: [String]?
    /// Who runs the trials: the built-in engine, a command on a worker, or a program outside
    /// Sweep that asks for them (the Python client's `ask`).
    public var runner: Runner

    public enum Runner: String, Equatable, Sendable, CaseIterable {
        case builtin, command, external
    }
    public var space: SearchSpace
    public var strategy: Strategy
    public var budget: Budget
    public var retries: Retries
    public var stopper: StopperSpec
    /// Its share of the workers against other running studies (`priority`, default 1): a study
    /// of priority 2 gets twice the running trials of one of priority 1 when both want more.
    public var priority: Double
    /// The divergence rule's factor (`stopper.divergence`, default 10); nil (`off`): NaN and ∞ only.
    public var divergence: Double?
    public var seed: UInt64
    /// A study on the same coordinator whose finished trials the samplers start from (`warm_start`).
    public var warmStart: String?
    /// Configurations to try first, in order, before the sampler's (`enqueue`, as Ray Tune's
    /// `points_to_evaluate`): each checked against the space when the spec is read.
    public var enqueue: [Configuration] = []

    public struct Budget: Equatable, Sendable {
        public var maxTrials = 20
        public var maxConcurrent = 2
        /// Seconds; nil: no limit.
        public var maxWallTime: Double?
        /// Stop the study when its first this many trials all fail for the same reason (0: never).
        public var failFast = 3
        /// Seconds a trial may run before it is stopped and counted as failed (nil: no limit).
        public var trialTimeout: Double?
    }

    public struct Retries: Equatable, Sendable {
        /// A trial that fails (or times out) for its own reasons runs again, as its next attempt
        /// on another worker where one is free, this many times before it counts as failed.
        public var maxFailures = 0
    }

    public enum Strategy: Equatable, Sendable {
        case random, sobol, gp, tpe
        /// Several objectives only.
        case nsga2
        case grid(points: Int)
        case coarseToFine(startup: Int, shrink: Double, exploration: Double)

        /// As a spec writes it: `tpe`, `grid (grid_points 5)`.
        public var name: String {
            switch self {
            case .random: "random"
            case .sobol: "sobol"
            case .gp: "gp"
            case .tpe: "tpe"
            case .nsga2: "nsga2"
            case let .grid(points): "grid (grid_points \(points))"
            case let .coarseToFine(startup, shrink, exploration): "coarse_to_fine (startup \(startup), shrink \(shrink), exploration \(exploration))"
            }
        }

        /// The sampler; `seed` fixes the study's quasi-random scrambling.
        public func sampler(seed: UInt64) -> any Sampler {
            switch self {
            case .random: RandomSampler()
            case .sobol: SobolSampler(seed: seed)
            case .gp: GPSampler(seed: seed)
            case .tpe: TPESampler(seed: seed)
            case .nsga2: preconditionFailure("nsga2 searches several objectives; the spec check rejects it for one")
            case let .grid(points): GridSampler(points: points)
            case let .coarseToFine(startup, shrink, exploration): CoarseToFineSampler(startup: startup, shrink: shrink, exploration: exploration)
            }
        }

        /// The sampler for several objectives: NSGA-II, or this strategy's one-objective sampler
        /// on a random scalarization per suggestion (`Scalarized`).
        public func paretoSampler(seed: UInt64) -> any ParetoSampler {
            self == .nsga2 ? NSGA2Sampler(seed: seed) : Scalarized(sampler(seed: seed))
        }
    }

    public enum StopperSpec: Equatable, Sendable {
        case none
        case median(warmup: Int, minimumTrials: Int)
        case asha(minimumResource: Int, reductionFactor: Int)
        case hyperband(minimumResource: Int, reductionFactor: Int, brackets: Int)
        case patience(Int)

        /// As a spec writes it: `asha (min_resource 1, reduction_factor 3)`.
        public var name: String {
            switch self {
            case .none: "none"
            case let .median(w, m): "median (warmup \(w), min_trials \(m))"
            case let .asha(r, f): "asha (min_resource \(r), reduction_factor \(f))"
            case let .hyperband(r, f, b): "hyperband (min_resource \(r), reduction_factor \(f), brackets \(b))"
            case let .patience(p): "patience (\(p))"
            }
        }

        /// The rule, after divergence (`stopper.divergence`: its factor, nil for NaN and ∞ only);
        /// `directions`: the objectives' (with several, the rules rank by Pareto front).
        public func chain(divergence factor: Double?, directions: [Direction] = []) -> StopperChain {
            let divergence = Divergence(factor: factor)
            return switch self {
            case .none: StopperChain([], divergence: divergence)
            case let .median(w, m): StopperChain([MedianRule(warmup: w, minimumTrials: m, directions: directions)], divergence: divergence)
            case let .asha(r, f): StopperChain([ASHA(minimumResource: r, reductionFactor: f, directions: directions)], divergence: divergence)
            case let .hyperband(r, f, b): StopperChain([Hyperband(minimumResource: r, reductionFactor: f, brackets: b, directions: directions)], divergence: divergence)
            case let .patience(p): StopperChain([Patience(patience: p)], divergence: divergence)
            }
        }
    }

    static let keys = ["study", "objective", "constraints", "trial", "command", "runner", "space", "strategy", "budget", "retries", "stopper", "seed", "priority", "warm_start", "enqueue"]
    static let strategies = ["auto", "gp", "tpe", "nsga2", "random", "sobol", "grid", "coarse_to_fine"]
    static let stoppers = ["none", "median", "asha", "hyperband", "patience"]

    /// Reads a spec and checks all of it that can be known before a trial runs. `trials` is what
    /// a built-in trial accepts: a searched parameter must name one of its keys, the objective
    /// one of its metrics, and the base trial with each searched value laid over it must be a
    /// valid trial spec.
    public init(config: Config, trials: TrialRules) throws {
        let f = Fields()
        let o = f.object(config, "", known: Self.keys)
        name = f.string(o, "study", "", default: "")
        if name.isEmpty { f.fail("study", "is required: name the study") }
        objectives = Self.objectives(o["objective"], f)
        constraints = Self.constraints(o["constraints"], f)
        trial = o["trial"] ?? .object([:])
        if case .array(let items)? = o["command"] {
            command = items.map(\.description)
            if items.isEmpty { f.fail("command", "must list the program and its arguments") }
        } else if let other = o["command"], other != .null {
            f.fail("command", "must be a list: [program, argument, …] with {param} placeholders (got \(other))")
            command = nil
        } else {
            command = nil
        }
        if command != nil, o["trial"] != nil { f.fail("command", "and trial are exclusive: a study runs either command trials or built-in trials") }
        runner = Runner(rawValue: f.string(o, "runner", "", default: command == nil ? "builtin" : "command", oneOf: Runner.allCases.map(\.rawValue))) ?? .builtin
        if runner == .external, command != nil || o["trial"] != nil {
            f.fail("runner", "external trials are run by the program that asks for them: leave out command and trial")
        }
        if runner == .command, command == nil { f.fail("runner", "command needs a command: [program, argument, …] to run") }
        if runner == .builtin, command != nil { f.fail("runner", "builtin trials are trained by the worker: leave out command, or say runner: command") }
        if runner == .builtin {
            for (key, value) in trials.defaults.sorted(by: { $0.key < $1.key }) where trial[path: key] == nil { trial = trial.setting(key, to: value) }
        }
        space = SearchSpace(Self.parameters(o["space"], f, trialKeys: runner == .builtin ? trials.keys : nil))
        let s = f.object(o["strategy"], "strategy", known: ["name", "grid_points", "startup", "shrink", "exploration"])
        var strategyName = f.string(s, "name", "strategy", default: "auto", oneOf: Self.strategies)
        if objectives.count > 1, strategyName == "coarse_to_fine" {
            f.fail("strategy.name", "coarse_to_fine narrows around one best trial, and several objectives have a front of them: use gp, tpe, nsga2, random, sobol or grid")
        }
        if objectives.count == 1, strategyName == "nsga2" {
            f.fail("strategy.name", "nsga2 searches several objectives and this study has one (\(objectives[0].metric)): use gp or tpe, or list the objectives")
        }
        if strategyName == "auto" {
            // Bayesian optimization by default; TPE where the space is conditional or mostly categorical.
            strategyName = space.favoursTPE ? "tpe" : "gp"
        }
        strategy = switch strategyName {
        case "gp": .gp
        case "tpe": .tpe
        case "nsga2": .nsga2
        case "random": .random
        case "sobol": .sobol
        case "grid": .grid(points: f.int(s, "grid_points", "strategy", default: 5, 1...1000, rule: "in 1…1000"))
        default: .coarseToFine(startup: f.int(s, "startup", "strategy", default: 10, 1...100_000, rule: "≥ 1"),
                               shrink: f.double(s, "shrink", "strategy", default: 0.1, 1e-6...10, rule: "in (0, 10]"),
                               exploration: f.double(s, "exploration", "strategy", default: 0.1, 0...1, rule: "in [0, 1]"))
        }
        let b = f.object(o["budget"], "budget", known: ["max_trials", "max_concurrent", "max_wall_time", "fail_fast", "trial_timeout"])
        budget = Budget(maxTrials: f.int(b, "max_trials", "budget", default: 20, 1...10_000_000, rule: "≥ 1"),
                        maxConcurrent: f.int(b, "max_concurrent", "budget", default: 2, 1...100_000, rule: "≥ 1"),
                        maxWallTime: f.optionalDouble(b, "max_wall_time", "budget", 1...1e9, rule: "≥ 1 second"),
                        failFast: f.int(b, "fail_fast", "budget", default: 3, 0...1_000_000, rule: "a count of trials ≥ 0 (0: never stop early)"),
                        trialTimeout: f.optionalDouble(b, "trial_timeout", "budget", 1...1e9, rule: "≥ 1 second"))
        let r = f.object(o["retries"], "retries", known: ["max_failures"])
        retries = Retries(maxFailures: f.int(r, "max_failures", "retries", default: 0, 0...100, rule: "a count of runs again in 0…100 (0: a failure is final)"))
        let st = f.object(o["stopper"], "stopper", known: ["name", "warmup", "min_trials", "min_resource", "reduction_factor", "brackets", "patience", "divergence"])
        if st["divergence"] == .string("off") || st["divergence"] == .bool(false) {
            divergence = nil
        } else {
            divergence = f.double(st, "divergence", "stopper", default: 10, 1.000001...1e12,
                                  rule: "a factor > 1 (a loss more than this many times the largest it reported before has diverged), or off")
        }
        let stopperName = f.string(st, "name", "stopper", default: "none", oneOf: Self.stoppers)
        let minResource = f.int(st, "min_resource", "stopper", default: 1, 1...1_000_000, rule: "≥ 1")
        let factor = f.int(st, "reduction_factor", "stopper", default: 3, 2...100, rule: "in 2…100")
        stopper = switch stopperName {
        case "median": .median(warmup: f.int(st, "warmup", "stopper", default: 1, 0...1_000_000, rule: "≥ 0"),
                               minimumTrials: f.int(st, "min_trials", "stopper", default: 5, 1...1_000_000, rule: "≥ 1"))
        case "asha": .asha(minimumResource: minResource, reductionFactor: factor)
        case "hyperband": .hyperband(minimumResource: minResource, reductionFactor: factor,
                                     brackets: f.int(st, "brackets", "stopper", default: 3, 1...20, rule: "in 1…20"))
        case "patience": .patience(f.int(st, "patience", "stopper", default: 3, 1...1_000_000, rule: "≥ 1"))
        default: .none
        }
        if objectives.count > 1, stopperName == "patience" {
            f.fail("stopper.name", "patience watches one objective improve, and this study has \(objectives.count): use asha, hyperband or median, which rank by Pareto front")
        }
        seed = UInt64(f.int(o, "seed", "", default: 0, 0...Int.max, rule: "≥ 0"))
        priority = f.double(o, "priority", "", default: 1, 0.001...1000, rule: "a share in [0.001, 1000] (1: an equal share)")
        let warm = f.string(o, "warm_start", "", default: "")
        warmStart = warm.isEmpty ? nil : warm
        enqueue = Self.enqueued(o["enqueue"], space, budget, f)
        if let command {
            Self.checkTemplate(command, space, f)
        } else if runner == .builtin, f.problems.isEmpty {
            let named = objectives.enumerated().map { i, o in (o.metric, objectives.count > 1 ? "objective[\(i)].metric" : "objective.metric") }
                + constraints.enumerated().map { i, c in (c.metric, "constraints[\(i)].metric") }
            for (metric, path) in named {
                guard let metrics = trials.metrics, !metrics.contains(metric) else { continue }
                f.fail(path, "must be a metric built-in trials report: \(metrics.joined(separator: ", ")) (got '\(metric)')\(suggestion(metric, metrics))")
            }
            Self.checkTrial(trial, space, trials, f)
            Self.checkEnqueued(trial, enqueue, trials, f)
        }
        try f.check()
    }

    /// `objective`: one `{metric, direction}`, or a list of them (several objectives). The
    /// direction defaults to maximize for an accuracy, minimize otherwise.
    static func objectives(_ value: Config?, _ f: Fields) -> [Objective] {
        var entries: [(Config?, String)] = [(value, "objective")]
        if case let .array(items)? = value {
            if items.isEmpty { f.fail("objective", "lists no objective: give one {metric, direction}, or several") }
            entries = items.enumerated().map { ($1, "objective[\($0)]") }
        }
        var objectives: [Objective] = []
        for (entry, path) in entries {
            let o = f.object(entry, path, known: ["metric", "direction"])
            if entries.count > 1, o["metric"] == nil { f.fail("\(path).metric", "is required when the study lists several objectives") }
            let metric = f.string(o, "metric", path, default: "validation_loss")
            let direction = Direction(rawValue: f.string(o, "direction", path, default: metric.contains("accuracy") ? "maximize" : "minimize",
                                                         oneOf: ["minimize", "maximize"])) ?? .minimize
            if objectives.contains(where: { $0.metric == metric }) { f.fail("\(path).metric", "lists '\(metric)' twice: each objective is a different metric") }
            objectives.append(Objective(metric, direction))
        }
        return objectives.isEmpty ? [Objective("validation_loss", .minimize)] : objectives
    }

    /// `constraints`: a list of `{metric, max}` or `{metric, min}`, each metric bounded once per side.
    static func constraints(_ value: Config?, _ f: Fields) -> [Constraint] {
        guard let value, value != .null else { return [] }
        guard case let .array(items) = value else {
            f.fail("constraints", "must be a list like [{metric: latency_ms, max: 50}] (got \(value))")
            return []
        }
        var constraints: [Constraint] = []
        for (i, item) in items.enumerated() {
            let path = "constraints[\(i)]"
            let o = f.object(item, path, known: ["metric", "max", "min"])
            let metric = f.string(o, "metric", path, default: "")
            if metric.isEmpty { f.fail("\(path).metric", "is required: name the metric to bound") }
            let sides = ["max", "min"].filter { o[$0] != nil && o[$0] != .null }
            guard sides.count == 1, let side = sides.first else {
                f.fail(path, sides.isEmpty ? "needs a bound: max (the metric must stay at or below it) or min (at or above)"
                                           : "gives both max and min: list the metric twice, once with each bound")
                continue
            }
            let limit = f.double(o, side, path, default: 0, -Domain.largest...Domain.largest, rule: "a finite number")
            let constraint = Constraint(metric, side == "max" ? .max(limit) : .min(limit))
            if constraints.contains(where: { $0.metric == metric && ($0.bound.isMax == constraint.bound.isMax) }) {
                f.fail("\(path).\(side)", "bounds '\(metric)' from the same side twice: keep the tighter one")
            }
            constraints.append(constraint)
        }
        return constraints
    }

    static let domainKeys = ["type", "low", "high", "log", "step", "values", "value", "when"]

    static func parameters(_ value: Config?, _ f: Fields, trialKeys: [String]?) -> [Parameter] {
        guard case let .object(entries)? = value, !entries.isEmpty else {
            f.fail("space", "is required: map each config key to search to a domain, e.g. optimizer.lr: {type: float, low: 1e-4, high: 0.1, log: true}")
            return []
        }
        var parameters: [Parameter] = []
        for name in entries.keys.sorted() {
            let path = "space.\(name)"
            if let trialKeys, !trialKeys.contains(name) {
                f.fail(path, "names no trial config key\(suggestion(name, trialKeys)); searchable keys include \(trialKeys.prefix(8).joined(separator: ", ")), …")
                continue
            }
            let d = f.object(entries[name], path, known: domainKeys)
            let type = f.string(d, "type", path, default: d["values"] != nil ? "choice" : (d["value"] != nil ? "fixed" : "float"),
                                oneOf: ["float", "int", "choice", "fixed"])
            let domain: Domain
            switch type {
            case "int":
                let low = f.int(d, "low", path, default: 0), high = f.int(d, "high", path, default: 0)
                let log = f.bool(d, "log", path, default: false), step = f.int(d, "step", path, default: 1, 1...Int.max, rule: "≥ 1")
                if d["low"] == nil || d["high"] == nil { f.fail(path, "needs low and high") }
                if low > high { f.fail("\(path).high", "must be ≥ low (got low \(low), high \(high))") }
                if log && low <= 0 { f.fail("\(path).low", "must be > 0 when log: true (got \(low))") }
                if log && step != 1 { f.fail("\(path).step", "must be 1 when log: true (got \(step))") }
                domain = .int(low: low, high: high, log: log, step: step)
            case "choice":
                guard case let .array(values)? = d["values"], !values.isEmpty else {
                    f.fail("\(path).values", "must be a non-empty list of the values to choose from")
                    continue
                }
                if Set(values.map(\.json)).count != values.count { f.fail("\(path).values", "lists a value twice") }
                domain = .choice(values)
            case "fixed":
                domain = .fixed(d["value"] ?? .null)
                if d["value"] == nil { f.fail("\(path).value", "is required for a fixed parameter") }
            default:
                let low = f.double(d, "low", path, default: 0), high = f.double(d, "high", path, default: 0)
                let log = f.bool(d, "log", path, default: false)
                let step = f.optionalDouble(d, "step", path, 1e-300...Double.greatestFiniteMagnitude, rule: "> 0")
                if d["low"] == nil || d["high"] == nil { f.fail(path, "needs low and high") }
                // Samplers compute high − low and (high − low) / step: both must be finite numbers.
                for (key, x) in [("low", low), ("high", high)] where !x.isFinite || abs(x) > Domain.largest {
                    f.fail("\(path).\(key)", "must be a finite number within ±\(Config.number(Domain.largest)) (got \(Config.number(x)))")
                }
                if low > high { f.fail("\(path).high", "must be ≥ low (got low \(low), high \(high))") }
                if log && low <= 0 { f.fail("\(path).low", "must be > 0 when log: true (got \(Config.number(low)))") }
                if log && step != nil { f.fail("\(path).step", "cannot be combined with log: true") }
                if let step, low.isFinite, high.isFinite, low <= high, !((high - low) / step < Domain.mostValues) {
                    f.fail("\(path).step", "leaves too many values between low and high (at most \(Config.number(Domain.mostValues)); got about \(Config.number(((high - low) / step).rounded(.down) + 1))): use a larger step, or none")
                }
                domain = .float(low: low, high: high, log: log, step: step)
            }
            var condition: Condition?
            if case let .object(when)? = d["when"] {
                if when.count != 1 { f.fail("\(path).when", "must name exactly one parameter and its values, e.g. when: {optimizer.name: [sgd]}") }
                if let (parent, values) = when.first {
                    let list: [Config] = if case let .array(a) = values { a } else { [values] }
                    if entries[parent] == nil { f.fail("\(path).when", "refers to '\(parent)', which is not a parameter of the space\(suggestion(parent, Array(entries.keys)))") }
                    if parent == name { f.fail("\(path).when", "cannot depend on itself") }
                    condition = Condition(parent, in: list)
                }
            } else if let other = d["when"], other != .null {
                f.fail("\(path).when", "must be a mapping like {optimizer.name: [sgd]} (got \(other))")
            }
            parameters.append(Parameter(name, domain, when: condition))
        }
        // Conditions must not form a cycle.
        for p in parameters {
            var seen: Set<String> = [p.name], current = p
            while let parent = current.condition?.parameter, let next = parameters.first(where: { $0.name == parent }) {
                if !seen.insert(parent).inserted { f.fail("space.\(p.name).when", "forms a cycle of conditions"); break }
                current = next
            }
        }
        return parameters
    }
}

extension SearchSpace {
    /// How many configurations a grid of `points` per numeric parameter has.
    public func gridSize(points: Int) -> Int? {
        let grid = GridSampler(points: points)
        var size = 1
        for parameter in parameters {
            let (product, overflow) = size.multipliedReportingOverflow(by: grid.levels(parameter.domain).count)
            if overflow { return nil }
            size = product
        }
        return size
    }
}
