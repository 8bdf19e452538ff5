import Config
import Search

/// Message bodies the coordinator reads and writes (Protocols/SWEEP-1.md §4.1).
public enum Body {
    public struct Running: Codable, Equatable, Sendable {
        public let trial: Int
        public let attempt: Int
        public let last_seq: Int
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
    }

    public struct Welcome: Codable, Equatable, Sendable {
        public let proto: Int
        public let coordinator_session: String
        public let heartbeat_ms: Int
        public let liveness: Int
        public let lease_grace_ms: Int
        public let adopt: [Running]
        public let stop: [Running]
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
    }

    public struct Metric: Codable, Equatable, Sendable {
        public let trial: Int
        public let attempt: Int
        public let seq: Int
        public let epoch: Int
        public let metrics: [String: Config]
    }

    public struct Done: Codable, Equatable, Sendable {
        public let trial: Int
        public let attempt: Int
        public let seq: Int
        public let status: String
        public let metrics: [String: Config]?
        public let error: String?
    }

    public struct Ack: Codable, Equatable, Sendable {
        public let trial: Int
        public let attempt: Int
        public let seq: Int
    }

    public struct Decision: Codable, Equatable, Sendable {
        public let trial: Int
        public let attempt: Int
        public let epoch: Int
        public let `continue`: Bool
        public let reason: StopReason?
    }

    public struct Stop: Codable, Equatable, Sendable {
        public let trial: Int
        public let attempt: Int
        public let reason: String
    }

    public struct Empty: Codable, Equatable, Sendable {}
}
