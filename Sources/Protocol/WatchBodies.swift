import Config
import Search

/// Watching every trial of a study (§4.6): what a dashboard mirrors.
extension Body {
    /// EXPORT: a study's trials as the store keeps them; `trials` names some (all when left out).
    public struct Export: MessageBody {
        public let study: String?
        public let trials: [Int]?
        public init(study: String, trials: [Int]? = nil) {
            self.study = study
            self.trials = trials
        }
        public func problem() -> String? { check(trials ?? [], "trials") }
    }

    /// One trial as a watcher sees it: state, objective curve, configuration, worker and times.
    public struct TrialRow: MessageBody {
        public let trial: Int
        public let status: TrialState
        /// The final objective of a finished trial.
        public let value: Double?
        /// The objective as reported, epoch by epoch (`epochs[i]` ↔ `values[i]`).
        public let epochs: [Int]
        public let values: [Double]
        public let params: Config
        public let worker: String?
        /// Unix seconds of the current attempt's start and end.
        public let started: Double?
        public let ended: Double?
        public let attempt: Int
        public let origin: Origin
        /// Why it stopped early or failed: `rule: detail`.
        public let reason: String?
        /// With several objectives: each one's value (final, else the latest report's), in the
        /// spec's order; nil where not reported. The page works out the Pareto front from these.
        public let objectives: [Double?]?
        /// With constraints: whether the trial keeps them, and how far past each bound it lies.
        public let feasible: Bool?
        public let violations: [Double?]?
        enum CodingKeys: String, CodingKey {
            case trial, status, value, epochs, values, params, worker, attempt, origin, reason, objectives, feasible, violations
            case started = "started_at", ended = "ended_at"
        }
        public init(trial: Int, status: TrialState, value: Double?, epochs: [Int], values: [Double], params: Config, worker: String?,
                    started: Double?, ended: Double?, attempt: Int, origin: Origin, reason: String?,
                    objectives: [Double?]? = nil, feasible: Bool? = nil, violations: [Double?]? = nil) {
            self.objectives = objectives
            self.feasible = feasible
            self.violations = violations
            self.trial = trial
            self.status = status
            self.value = value
            self.epochs = epochs
            self.values = values
            self.params = params
            self.worker = worker
            self.started = started
            self.ended = ended
            self.attempt = attempt
            self.origin = origin
            self.reason = reason
        }
        public func problem() -> String? {
            if epochs.count != values.count { return "epochs and values must be as long as each other (\(epochs.count) and \(values.count))" }
            return first(check(trial, "trial"), check(attempt, "attempt"), objectProblem(params, "params"))
        }
    }

    /// TRIALS: WATCH's reply holds every trial (`full`, with the spec); each pushed TRIALS holds
    /// the trials that changed since the one before (`seq` one more).
    public struct Trials: MessageBody {
        public let study: String
        public let seq: Int
        public let full: Bool
        public let trials: [TrialRow]
        public let status: StudyStatus
        /// The study's spec as it stands, in the full reply.
        public let spec: Config?
        public init(study: String, seq: Int, full: Bool, trials: [TrialRow], status: StudyStatus, spec: Config? = nil) {
            self.study = study
            self.seq = seq
            self.full = full
            self.trials = trials
            self.status = status
            self.spec = spec
        }
        public func problem() -> String? {
            first(check(seq, "seq"), first(trials, "trials") { $0.problem() }, status.problem().map { "status.\($0)" })
        }
    }
}
