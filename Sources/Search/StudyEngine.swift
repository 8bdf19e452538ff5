import Config

/// One study's search, without I/O: what to try next, what each report decides, when the search
/// is over. `sweep run` and the coordinator both drive it, so one spec suggests, seeds and stops
/// the same way in one process and across machines. Times are seconds on the driver's clock
/// (`start` and every `now` from the same one).
public final class StudyEngine {
    public let spec: StudySpec
    let sampler: Suggester
    let stopper: StopperChain

    /// One objective's sampler, or several objectives'.
    enum Suggester {
        case single(any Sampler)
        case several(any ParetoSampler)
    }
    /// When the study began: the wall-time budget counts from here.
    public let start: Double
    /// Search trials by number: what the sampler and the stopper see.
    public private(set) var trials: [Trial]
    /// Finished trials of earlier studies (a warm start): history for the sampler only, numbered
    /// below −1; they use none of the budget and no stopper compares with them.
    public let warm: [Trial]

    public init(spec: StudySpec, start: Double, trials: [Trial] = [], warm: [Trial] = []) {
        self.spec = spec
        self.start = start
        self.trials = trials
        self.warm = warm
        let directions = spec.objectives.map(\.direction)
        sampler = directions.count > 1 ? .several(spec.strategy.paretoSampler(seed: spec.seed)) : .single(spec.strategy.sampler(seed: spec.seed))
        stopper = spec.stopper.chain(divergence: spec.divergence, directions: directions)
    }

    // MARK: Seeds and trial configs

    /// Trial `number`'s seed (model initialization, dropout, batch order): the study's seed plus
    /// the number, so each trial differs and a rerun of the study repeats every one.
    public func seed(_ number: Int) -> UInt64 { spec.seed &+ UInt64(number) }

    /// The generator the sampler draws suggestion `number` with.
    func generator(_ number: Int) -> SplitMix64 { SplitMix64(seed: seed(number)) }

    /// What a built-in trial runs: the base trial with the configuration laid over it, the
    /// trial's seed unless the space or the base sets one, and the study's seed for the data
    /// (synthetic sets and the validation split), so every trial is scored on the same examples.
    public func config(for configuration: Configuration, number: Int) -> Config {
        var config = spec.trial
        if configuration["seed"] == nil, config[path: "seed"] == nil { config = config.setting("seed", to: .number(Double(seed(number)))) }
        if configuration["data.seed"] == nil, config[path: "data.seed"] == nil {
            config = config.setting("data.seed", to: .number(Double(spec.seed)))
        }
        for (key, value) in configuration.values { config = config.setting(key, to: value) }
        return config
    }

    /// The last epoch a built-in trial trains for, when its config says (nil for command trials).
    public func epochs(_ number: Int) -> Int? {
        guard spec.runner == .builtin, case let .number(n)? = config(for: trials[number].configuration, number: number)[path: "epochs"] else { return nil }
        return Int(n)
    }

    // MARK: The search

    /// True when no more trials may start: the trial budget or the wall time is spent.
    public func spent(now: Double) -> Bool {
        trials.count >= spec.budget.maxTrials || spec.budget.maxWallTime.map { now - start >= $0 } ?? false
    }

    /// The next configuration to try with `running` trials running, or nil: the budget is spent,
    /// the concurrency is used up, or the space is exhausted. Pure: `add` records it.
    public func suggest(now: Double, running: Int) -> Configuration? {
        guard !spent(now: now), running < spec.budget.maxConcurrent else { return nil }
        if let next = nextEnqueued { return next }
        var generator = generator(trials.count)
        let history = warm.isEmpty ? trials : warm + trials
        guard let first = ask(history, &generator) else { return nil }
        // No sampler repeats a configuration the study has (or started from) while others are
        // left: it is asked again (its draws have moved on), then a random unseen one is taken.
        let seen = Set(history.filter { $0.state != .cancelled }.map(\.configuration))
        guard seen.contains(first) else { return first }
        for _ in 0..<8 {
            guard let again = ask(history, &generator) else { break }
            if !seen.contains(again) { return again }
        }
        for _ in 0..<256 {
            let random = RandomSampler().suggest(spec.space, history: history, direction: spec.direction, using: &generator)!
            if !seen.contains(random) { return random }
        }
        return first
    }

    /// With constraints: how many finished trials keep them all.
    public var feasible: Int { trials.count { $0.state.isFinished && $0.state != .cancelled && !$0.violations.isEmpty && $0.feasible } }

    /// The first of the spec's `enqueue` configurations the study has not tried yet (counted
    /// out by the trials it has, so a restarted coordinator goes on where it was): it runs before
    /// any suggestion.
    public var nextEnqueued: Configuration? {
        guard !spec.enqueue.isEmpty else { return nil }
        var left = spec.enqueue
        // They run first, so the scan ends within the first trials, not at the study's last.
        for t in trials where !left.isEmpty { if let i = left.firstIndex(of: t.configuration) { left.remove(at: i) } }
        return left.first
    }

    private func ask(_ history: [Trial], _ generator: inout SplitMix64) -> Configuration? {
        switch sampler {
        case let .single(s): s.suggest(spec.space, history: history, direction: spec.direction, using: &generator)
        case let .several(s): s.suggest(spec.space, history: history, directions: spec.objectives.map(\.direction), using: &generator)
        }
    }

    /// Records a suggestion as the next trial, queued; returns its number.
    /// A finished trial runs again: queued, with no reports, value or reason (its next attempt starts afresh).
    public func reset(_ number: Int) {
        trials[number] = Trial(number: number, configuration: trials[number].configuration, state: .queued)
    }

    @discardableResult
    public func add(_ configuration: Configuration) -> Int {
        trials.append(Trial(number: trials.count, configuration: configuration, state: .queued))
        return trials.count - 1
    }

    /// `values`: with several objectives, every one's final value (the first is `value`);
    /// `violations`: with constraints, how far past each bound the trial ended (`violations(_:of:)`).
    public func set(_ number: Int, _ state: TrialState, value: Double? = nil, values: [Double] = [], violations: [Double] = [],
                    reason: StopReason? = nil) {
        trials[number].state = state
        if let value { trials[number].value = value }
        if spec.objectives.count > 1, !values.isEmpty { trials[number].values = values }
        if !spec.constraints.isEmpty, !violations.isEmpty { trials[number].violations = violations }
        if let reason { trials[number].reason = reason }
    }

    /// The objectives' values in `metrics` (the first is the objective; NaN for one missing).
    /// Empty for a single objective, where the value is all there is.
    public func values(_ metrics: [String: Double]) -> [Double] {
        spec.objectives.count > 1 ? spec.objectives.map { metrics[$0.metric] ?? .nan } : []
    }

    /// How far past each constraint's bound `metrics` put trial `number`; a constrained metric
    /// missing from them keeps the trial's latest (NaN if it never reported one). Empty without constraints.
    public func violations(_ metrics: [String: Double]?, of number: Int) -> [Double] {
        let latest = trials[number].violations
        return spec.constraints.indices.map { i in
            metrics?[spec.constraints[i].metric].map(spec.constraints[i].violation) ?? (i < latest.count ? latest[i] : .nan)
        }
    }

    /// A trial's final objective (and, with several, every one's; with constraints, how far past
    /// each bound): what its runner's last word says (`metrics`), else its last report — a
    /// stopped trial ends on the step it stopped at.
    public func finals(_ number: Int, _ metrics: [String: Double]?) -> (value: Double?, values: [Double], violations: [Double]) {
        let t = trials[number], last = t.lastStep
        let value = metrics?[spec.metric] ?? last.flatMap { t.reports[$0] }
        let violations = violations(metrics, of: number)
        guard spec.objectives.count > 1 else { return (value, [], violations) }
        let steps = last.flatMap { t.stepValues[$0] }
        let values = spec.objectives.indices.map { i in metrics?[spec.objectives[i].metric] ?? steps?[i] ?? .nan }
        return (value, values, violations)
    }

    /// A trial that ran to its end without ever reporting the objective says nothing about its
    /// configuration: the reason it failed, naming what it did report. Nil when it reported.
    public func silence(_ number: Int, reported: [String]) -> StopReason? {
        guard trials[number].reports.isEmpty, !reported.contains(spec.metric) else { return nil }
        let seen = reported.sorted()
        return StopReason(rule: .error, detail: seen.isEmpty
            ? "the trial ended without reporting '\(spec.metric)' (it made no report)"
            : "the trial ended without reporting '\(spec.metric)'\(suggestion(spec.metric, seen)); it reported \(seen.joined(separator: ", "))")
    }

    /// The study's first `budget.failFast` trials all failed for one reason: that reason (the
    /// study stops, since every trial after them would fail the same way). Nil otherwise.
    public func failure() -> StopReason? {
        let n = spec.budget.failFast
        guard n > 0, trials.count >= n else { return nil }
        let first = trials.prefix(n)
        guard first.allSatisfy({ $0.state == .failed }), let reason = first.first?.reason,
              first.allSatisfy({ $0.reason?.detail == reason.detail }) else { return nil }
        return StopReason(rule: .error, detail: "the first \(n) trials all failed: \(reason.detail)")
    }

    /// Records the objective at an epoch and decides whether a running trial goes on. A trial
    /// that is not running (stopped already, or cancelled) is recorded and goes on.
    /// `values`: with several objectives, every one's value at the epoch (the first is `value`).
    /// `violations`: with constraints, the trial's at this epoch (`violations(_:of:)`).
    public func report(_ number: Int, epoch: Int, value: Double, values: [Double] = [], violations: [Double] = []) -> StopDecision {
        let latest = epoch >= (trials[number].lastStep ?? .min)
        trials[number].reports[epoch] = value
        if spec.objectives.count > 1, !values.isEmpty { trials[number].stepValues[epoch] = values }
        if !spec.constraints.isEmpty, !violations.isEmpty {
            trials[number].stepViolations[epoch] = violations
            if latest { trials[number].violations = violations }
        }
        guard trials[number].state == .running else { return .continue }
        return stopper.decide(trials[number], step: epoch, history: trials, direction: spec.direction, lastStep: epochs(number))
    }

    /// The search is over: no more trials may start and every trial has finished.
    public func over(now: Double) -> Bool {
        spent(now: now) && trials.allSatisfy(\.state.isFinished)
    }

    /// The best feasible finished trial with a finite objective; `completed`: the best that ran
    /// to the end. With several objectives: the one on the Pareto front best on the first objective.
    public func best(completed: Bool = false) -> Trial? {
        let candidates = trials.filter { ($0.state == .completed || (!completed && $0.state == .pruned)) && ($0.value?.isFinite ?? false) && $0.feasible }
        let front = spec.objectives.count > 1 ? Self.front(candidates, spec.objectives) : candidates
        return front.min { spec.direction.loss($0.value!) < spec.direction.loss($1.value!) }
    }

    /// Where each feasible trial with every objective's final value stands among them, by
    /// number: empty with a single objective. O(m·n²) for n such trials: a leaderboard computes
    /// it once per change.
    public func standings() -> [Int: Standing] {
        guard spec.objectives.count > 1 else { return [:] }
        let directions = spec.objectives.map(\.direction)
        let scored = trials.filter { $0.feasible && $0.scored?.count == directions.count }
        let points = scored.map { Pareto.losses($0.values, directions) }
        let fronts = Pareto.fronts(points), dominated = Pareto.dominatedCounts(points)
        return Dictionary(uniqueKeysWithValues: scored.indices.map { (scored[$0].number, Standing(front: fronts[$0] + 1, dominated: dominated[$0])) })
    }

    /// The trials on the Pareto front of the feasible ones with every objective's value (`Trial.scored`).
    public static func front(_ trials: [Trial], _ objectives: [Objective]) -> [Trial] {
        let scored = trials.filter { $0.feasible && $0.scored?.count == objectives.count }
        let fronts = Pareto.fronts(scored.map { Pareto.losses($0.values, objectives.map(\.direction)) })
        return scored.indices.filter { fronts[$0] == 0 }.map { scored[$0] }
    }
}
