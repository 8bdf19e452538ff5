import Config

/// One study's search, without I/O: what to try next, what each report decides, when the search
/// is over. `sweep run` and the coordinator both drive it, so one spec suggests, seeds and stops
/// the same way in one process and across machines. Times are seconds on the driver's clock
/// (`start` and every `now` from the same one).
public final class StudyEngine {
    public let spec: StudySpec
    let sampler: any Sampler
    let stopper: StopperChain
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
        sampler = spec.strategy.sampler(seed: spec.seed)
        stopper = spec.stopper.chain(divergence: spec.divergence)
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
        var generator = generator(trials.count)
        let history = warm.isEmpty ? trials : warm + trials
        guard let first = sampler.suggest(spec.space, history: history, direction: spec.direction, using: &generator) else { return nil }
        // No sampler repeats a configuration the study has (or started from) while others are
        // left: it is asked again (its draws have moved on), then a random unseen one is taken.
        let seen = Set(history.filter { $0.state != .cancelled }.map(\.configuration))
        guard seen.contains(first) else { return first }
        for _ in 0..<8 {
            guard let again = sampler.suggest(spec.space, history: history, direction: spec.direction, using: &generator) else { break }
            if !seen.contains(again) { return again }
        }
        for _ in 0..<256 {
            let random = RandomSampler().suggest(spec.space, history: history, direction: spec.direction, using: &generator)!
            if !seen.contains(random) { return random }
        }
        return first
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

    public func set(_ number: Int, _ state: TrialState, value: Double? = nil, reason: StopReason? = nil) {
        trials[number].state = state
        if let value { trials[number].value = value }
        if let reason { trials[number].reason = reason }
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
    public func report(_ number: Int, epoch: Int, value: Double) -> StopDecision {
        trials[number].reports[epoch] = value
        guard trials[number].state == .running else { return .continue }
        return stopper.decide(trials[number], step: epoch, history: trials, direction: spec.direction, lastStep: epochs(number))
    }

    /// The search is over: no more trials may start and every trial has finished.
    public func over(now: Double) -> Bool {
        spent(now: now) && trials.allSatisfy(\.state.isFinished)
    }

    /// The best finished trial with a finite objective; `completed`: the best that ran to the end.
    public func best(completed: Bool = false) -> Trial? {
        trials.filter { ($0.state == .completed || (!completed && $0.state == .pruned)) && ($0.value?.isFinite ?? false) }
            .min { spec.direction.loss($0.value!) < spec.direction.loss($1.value!) }
    }
}
