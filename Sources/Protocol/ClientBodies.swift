import Config
import Search

/// Client ↔ coordinator (§4.2).
extension Body {
    public struct Submit: MessageBody {
        /// The search spec as the user wrote it (checked by `StudySpec` on arrival).
        public let spec: Config
        /// Old trials the samplers start from (§4.3).
        public let warmStart: WarmStart?
        enum CodingKeys: String, CodingKey { case spec, warmStart = "warm_start" }
        public init(spec: Config, warmStart: WarmStart? = nil) {
            self.spec = spec
            self.warmStart = warmStart
        }
        public func problem() -> String? { first(objectProblem(spec, "spec"), warmStart?.problem().map { "warm_start.\($0)" }) }
    }

    public struct Submitted: MessageBody {
        public let study: String
        /// What the warm start took, when one was asked for.
        public let warm: Warm?
        public init(study: String, warm: Warm? = nil) {
            self.study = study
            self.warm = warm
        }
        public func problem() -> String? { warm?.problem().map { "warm.\($0)" } }
    }

    /// STATUS (the study is optional: all of them), CANCEL, EXPORT, UNFOLLOW.
    public struct StudyRef: MessageBody {
        public let study: String?
        public init(study: String?) { self.study = study }
    }

    public struct Follow: MessageBody {
        public let study: String
        /// How many rows the leaderboard keeps (20 unless said; at most 1000).
        public let top: Int?
        public init(study: String, top: Int? = nil) {
            self.study = study
            self.top = top
        }
        public func problem() -> String? { check(top, "top") }
    }

    /// A study's state and counts, as STATUS_REPLY, SNAPSHOT and UPDATE carry it.
    public struct StudyStatus: MessageBody {
        public let study: String
        public let name: String
        public let state: StudyState
        public let trials: Int
        public let queued: Int
        public let running: Int
        public let completed: Int
        public let pruned: Int
        /// Failed or diverged.
        public let failed: Int
        /// The best finished trial and its objective.
        public let best: Int?
        public let objective: Double?
        /// The final trial's `test_*` metrics, its status and the trial it retrained.
        public let test: Config?
        /// Why a failed study failed.
        public let reason: String?
        /// The study's trial budget and metric, for progress and column names.
        public let budget: Int?
        public let metric: String?
        /// Seconds since the study was submitted.
        public let elapsed: Double?
        /// Its owner's note and tags (`sweep note`), and the warm-start trials its samplers see.
        public let note: String?
        public let tags: [String]?
        public let warm: Int?
        /// With several objectives: every objective as `metric direction` in the spec's order,
        /// and how many trials are on the Pareto front (`best` is the one best on the first).
        public let objectives: [String]?
        public let front: Int?
        /// With constraints: each as `metric ≤ bound` (or ≥) in the spec's order, and how many
        /// finished trials keep them all (`best` and the front are among those).
        public let constraints: [String]?
        public let feasible: Int?
        public init(study: String, name: String, state: StudyState, trials: Int, queued: Int, running: Int, completed: Int, pruned: Int, failed: Int,
                    best: Int?, objective: Double?, test: Config?, reason: String? = nil, budget: Int? = nil, metric: String? = nil,
                    elapsed: Double? = nil, note: String? = nil, tags: [String]? = nil, warm: Int? = nil, objectives: [String]? = nil, front: Int? = nil,
                    constraints: [String]? = nil, feasible: Int? = nil) {
            self.objectives = objectives
            self.front = front
            self.constraints = constraints
            self.feasible = feasible
            self.note = note
            self.tags = tags
            self.warm = warm
            self.study = study
            self.name = name
            self.state = state
            self.trials = trials
            self.queued = queued
            self.running = running
            self.completed = completed
            self.pruned = pruned
            self.failed = failed
            self.best = best
            self.objective = objective
            self.test = test
            self.reason = reason
            self.budget = budget
            self.metric = metric
            self.elapsed = elapsed
        }
        enum CodingKeys: String, CodingKey {
            case study, name, state, trials, queued, running, completed, pruned, failed, best, objective, test, reason, budget, metric
            case note, tags, warm, objectives, front, constraints, feasible
            case elapsed = "elapsed_s"
        }
        public func problem() -> String? {
            first(check(trials, "trials"), check(queued, "queued"), check(running, "running"), check(completed, "completed"),
                  check(pruned, "pruned"), check(failed, "failed"), check(warm, "warm"), check(front, "front"), check(feasible, "feasible"), test.flatMap { objectProblem($0, "test") })
        }
    }

    public struct StatusReply: MessageBody {
        public let studies: [StudyStatus]
        public init(studies: [StudyStatus]) { self.studies = studies }
        public func problem() -> String? { first(studies, "studies") { $0.problem() } }
    }

    /// A leaderboard row.
    public struct Row: MessageBody {
        public let rank: Int
        public let trial: Int
        public let status: TrialState
        /// The final objective, else the latest report's.
        public let objective: Double?
        public let epoch: Int?
        /// The trial's configuration by dotted key.
        public let params: Config
        public let worker: String?
        public var elapsed: Double?
        /// The epochs a built-in trial trains for, when known.
        public let epochs: Int?
        /// Why it stopped early or failed: `rule: detail`.
        public let reason: String?
        /// With several objectives: each one's value (final, else the latest report's; nil where
        /// none), the trial's Pareto front (1 = not dominated) and how many trials dominate it.
        public let values: [Double?]?
        public let front: Int?
        public let dominated: Int?
        /// With constraints: whether the trial keeps them all, and how far past each bound it is
        /// (≤ 0 within; nil where the metric was not reported) — final, else the latest report's.
        public let feasible: Bool?
        public let violations: [Double?]?
        enum CodingKeys: String, CodingKey {
            case rank, trial, status, objective, epoch, params, worker, epochs, reason, values, front, dominated, feasible, violations, elapsed = "elapsed_s"
        }
        public init(rank: Int, trial: Int, status: TrialState, objective: Double?, epoch: Int?, params: Config, worker: String?, elapsed: Double?,
                    epochs: Int? = nil, reason: String? = nil, values: [Double?]? = nil, front: Int? = nil, dominated: Int? = nil,
                    feasible: Bool? = nil, violations: [Double?]? = nil) {
            self.feasible = feasible
            self.violations = violations
            self.values = values
            self.front = front
            self.dominated = dominated
            self.rank = rank
            self.trial = trial
            self.status = status
            self.objective = objective
            self.epoch = epoch
            self.params = params
            self.worker = worker
            self.elapsed = elapsed
            self.epochs = epochs
            self.reason = reason
        }
        public func problem() -> String? {
            first(check(rank, "rank"), check(trial, "trial"), objectProblem(params, "params"), check(front, "front"), check(dominated, "dominated"))
        }

        /// Equal but for the elapsed time, which changes every instant while a trial runs.
        public func same(as other: Row) -> Bool {
            var a = self, b = other
            a.elapsed = nil
            b.elapsed = nil
            return a == b
        }
    }

    /// SNAPSHOT and UPDATE: `rows` replace the follower's rows at their ranks; `count` is how
    /// many rows the leaderboard has now (at most `top`).
    public struct Rows: MessageBody {
        public let study: String
        public let seq: Int
        public let count: Int
        public let rows: [Row]
        public let status: StudyStatus
        public init(study: String, seq: Int, count: Int, rows: [Row], status: StudyStatus) {
            self.study = study
            self.seq = seq
            self.count = count
            self.rows = rows
            self.status = status
        }
        public func problem() -> String? {
            first(check(seq, "seq"), check(count, "count"), first(rows, "rows") { $0.problem() }, status.problem().map { "status.\($0)" })
        }
    }

    public struct Exported: MessageBody {
        public let study: String
        public let name: String
        public let metric: String
        public let direction: Direction
        public let test: Config?
        /// One object per trial as the store keeps it (trial, status, attempt, config, metrics by epoch, …).
        public let trials: [Config]
        /// The study's spec as it stands (its budget raised by any extend).
        public let spec: Config?
        public init(study: String, name: String, metric: String, direction: Direction, test: Config?, trials: [Config], spec: Config? = nil) {
            self.spec = spec
            self.study = study
            self.name = name
            self.metric = metric
            self.direction = direction
            self.test = test
            self.trials = trials
        }
        public func problem() -> String? { first(trials, "trials") { objectProblem($0, "") } }
    }

    /// A trial's output, as the coordinator keeps it: lines after `after` (0: from the start).
    public struct Logs: MessageBody {
        public let study: String
        /// The trial's number in its study (-1: the final trial).
        public let trial: Int
        public let after: Int?
        public init(study: String, trial: Int, after: Int? = nil) {
            self.study = study
            self.trial = trial
            self.after = after
        }
        public func problem() -> String? { first(check(trial, "trial", atLeast: -1), check(after, "after")) }
    }

    public struct LogsReply: MessageBody {
        public let study: String
        public let trial: Int
        public let lines: [Line]
        /// Ask with `after: next` for the lines that come later.
        public let next: Int
        /// The trial still runs: more may come.
        public let running: Bool
        public init(study: String, trial: Int, lines: [Line], next: Int, running: Bool) {
            self.study = study
            self.trial = trial
            self.lines = lines
            self.next = next
            self.running = running
        }
        public func problem() -> String? { first(check(trial, "trial", atLeast: -1), check(next, "next")) }
    }

    public struct WorkerRow: MessageBody {
        public let worker: String
        public let host: String
        public let cores: Int
        public let threads: Int
        public let state: WorkerState
        /// The trial it runs: its id, its study and its number there (-1: the final trial).
        public let trial: Int?
        public let study: String?
        public let number: Int?
        public let lastSeenMS: Int
        /// Why a quarantined worker is (the failures that put it there).
        public let reason: String?
        enum CodingKeys: String, CodingKey { case worker, host, cores, threads, state, trial, study, number, reason, lastSeenMS = "last_seen_ms" }
        public init(worker: String, host: String, cores: Int, threads: Int, state: WorkerState, trial: Int?, study: String?, number: Int?, lastSeenMS: Int,
                    reason: String? = nil) {
            self.reason = reason
            self.worker = worker
            self.host = host
            self.cores = cores
            self.threads = threads
            self.state = state
            self.trial = trial
            self.study = study
            self.number = number
            self.lastSeenMS = lastSeenMS
        }
        public func problem() -> String? {
            first(check(cores, "cores"), check(threads, "threads"), check(lastSeenMS, "last_seen_ms"), check(number, "number", atLeast: -1))
        }
    }

    public struct WorkersReply: MessageBody {
        public let workers: [WorkerRow]
        public init(workers: [WorkerRow]) { self.workers = workers }
        public func problem() -> String? { first(workers, "workers") { $0.problem() } }
    }
}

/// A field the schema says is an object.
func objectProblem(_ value: Config, _ field: String) -> String? {
    if case .object = value { return nil }
    return field.isEmpty ? "must be an object" : "\(field) must be an object (got \(value.json))"
}
