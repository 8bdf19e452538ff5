import Config
import Search

/// Client ↔ coordinator: steering a study after submit (§4.3).
extension Body {
    /// ENQUEUE: configurations to run next, before new suggestions.
    public struct Enqueue: MessageBody {
        public let study: String
        /// Each a mapping of searched parameter to value (fixed parameters may be left out).
        public let trials: [Config]
        /// Values outside the space are taken (recorded with origin `outside`) instead of refused.
        public let allowOutside: Bool?
        enum CodingKeys: String, CodingKey { case study, trials, allowOutside = "allow_outside" }
        public init(study: String, trials: [Config], allowOutside: Bool? = nil) {
            self.study = study
            self.trials = trials
            self.allowOutside = allowOutside
        }
        public func problem() -> String? {
            trials.isEmpty ? "trials must list at least one configuration" : first(trials, "trials") { objectProblem($0, "") }
        }
    }

    /// The trial numbers an ENQUEUE or a RETRY queued, in order.
    public struct Queued: MessageBody {
        public let study: String
        public let trials: [Int]
        public init(study: String, trials: [Int]) {
            self.study = study
            self.trials = trials
        }
        public func problem() -> String? { check(trials, "trials") }
    }

    /// EXTEND: more budget for a study, which then goes on from where it is.
    public struct Extend: MessageBody {
        public let study: String
        /// More search trials on top of those it has.
        public let trials: Int?
        /// More seconds of wall time, counted from now.
        public let wallTime: Double?
        enum CodingKeys: String, CodingKey { case study, trials, wallTime = "wall_time_s" }
        public init(study: String, trials: Int?, wallTime: Double?) {
            self.study = study
            self.trials = trials
            self.wallTime = wallTime
        }
        public func problem() -> String? {
            if trials == nil && wallTime == nil { return "trials or wall_time_s must say how much more budget the study gets" }
            if let wallTime, !(wallTime >= 1) { return "wall_time_s must be ≥ 1 (got \(Config.number(wallTime)))" }
            return check(trials, "trials", atLeast: 1)
        }
    }

    /// RETRY: finished trials run again, as their next attempt.
    public struct Retry: MessageBody {
        public let study: String
        /// Every failed trial (timed out included).
        public let failed: Bool?
        /// These trial numbers.
        public let trials: [Int]?
        public init(study: String, failed: Bool? = nil, trials: [Int]? = nil) {
            self.study = study
            self.failed = failed
            self.trials = trials
        }
        public func problem() -> String? {
            if failed != true && (trials ?? []).isEmpty { return "failed: true or trials: [numbers] must say which trials to run again" }
            return check(trials ?? [], "trials")
        }
    }

    /// DESCRIBE: a study's new name, note (empty: none) or tags; what is left out stays.
    public struct Describe: MessageBody {
        public let study: String
        public let name: String?
        public let note: String?
        public let tags: [String]?
        public init(study: String, name: String? = nil, note: String? = nil, tags: [String]? = nil) {
            self.study = study
            self.name = name
            self.note = note
            self.tags = tags
        }
        public func problem() -> String? {
            if name?.isEmpty == true { return "name must not be empty" }
            if let tags, let bad = tags.first(where: { $0.isEmpty || $0.contains(where: \.isWhitespace) }) {
                return "tags must be words without spaces (got \"\(bad)\")"
            }
            return nil
        }
    }

    /// RELEASE: a quarantined worker gets trials again.
    public struct Release: MessageBody {
        public let worker: String
        public init(worker: String) { self.worker = worker }
    }

    /// SUBMIT's warm start: the finished trials of a study on this coordinator, or trials an
    /// export file holds (each `{config, status, value}`), with the metric they were scored on.
    public struct WarmStart: MessageBody {
        public let study: String?
        public let trials: [Config]?
        public let metric: String?
        /// Where the trials came from, as the user named it (a file's path).
        public let source: String?
        public init(study: String? = nil, trials: [Config]? = nil, metric: String? = nil, source: String? = nil) {
            self.study = study
            self.trials = trials
            self.metric = metric
            self.source = source
        }
        public func problem() -> String? {
            (study == nil) == (trials == nil) ? "warm_start must name a study or list trials (one of the two)" : first(trials ?? [], "trials") { objectProblem($0, "") }
        }
    }

    /// What a warm start took: how many old trials, and how many were left out for each reason.
    public struct Warm: MessageBody {
        public let taken: Int
        public let skipped: [Skipped]
        public init(taken: Int, skipped: [Skipped]) {
            self.taken = taken
            self.skipped = skipped
        }
        public func problem() -> String? { first(check(taken, "taken"), first(skipped, "skipped") { check($0.count, "count") }) }
    }

    public struct Skipped: MessageBody {
        public let reason: String
        public let count: Int
        public init(reason: String, count: Int) {
            self.reason = reason
            self.count = count
        }
    }
}
