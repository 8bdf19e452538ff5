import Config

/// Bodies of the worker ↔ coordinator messages (Protocols/SWEEP-1.md §4.1), field names as on the wire.
public enum Body {
    public struct Running: Codable, Equatable, Sendable {
        public let trial: Int
        public let attempt: Int
        public let last_seq: Int
        public init(trial: Int, attempt: Int, last_seq: Int) {
            self.trial = trial
            self.attempt = attempt
            self.last_seq = last_seq
        }
    }

    public struct Hello: Codable, Equatable, Sendable {
        public let worker: String
        public let boot_id: String
        public let host: String
        public let cores: Int
        public let threads: Int
        public let version: String
        public let proto_min: Int
        public let proto_max: Int
        public let running: [Running]
        public init(worker: String, boot_id: String, host: String, cores: Int, threads: Int, version: String, proto_min: Int, proto_max: Int, running: [Running]) {
            self.worker = worker
            self.boot_id = boot_id
            self.host = host
            self.cores = cores
            self.threads = threads
            self.version = version
            self.proto_min = proto_min
            self.proto_max = proto_max
            self.running = running
        }
    }

    public struct Welcome: Codable, Equatable, Sendable {
        public let proto: Int
        public let coordinator_session: String
        public let heartbeat_ms: Int
        public let liveness: Int
        public let lease_grace_ms: Int
        public let adopt: [Running]
        public let stop: [Running]
        public init(proto: Int, coordinator_session: String, heartbeat_ms: Int, liveness: Int, lease_grace_ms: Int, adopt: [Running], stop: [Running]) {
            self.proto = proto
            self.coordinator_session = coordinator_session
            self.heartbeat_ms = heartbeat_ms
            self.liveness = liveness
            self.lease_grace_ms = lease_grace_ms
            self.adopt = adopt
            self.stop = stop
        }
    }

    public struct Assign: Codable, Equatable, Sendable {
        public let trial: Int
        public let attempt: Int
        public let study: String
        public let kind: String
        public let seed: UInt64
        public let metric: String
        public let config: Config?
        public let command: [String]?
        /// The final trial: after training, score the test split and report `test_*` metrics in `DONE`.
        public let test: Bool?
        /// The trial's number in its study (as leaderboards show it; -1 for the final trial).
        public let number: Int?
        public init(trial: Int, attempt: Int, study: String, kind: String, seed: UInt64, metric: String, config: Config? = nil, command: [String]? = nil,
                    test: Bool? = nil, number: Int? = nil) {
            self.trial = trial
            self.attempt = attempt
            self.study = study
            self.kind = kind
            self.seed = seed
            self.metric = metric
            self.config = config
            self.command = command
            self.test = test
            self.number = number
        }
    }

    public struct Metric: Codable, Equatable, Sendable {
        public let trial: Int
        public let attempt: Int
        public let seq: Int
        public let epoch: Int
        public let metrics: [String: Config]
        public init(trial: Int, attempt: Int, seq: Int, epoch: Int, metrics: [String: Config]) {
            self.trial = trial
            self.attempt = attempt
            self.seq = seq
            self.epoch = epoch
            self.metrics = metrics
        }
    }

    public struct Done: Codable, Equatable, Sendable {
        public let trial: Int
        public let attempt: Int
        public let seq: Int
        public let status: String
        public let metrics: [String: Config]?
        public let error: String?
        public init(trial: Int, attempt: Int, seq: Int, status: String, metrics: [String: Config]? = nil, error: String? = nil) {
            self.trial = trial
            self.attempt = attempt
            self.seq = seq
            self.status = status
            self.metrics = metrics
            self.error = error
        }
    }

    public struct Ack: Codable, Equatable, Sendable {
        public let trial: Int
        public let attempt: Int
        public let seq: Int
        public init(trial: Int, attempt: Int, seq: Int) {
            self.trial = trial
            self.attempt = attempt
            self.seq = seq
        }
    }

    /// Why a trial stops: the rule and the numbers behind it.
    public struct Reason: Codable, Equatable, Sendable {
        public let rule: String
        public let detail: String
        public let numbers: [String: Double]?
        public init(rule: String, detail: String, numbers: [String: Double]? = nil) {
            self.rule = rule
            self.detail = detail
            self.numbers = numbers
        }
    }

    public struct Decision: Codable, Equatable, Sendable {
        public let trial: Int
        public let attempt: Int
        public let epoch: Int
        public let `continue`: Bool
        public let reason: Reason?
        public init(trial: Int, attempt: Int, epoch: Int, continue: Bool, reason: Reason? = nil) {
            self.trial = trial
            self.attempt = attempt
            self.epoch = epoch
            self.`continue` = `continue`
            self.reason = reason
        }
    }

    public struct Stop: Codable, Equatable, Sendable {
        public let trial: Int
        public let attempt: Int
        public let reason: String
        public init(trial: Int, attempt: Int, reason: String) {
            self.trial = trial
            self.attempt = attempt
            self.reason = reason
        }
    }

    public struct Empty: Codable, Equatable, Sendable {
        public init() {}
    }
}
