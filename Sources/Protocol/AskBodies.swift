import Config
import Search

/// Client ↔ coordinator: trials of a `runner: external` study, run by the program that asks
/// for them (§4.4). Each is a lease on one attempt, renewed by every report and heartbeat.
extension Body {
    /// ASK: the next trial of a study to run here.
    public struct Ask: MessageBody {
        public let study: String
        /// A name for the asker, shown as the trial's worker (`python` unless given).
        public let worker: String?
        public init(study: String, worker: String? = nil) {
            self.study = study
            self.worker = worker
        }
        public func problem() -> String? { worker?.isEmpty == true ? "worker must not be empty" : nil }
    }

    /// ASKED: a trial to run (`trial` is its id), or none now (`trial` absent: ask again later;
    /// `over`: the study will give no more).
    public struct Asked: MessageBody {
        public let study: String
        public let trial: Int?
        public let number: Int?
        public let attempt: Int?
        /// The configuration: searched parameter → value.
        public let config: Config?
        public let seed: UInt64?
        /// Seconds the lease lasts without a report or heartbeat before the trial runs elsewhere.
        public let leaseS: Double?
        public let over: Bool
        enum CodingKeys: String, CodingKey { case study, trial, number, attempt, config, seed, over, leaseS = "lease_s" }
        public init(study: String, trial: Int? = nil, number: Int? = nil, attempt: Int? = nil, config: Config? = nil, seed: UInt64? = nil,
                    leaseS: Double? = nil, over: Bool = false) {
            self.study = study
            self.trial = trial
            self.number = number
            self.attempt = attempt
            self.config = config
            self.seed = seed
            self.leaseS = leaseS
            self.over = over
        }
        public func problem() -> String? { first(check(trial, "trial"), check(number, "number"), check(attempt, "attempt")) }
    }

    /// TELL: how an asked trial ended (`stopped`: it stopped on a REPORTED decision).
    public struct Tell: MessageBody {
        public let trial: Int
        public let attempt: Int
        public let status: RunStatus
        public let metrics: [String: Double]?
        public let error: String?
        public init(trial: Int, attempt: Int, status: RunStatus, metrics: [String: Double]? = nil, error: String? = nil) {
            self.trial = trial
            self.attempt = attempt
            self.status = status
            self.metrics = metrics
            self.error = error
        }
        public func problem() -> String? { first(check(trial, "trial"), check(attempt, "attempt")) }
    }
}
