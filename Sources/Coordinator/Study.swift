import Foundation
import Config
import Search
import Store

/// A study in memory: its spec, sampler and stopper, and its trials kept in step with the store,
/// so scheduling, stopping and leaderboards never re-read the history. The store stays the
/// truth: a restarted coordinator rebuilds this from it.
final class Study {
    let id: String
    let name: String
    let spec: StudySpec
    let sampler: any Sampler
    let stopper: StopperChain
    /// Unix seconds; the wall-time budget counts from here.
    let createdAt: Double
    var state: StudyState
    var test: Config?

    /// Search trials by number: what samplers and stoppers see.
    private(set) var trials: [Search.Trial] = []
    /// Per trial number (the final one under `Store.finalNumber`): id, attempt, worker, times.
    private(set) var ids: [Int: Int] = [:]
    var attempts: [Int: Int] = [:]
    var workers: [Int: String] = [:]
    var started: [Int: Double] = [:]
    var ended: [Int: Double] = [:]
    /// The final trial's state and configuration, once the search is over.
    private(set) var final: (state: TrialState, configuration: Search.Configuration)?
    /// Queued trial numbers, oldest first.
    private(set) var queue: [Int] = []
    private(set) var counts: [TrialState: Int] = [:]
    private(set) var ranking = Ranking()
    /// Bumped by every change a leaderboard shows.
    private(set) var revision = 0

    init(record: Store.StudyRecord, spec: StudySpec) {
        id = record.id
        name = record.name
        self.spec = spec
        sampler = spec.strategy.sampler(seed: spec.seed)
        stopper = spec.stopper.stopper
        createdAt = record.createdAt
        state = record.state
        test = record.test
    }

    /// Loads the trials from the store.
    func load(_ store: Store) throws {
        let info = try store.trialInfo(study: id)
        for trial in try store.history(study: id, metric: spec.metric) {
            append(trial)
        }
        for t in info {
            ids[t.number] = t.id
            attempts[t.number] = t.attempt
            workers[t.number] = t.worker
            started[t.number] = t.startedAt
            ended[t.number] = t.endedAt
            if t.number == Store.finalNumber, case let .object(values) = t.config {
                final = (t.state, Search.Configuration(values))
                if t.state == .queued { queue.append(t.number) }
            }
        }
    }

    private func append(_ trial: Search.Trial) {
        trials.append(trial)
        counts[trial.state, default: 0] += 1
        if trial.state == .queued { queue.append(trial.number) }
        rank(trial.number)
    }

    /// A new search trial, queued.
    func add(_ configuration: Search.Configuration, id: Int) {
        let number = trials.count
        ids[number] = id
        attempts[number] = 0
        append(Search.Trial(number: number, configuration: configuration, state: .queued))
    }

    /// Queues the final trial: `configuration` retrained and scored on the test split.
    func addFinal(_ configuration: Search.Configuration, id: Int) {
        ids[Store.finalNumber] = id
        attempts[Store.finalNumber] = 0
        final = (.queued, configuration)
        queue.append(Store.finalNumber)
        state = .testing
        revision += 1
    }

    var running: Int { counts[.running] ?? 0 }
    var finished: Int { trials.count - (counts[.queued] ?? 0) - running }

    func configuration(_ number: Int) -> Search.Configuration {
        number == Store.finalNumber ? final!.configuration : trials[number].configuration
    }

    func state(of number: Int) -> TrialState {
        number == Store.finalNumber ? final?.state ?? .queued : trials[number].state
    }

    /// The epochs a built-in trial trains for, when its config says (nil for command trials).
    func epochs(_ number: Int) -> Int? {
        guard spec.command == nil else { return nil }
        let value = configuration(number)["epochs"] ?? spec.trial[path: "epochs"]
        if case let .number(n)? = value { return Int(n) }
        return nil
    }

    /// Takes the oldest queued trial.
    func dequeue() -> Int? { queue.isEmpty ? nil : queue.removeFirst() }

    func set(_ number: Int, _ state: TrialState, value: Double? = nil) {
        if number == Store.finalNumber {
            final?.state = state
        } else {
            counts[trials[number].state, default: 0] -= 1
            counts[state, default: 0] += 1
            trials[number].state = state
            if let value { trials[number].value = value }
            rank(number)
        }
        if state == .queued { queue.append(number) }
        if state == .running { started[number] = Date().timeIntervalSince1970; ended[number] = nil }
        if state.isFinished { ended[number] = Date().timeIntervalSince1970 }
        revision += 1
    }

    func report(_ number: Int, epoch: Int, value: Double) {
        guard number != Store.finalNumber else { return }
        trials[number].reports[epoch] = value
        rank(number)
        revision += 1
    }

    /// Re-ranks a trial by its final value, else its latest report.
    private func rank(_ number: Int) {
        let t = trials[number]
        let value = t.value ?? t.lastStep.flatMap { t.reports[$0] }
        ranking.set(number, score: value.map(spec.direction.loss) ?? .infinity)
    }

    /// The best finished trial with a finite objective; `completed` only: the best that ran to the end.
    func best(completed: Bool = false) -> Search.Trial? {
        ranking.keys.lazy.map { self.trials[$0.number] }.first {
            ($0.state == .completed || (!completed && $0.state == .pruned)) && ($0.value?.isFinite ?? false)
        }
    }

    /// True when the wall-time budget is spent.
    func outOfTime(now: Double = Date().timeIntervalSince1970) -> Bool {
        spec.budget.maxWallTime.map { now - createdAt >= $0 } ?? false
    }
}
