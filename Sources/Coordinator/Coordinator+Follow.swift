import Foundation
import Config
import Search
import Store
import Wire

/// Leaderboards: rows, study status, and the UPDATEs pushed to followers.
extension Coordinator {
    /// A leaderboard row (Protocols/SWEEP-1.md §4.2).
    public struct Row: Codable, Equatable, Sendable {
        public let rank: Int
        public let trial: Int
        public let status: String
        public let objective: Double?
        public let epoch: Int?
        public let params: Config
        public let worker: String?
        public var elapsed_s: Double?

        /// Equal but for the elapsed time, which changes every instant while a trial runs.
        func same(as other: Row) -> Bool {
            var a = self, b = other
            a.elapsed_s = nil
            b.elapsed_s = nil
            return a == b
        }
    }

    struct StudyStatus: Codable, Equatable {
        let study: String; let name: String; let state: String
        let trials: Int; let queued: Int; let running: Int; let completed: Int; let pruned: Int; let failed: Int
        /// The best finished trial and its objective.
        let best: Int?; let objective: Double?
        let test: Config?
    }
    struct StatusReply: Codable { let studies: [StudyStatus] }
    /// SNAPSHOT and UPDATE bodies: `rows` replace the follower's rows at their ranks; `count` is
    /// how many rows the leaderboard has now (at most `top`).
    struct Rows: Codable { let study: String; let seq: Int; let count: Int; let rows: [Row]; let status: StudyStatus }

    /// A client following a leaderboard, and what it was last sent.
    struct Follower {
        let study: String
        let top: Int
        var seq: Int
        var revision: Int
        var sent: [Row]
        var lastSeen: Double
    }

    func status(_ study: Study) -> StudyStatus {
        let best = study.best()
        return StudyStatus(study: study.id, name: study.name, state: study.state, trials: study.trials.count,
                           queued: study.counts[.queued] ?? 0, running: study.running,
                           completed: study.counts[.completed] ?? 0, pruned: study.counts[.pruned] ?? 0,
                           failed: (study.counts[.failed] ?? 0) + (study.counts[.diverged] ?? 0),
                           best: best?.number, objective: best?.value, test: study.test)
    }

    /// The study's top trials by objective (a running trial by its latest report; trials with
    /// none, and failed ones, last). Costs O(top), whatever the number of trials.
    func leaderboard(_ study: Study, top: Int) -> [Row] {
        let now = Date().timeIntervalSince1970
        return study.ranking.keys.prefix(top).enumerated().map { rank, key in
            let t = study.trials[key.number]
            let elapsed = study.started[key.number].map { (study.ended[key.number] ?? now) - $0 }
            return Row(rank: rank + 1, trial: t.number, status: t.state.rawValue, objective: t.value ?? t.lastStep.flatMap { t.reports[$0] },
                       epoch: t.lastStep, params: .object(t.configuration.values), worker: study.workers[key.number], elapsed_s: elapsed)
        }
    }

    /// An UPDATE for each follower whose study changed since it was last sent one: the rows that
    /// differ, and the study's status. Call after every batch of messages.
    public func updates() -> [Outgoing] {
        var out: [Outgoing] = []
        for (peer, follower) in followers {
            guard let study = studies[follower.study], study.revision != follower.revision else { continue }
            let rows = leaderboard(study, top: follower.top)
            let changed = rows.enumerated().filter { i, row in i >= follower.sent.count || !row.same(as: follower.sent[i]) }.map(\.element)
            followers[peer]!.revision = study.revision
            followers[peer]!.sent = rows
            followers[peer]!.seq += 1
            out.append(send(peer, .update, Rows(study: study.id, seq: follower.seq + 1, count: rows.count, rows: changed, status: status(study)), to: .client))
        }
        return out
    }
}
