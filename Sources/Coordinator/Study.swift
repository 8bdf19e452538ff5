import Foundation
import Config
import Search
import Store

/// A study in memory: its search (the `StudyEngine` `sweep run` drives too) and, beside it, what
/// the cluster adds: trial ids, attempts, workers, times, the queue and the ranking, kept in step
/// with the store so scheduling, stopping and leaderboards never re-read the history. The store
/// stays the truth: a restarted coordinator rebuilds this from it.
final class Study {
    let id: String
    var name: String
    let engine: StudyEngine
    /// Where every transition is written first (Study+Transitions.swift).
    let store: Store
    /// Changed only by the transitions, after the store.
    var state: StudyState
    var test: Config?
    /// Why a failed study failed.
    var reason: String?
    /// When it last got a worker (the coordinator's count of assignments): for round-robin.
    var served = 0
    /// Its owner's words about it (`sweep note`).
    var note: String?
    var tags: [String]
    /// Trials a person enqueued (the rest were suggested).
    var origins: [Int: Origin] = [:]
    /// Attempts of each trial that failed for the trial's own reasons (`retries.max_failures`).
    var failures: [Int: Int] = [:]
    /// Workers a queued trial failed on: for its own reasons (it runs on another where one is
    /// free) and for the machine's (it runs there again only when every live worker failed it).
    var avoid: [Int: Set<String>] = [:]
    var shunned: [Int: Set<String>] = [:]

    var spec: StudySpec { engine.spec }
    /// Search trials by number: what samplers and stoppers see.
    var trials: [Search.Trial] { engine.trials }
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
    /// The revision of each search trial's last change, by number: what a watcher has not seen.
    private(set) var touched: [Int] = []

    /// A study from its record and its stored trials (none for a new study).
    init(record: Store.StudyRecord, spec: StudySpec, store: Store) throws {
        id = record.id
        name = record.name
        self.store = store
        state = record.state
        test = record.test
        reason = record.reason
        note = record.note
        tags = record.tags
        let history = try store.history(study: id, metrics: spec.objectives.map(\.metric), constraints: spec.constraints)
        engine = StudyEngine(spec: spec, start: record.createdAt, trials: history, warm: try store.warm(study: id))
        origins = try store.origins(study: id)
        failures = try store.failures(study: id)
        for trial in history { count(trial, ranked: false) }
        ranking = Ranking(history.map { ($0.number, score($0), !$0.feasible) })
        for t in try store.trialInfo(study: id) {
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

    private func count(_ trial: Search.Trial, ranked: Bool = true) {
        touch(trial.number)
        counts[trial.state, default: 0] += 1
        if trial.state == .queued { queue.append(trial.number) }
        if ranked { rank(trial.number) }
    }

    /// A new search trial (stored as `id`), queued.
    func remember(_ configuration: Search.Configuration, id: Int) -> Int {
        let number = engine.add(configuration)
        ids[number] = id
        attempts[number] = 0
        count(trials[number])
        return number
    }

    /// The final trial (stored as `id`), queued: `configuration` retrained and scored on the test split.
    func remember(final configuration: Search.Configuration, id: Int) {
        ids[Store.finalNumber] = id
        attempts[Store.finalNumber] = 0
        final = (.queued, configuration)
        queue.append(Store.finalNumber)
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

    /// Takes the oldest queued trial `worker` may run: not one it failed for its own reasons
    /// while another of the `free` workers has not, nor one its machine failed while another of
    /// the `live` ones has not.
    func dequeue(for worker: String, free: Set<String>, live: Set<String>) -> Int? {
        let index = queue.firstIndex { number in
            if let shunned = shunned[number], shunned.contains(worker), !live.isSubset(of: shunned) { return false }
            if let avoided = avoid[number], avoided.contains(worker), !free.isSubset(of: avoided) { return false }
            return true
        }
        return index.map { queue.remove(at: $0) }
    }

    /// Moves a trial to `state` in memory (the transitions call it after writing the store);
    /// `fresh`: it runs again from nothing (its reports, value and reason forgotten).
    func set(_ number: Int, _ state: TrialState, value: Double? = nil, values: [Double] = [], violations: [Double] = [], reason: StopReason? = nil,
             fresh: Bool = false, now: Double) {
        if number == Store.finalNumber {
            final?.state = state
        } else {
            counts[trials[number].state, default: 0] -= 1
            counts[state, default: 0] += 1
            if fresh { engine.reset(number) } else { engine.set(number, state, value: value, values: values, violations: violations, reason: reason) }
            rank(number)
        }
        if state == .queued { queue.append(number) }
        if state == .running { started[number] = now; ended[number] = nil }
        if state.isFinished { ended[number] = now }
        touch(number)
    }

    /// Records a report in memory and returns the engine's decision (the final trial always goes on).
    func remember(_ number: Int, epoch: Int, value: Double, values: [Double] = [], violations: [Double] = []) -> StopDecision {
        guard number != Store.finalNumber else { return .continue }
        let decision = engine.report(number, epoch: epoch, value: value, values: values, violations: violations)
        rank(number)
        touch(number)
        return decision
    }

    /// A new revision, in which trial `number` changed (the final trial is not watched: the test score is in the status).
    private func touch(_ number: Int) {
        revision += 1
        guard number != Store.finalNumber else { return }
        if number >= touched.count { touched += Array(repeating: 0, count: number - touched.count + 1) }
        touched[number] = revision
    }

    /// The search trials changed after `revision`, by number. A scan of one integer per trial:
    /// 100,000 trials take tens of microseconds, and only while someone watches.
    func changed(since revision: Int) -> [Int] {
        touched.indices.filter { touched[$0] > revision }
    }

    /// Re-ranks a trial by its final value, else its latest report.
    private func rank(_ number: Int) {
        ranking.set(number, score: score(trials[number]), infeasible: !trials[number].feasible)
    }

    private func score(_ t: Search.Trial) -> Double {
        let value = t.value ?? t.lastStep.flatMap { t.reports[$0] }
        return value.map(spec.direction.loss) ?? .infinity
    }

    /// The best feasible finished trial with a finite objective; `completed` only: the best that ran to the end.
    /// With several objectives: the trial on the Pareto front best on the first objective.
    func best(completed: Bool = false) -> Search.Trial? {
        if spec.objectives.count > 1 { return completed ? engine.best(completed: true) : order().first.flatMap { standings()[$0] != nil ? trials[$0] : nil } }
        return ranking.keys.lazy.map { self.trials[$0.number] }.first {
            ($0.state == .completed || (!completed && $0.state == .pruned)) && ($0.value?.isFinite ?? false) && $0.feasible
        }
    }

    /// With several objectives: each trial's Pareto standing, and every trial number in
    /// leaderboard order (by front, then by the first objective; trials without every
    /// objective's final value after them, by their latest report). Computed again only after
    /// a change: O(m·n²) for n finished trials.
    private var pareto: (revision: Int, standings: [Int: Standing], order: [Int])?

    func standings() -> [Int: Standing] { refreshPareto().standings }

    /// Trial numbers in leaderboard order (with one objective, the ranking's).
    func order() -> [Int] {
        spec.objectives.count > 1 ? refreshPareto().order : ranking.keys.map(\.number)
    }

    private func refreshPareto() -> (revision: Int, standings: [Int: Standing], order: [Int]) {
        if let pareto, pareto.revision == revision { return pareto }
        let standings = engine.standings()
        let ranked = ranking.keys.map(\.number)
        let placed = ranked.filter { standings[$0] != nil }.enumerated()
            .sorted { (standings[$0.element]!.front, $0.offset) < (standings[$1.element]!.front, $1.offset) }.map(\.element)
        let fresh = (revision, standings, placed + ranked.filter { standings[$0] == nil })
        pareto = fresh
        return fresh
    }

}
