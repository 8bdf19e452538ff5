import Foundation
import Config
import Search
import Store
import Protocol
import Wire

/// Leaderboards: rows, study status, and the UPDATEs pushed to followers.
extension Coordinator {
    /// A client following a study, and what it was last sent.
    struct Follower {
        let study: String
        var feed: Feed
        var seq: Int
        var revision: Int
        var lastSeen: Double
        /// Set once the full TRIALS made beside the loop is sent; nil when it went with the loop's replies.
        var sent: Latch? = nil
    }

    /// What a follower gets pushed: the top rows of the leaderboard (FOLLOW), or every trial that changed (WATCH).
    enum Feed {
        case leaderboard(top: Int, sent: [Body.Row])
        case trials
    }

    func status(_ study: Study, now: Double) -> Body.StudyStatus {
        let best = study.best(), several = study.spec.objectives.count > 1, constrained = !study.spec.constraints.isEmpty
        return Body.StudyStatus(study: study.id, name: study.name, state: study.state, trials: study.trials.count,
                           queued: study.counts[.queued] ?? 0, running: study.running,
                           completed: study.counts[.completed] ?? 0, pruned: study.counts[.pruned] ?? 0,
                           failed: (study.counts[.failed] ?? 0) + (study.counts[.diverged] ?? 0),
                           best: best?.number, objective: best?.value, test: study.test, reason: study.reason,
                           budget: study.spec.budget.maxTrials, metric: study.spec.metric, elapsed: max(0, now - study.engine.start),
                           note: study.note, tags: study.tags.isEmpty ? nil : study.tags, warm: study.engine.warm.isEmpty ? nil : study.engine.warm.count,
                           objectives: several ? study.spec.objectives.map { "\($0.metric) \($0.direction.rawValue)" } : nil,
                           front: several ? study.standings().values.count { $0.front == 1 } : nil,
                           constraints: constrained ? study.spec.constraints.map(\.description) : nil,
                           feasible: constrained ? study.engine.feasible : nil)
    }

    /// The study's top trials by objective (a running trial by its latest report; infeasible
    /// trials after feasible ones; trials with none, and failed ones, last). Costs O(top), whatever the number of trials. With several
    /// objectives: by Pareto front, then the first objective (`Study.order`).
    func leaderboard(_ study: Study, top: Int, now: Double) -> [Body.Row] {
        let several = study.spec.objectives.count > 1
        let numbers = several ? Array(study.order().prefix(top)) : study.ranking.keys.prefix(top).map(\.number)
        let standings = several ? study.standings() : [:]
        return numbers.enumerated().map { rank, number in
            let t = study.trials[number]
            let elapsed = study.started[number].map { (study.ended[number] ?? now) - $0 }
            return Body.Row(rank: rank + 1, trial: t.number, status: t.state, objective: t.value ?? t.lastStep.flatMap { t.reports[$0] },
                            epoch: t.lastStep, params: .object(t.configuration.values), worker: study.workers[number], elapsed: elapsed,
                            epochs: study.engine.epochs(number), reason: t.reason.map(\.description),
                            values: objectiveValues(study, t), front: standings[number]?.front, dominated: standings[number]?.dominated,
                            feasible: feasibility(study, t).feasible, violations: feasibility(study, t).violations)
        }
    }

    /// Trial `number` as a watcher sees it.
    func row(_ study: Study, _ number: Int) -> Body.TrialRow {
        let t = study.trials[number]
        let epochs = t.reports.keys.sorted()
        return Body.TrialRow(trial: number, status: t.state, value: t.value, epochs: epochs, values: epochs.map { t.reports[$0]! },
                             params: .object(t.configuration.values), worker: study.workers[number], started: study.started[number],
                             ended: study.ended[number], attempt: study.attempts[number] ?? 0, origin: study.origins[number] ?? .suggested,
                             reason: t.reason.map(\.description),
                             objectives: objectiveValues(study, t), feasible: feasibility(study, t).feasible, violations: feasibility(study, t).violations)
    }

    /// With several objectives: each one's value (final, else the latest report's), nil where
    /// not reported; nil with one objective.
    private func objectiveValues(_ study: Study, _ t: Search.Trial) -> [Double?]? {
        guard study.spec.objectives.count > 1 else { return nil }
        return study.spec.objectives.indices.map { i in t.latestValues.flatMap { $0[i].isFinite ? $0[i] : nil } }
    }

    /// With constraints, once the trial reported: whether it keeps them, and how far past each
    /// bound (nil where never reported); nil otherwise.
    private func feasibility(_ study: Study, _ t: Search.Trial) -> (feasible: Bool?, violations: [Double?]?) {
        guard !study.spec.constraints.isEmpty, !t.violations.isEmpty else { return (nil, nil) }
        return (t.feasible, t.violations.map { $0.isFinite ? $0 : nil })
    }

    /// For each follower whose study changed since it was last sent something: an UPDATE with
    /// the leaderboard rows that differ, or a TRIALS with the trials that changed; with the
    /// study's status. Call after every batch of messages.
    public func updates(now: Double) -> [Outgoing] {
        var out: [Outgoing] = []
        for (peer, follower) in followers {
            guard let study = studies[follower.study], study.revision != follower.revision, follower.sent?.isSet ?? true else { continue }
            followers[peer]!.revision = study.revision
            followers[peer]!.seq += 1
            let seq = follower.seq + 1
            switch follower.feed {
            case let .leaderboard(top, sent):
                let rows = leaderboard(study, top: top, now: now)
                let changed = rows.enumerated().filter { i, row in i >= sent.count || !row.same(as: sent[i]) }.map(\.element)
                followers[peer]!.feed = .leaderboard(top: top, sent: rows)
                out.append(send(peer, .update, Body.Rows(study: study.id, seq: seq, count: rows.count, rows: changed, status: status(study, now: now)), to: .client))
            case .trials:
                let rows = study.changed(since: follower.revision).map { row(study, $0) }
                out.append(send(peer, .trials, Body.Trials(study: study.id, seq: seq, full: false, trials: rows, status: status(study, now: now)), to: .client))
            }
        }
        return out
    }
}
