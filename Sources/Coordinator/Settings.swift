import Foundation
import Config

/// The coordinator's settings: flags over a config file over these defaults (the README's
/// "Coordinator settings" table lists them).
public struct Settings: Equatable, Sendable {
    public var workers = "tcp://127.0.0.1:5555"
    public var clients = "tcp://127.0.0.1:5556"
    public var store = "sweep.sqlite"
    public var heartbeat = 2.0
    public var liveness = 5
    public var leaseGrace = 60.0
    public var logLevel = "info"

    public static let keys = ["workers", "clients", "store", "heartbeat", "liveness", "lease_grace", "log_level"]
    public static let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    public init() {}

    /// Reads a settings file (YAML or JSON); every problem is reported with its key.
    public init(file path: String) throws {
        let config = try Config.load(path: path)
        let f = Fields()
        let o = f.object(config, "", known: Self.keys)
        let defaults = Settings()
        workers = f.string(o, "workers", "", default: defaults.workers)
        clients = f.string(o, "clients", "", default: defaults.clients)
        store = f.string(o, "store", "", default: defaults.store)
        heartbeat = f.double(o, "heartbeat", "", default: defaults.heartbeat, 0.01...3600, rule: "seconds in [0.01, 3600]")
        liveness = f.int(o, "liveness", "", default: defaults.liveness, 1...1000, rule: "a count of heartbeats ≥ 1")
        leaseGrace = f.double(o, "lease_grace", "", default: defaults.leaseGrace, 0...86_400, rule: "seconds in [0, 86400]")
        logLevel = f.string(o, "log_level", "", default: defaults.logLevel, oneOf: Self.levels)
        try f.check()
    }

    /// The core's timing options.
    public var options: Coordinator.Options {
        var options = Coordinator.Options()
        options.heartbeat = heartbeat
        options.liveness = liveness
        options.leaseGrace = leaseGrace
        return options
    }
}
