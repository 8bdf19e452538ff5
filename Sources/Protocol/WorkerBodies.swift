import Config
import Search

/// Bodies of the messages (Protocols/SWEEP-1.md §4), one type per body; the coding keys are
/// the wire's field names.
public enum Body {}

/// Worker ↔ coordinator (§4.1).
extension Body {
    /// A trial a worker runs (or has reports of that are not acknowledged yet).
    public struct Running: MessageBody {
        public let trial: Int
        public let attempt: Int
        public let lastSeq: Int
        enum CodingKeys: String, CodingKey { case trial, attempt, lastSeq = "last_seq" }
        public init(trial: Int, attempt: Int, lastSeq: Int) {
            self.trial = trial
            self.attempt = attempt
            self.lastSeq = lastSeq
        }
        public func problem() -> String? { first(check(trial, "trial"), check(attempt, "attempt"), check(lastSeq, "last_seq")) }
    }

    public struct Hello: MessageBody {
        public let worker: String
        public let bootID: String
        public let host: String
        public let cores: Int
        public let threads: Int
        public let version: String
        public let protoMin: Int
        public let protoMax: Int
        public let running: [Running]
        enum CodingKeys: String, CodingKey {
            case worker, host, cores, threads, version, running
            case bootID = "boot_id", protoMin = "proto_min", protoMax = "proto_max"
        }
        public init(worker: String, bootID: String, host: String, cores: Int, threads: Int, version: String, protoMin: Int, protoMax: Int, running: [Running]) {
            self.worker = worker
            self.bootID = bootID
            self.host = host
            self.cores = cores
            self.threads = threads
            self.version = version
            self.protoMin = protoMin
            self.protoMax = protoMax
            self.running = running
        }
        public func problem() -> String? {
            first(check(cores, "cores"), check(threads, "threads"), check(protoMin, "proto_min"), check(protoMax, "proto_max"),
                  first(running, "running") { $0.problem() })
        }
    }

    public struct Welcome: MessageBody {
        public let proto: Int
        public let session: String
        public let heartbeatMS: Int
        public let liveness: Int
        public let leaseGraceMS: Int
        /// Trials of the HELLO the coordinator keeps on this worker, and those it runs elsewhere now.
        public let adopt: [Running]
        public let stop: [Running]
        enum CodingKeys: String, CodingKey {
            case proto, liveness, adopt, stop
            case session = "coordinator_session", heartbeatMS = "heartbeat_ms", leaseGraceMS = "lease_grace_ms"
        }
        public init(proto: Int, session: String, heartbeatMS: Int, liveness: Int, leaseGraceMS: Int, adopt: [Running], stop: [Running]) {
            self.proto = proto
            self.session = session
            self.heartbeatMS = heartbeatMS
            self.liveness = liveness
            self.leaseGraceMS = leaseGraceMS
            self.adopt = adopt
            self.stop = stop
        }
        public func problem() -> String? {
            first(check(proto, "proto"), check(heartbeatMS, "heartbeat_ms"), check(liveness, "liveness"), check(leaseGraceMS, "lease_grace_ms"),
                  first(adopt, "adopt") { $0.problem() }, first(stop, "stop") { $0.problem() })
        }
    }

    public struct Assign: MessageBody {
        public let trial: Int
        public let attempt: Int
        public let study: String
        public let kind: TrialKind
        public let seed: UInt64
        public let metric: String
        /// The trial spec (builtin) or the configuration (command).
        public let config: Config?
        public let command: [String]?
        /// The final trial: after training, score the test split and report `test_*` metrics in `DONE`.
        public let test: Bool?
        /// The trial's number in its study (as leaderboards show it; -1 for the final trial).
        public let number: Int?
        public init(trial: Int, attempt: Int, study: String, kind: TrialKind, seed: UInt64, metric: String, config: Config? = nil,
                    command: [String]? = nil, test: Bool? = nil, number: Int? = nil) {
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
        public func problem() -> String? {
            first(check(trial, "trial"), check(attempt, "attempt"), check(number, "number", atLeast: -1), config.flatMap { objectProblem($0, "config") })
        }
    }

    /// ACCEPT and REJECT: the worker takes the assigned attempt, or cannot (it is busy).
    public struct Accept: MessageBody {
        public let trial: Int
        public let attempt: Int
        public init(trial: Int, attempt: Int) {
            self.trial = trial
            self.attempt = attempt
        }
        public func problem() -> String? { first(check(trial, "trial"), check(attempt, "attempt")) }
    }

    public struct Reject: MessageBody {
        public let trial: Int
        public let attempt: Int
        public let reason: String
        public init(trial: Int, attempt: Int, reason: String) {
            self.trial = trial
            self.attempt = attempt
            self.reason = reason
        }
        public func problem() -> String? { first(check(trial, "trial"), check(attempt, "attempt")) }
    }

    public struct Metric: MessageBody {
        public let trial: Int
        public let attempt: Int
        public let seq: Int
        public let epoch: Int
        public let metrics: [String: Double]
        public init(trial: Int, attempt: Int, seq: Int, epoch: Int, metrics: [String: Double]) {
            self.trial = trial
            self.attempt = attempt
            self.seq = seq
            self.epoch = epoch
            self.metrics = metrics
        }
        public func problem() -> String? { first(check(trial, "trial"), check(attempt, "attempt"), check(seq, "seq"), check(epoch, "epoch")) }
    }

    public struct Done: MessageBody {
        public let trial: Int
        public let attempt: Int
        public let seq: Int
        public let status: RunStatus
        public let metrics: [String: Double]?
        public let error: String?
        /// Whose a failure is: the trial's (nil too) or the worker's machine's.
        public let cause: FailureCause?
        public init(trial: Int, attempt: Int, seq: Int, status: RunStatus, metrics: [String: Double]? = nil, error: String? = nil,
                    cause: FailureCause? = nil) {
            self.cause = cause
            self.trial = trial
            self.attempt = attempt
            self.seq = seq
            self.status = status
            self.metrics = metrics
            self.error = error
        }
        public func problem() -> String? { first(check(trial, "trial"), check(attempt, "attempt"), check(seq, "seq")) }
    }

    public struct Ack: MessageBody {
        public let trial: Int
        public let attempt: Int
        public let seq: Int
        public init(trial: Int, attempt: Int, seq: Int) {
            self.trial = trial
            self.attempt = attempt
            self.seq = seq
        }
        public func problem() -> String? { first(check(trial, "trial"), check(attempt, "attempt"), check(seq, "seq")) }
    }

    /// Why a trial stops: the rule and the numbers behind it.
    public struct Reason: Codable, Equatable, Sendable {
        public let rule: StopRule
        public let detail: String
        public let numbers: [String: Double]?
        public init(rule: StopRule, detail: String, numbers: [String: Double]? = nil) {
            self.rule = rule
            self.detail = detail
            self.numbers = numbers
        }
        public init(_ reason: StopReason) { self.init(rule: reason.rule, detail: reason.detail, numbers: reason.numbers) }
    }

    public struct Decision: MessageBody {
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
        public func problem() -> String? { first(check(trial, "trial"), check(attempt, "attempt"), check(epoch, "epoch")) }
    }

    public struct Stop: MessageBody {
        public let trial: Int
        public let attempt: Int
        public let reason: StopOrder
        public init(trial: Int, attempt: Int, reason: StopOrder) {
            self.trial = trial
            self.attempt = attempt
            self.reason = reason
        }
        public func problem() -> String? { first(check(trial, "trial"), check(attempt, "attempt")) }
    }

    /// One line of a trial's output.
    public struct Line: Codable, Equatable, Sendable {
        public let stream: StandardStream
        public let text: String
        public init(_ stream: StandardStream, _ text: String) {
            self.stream = stream
            self.text = text
        }
    }

    /// A trial's output since the last LOG: best effort, not acknowledged (the reports are what
    /// must arrive; output is for people).
    public struct Log: MessageBody {
        public let trial: Int
        public let attempt: Int
        public let lines: [Line]
        public init(trial: Int, attempt: Int, lines: [Line]) {
            self.trial = trial
            self.attempt = attempt
            self.lines = lines
        }
        public func problem() -> String? { first(check(trial, "trial"), check(attempt, "attempt")) }
    }

    public struct Bye: MessageBody {
        public let reason: String
        public init(reason: String) { self.reason = reason }
    }
}
