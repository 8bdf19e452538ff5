import Foundation
import Config
import Service
import Wire

/// The coordinator's settings: flags over a config file over these defaults (the README's
/// "Coordinator settings" table lists them).
public struct Settings: Equatable, Sendable {
    public var workers = "tcp://127.0.0.1:5555"
    public var clients = "tcp://127.0.0.1:5556"
    public var store = "sweep.sqlite"
    public var heartbeat = 2.0
    public var liveness = 5
    public var leaseGrace = 60.0
    /// Seconds a worker that left or was lost stays listed (and in the store's workers table).
    public var workerRetention = 3600.0
    /// Bytes a whole message may hold (answered `too_large` above it).
    public var maxMessage = 1 << 20
    /// Lines of each trial's output the store keeps (the newest).
    public var outputLines = 2000
    /// Failures in a row, for a worker's machine's reasons, that quarantine it (0: never).
    public var quarantineAfter = 3
    /// Seconds an asked trial may go silent before it runs elsewhere.
    public var askLease: Double = 600
    /// Where Prometheus metrics are served (`HOST:PORT`; nil: not served).
    public var metrics: String?
    public var logLevel = "info"
    /// The coordinator's secret certificate (CURVE is on unless `insecure`).
    public var key: String?
    /// Certificate files or directories of `*.key` files admitted on each endpoint.
    public var workersAllow: [String] = []
    public var clientsAllow: [String] = []
    /// No CURVE: loopback endpoints only.
    public var insecure = false
    /// Where to write the cluster connection file, and the host name it gives for a wildcard bind.
    public var clusterFile: String?
    public var advertise: String?

    public static let keys = ["workers", "clients", "store", "heartbeat", "liveness", "lease_grace", "worker_retention", "max_message", "output_lines", "quarantine_after", "ask_lease", "metrics", "log_level",
                              "key", "workers_allow", "clients_allow", "insecure", "cluster_file", "advertise"]
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
        workerRetention = f.double(o, "worker_retention", "", default: defaults.workerRetention, 0...31_536_000, rule: "seconds in [0, 31536000]")
        maxMessage = f.int(o, "max_message", "", default: defaults.maxMessage, 4096...(1 << 30), rule: "bytes in 4096…1073741824")
        outputLines = f.int(o, "output_lines", "", default: defaults.outputLines, 0...1_000_000, rule: "lines kept per trial, in 0…1000000")
        quarantineAfter = f.int(o, "quarantine_after", "", default: defaults.quarantineAfter, 0...1000,
                                rule: "failures in a row, for a machine's reasons, that quarantine a worker, in 0…1000 (0: never)")
        askLease = f.double(o, "ask_lease", "", default: defaults.askLease, 1...604_800, rule: "seconds in [1, 604800]")
        let served = f.string(o, "metrics", "", default: "")
        metrics = served.isEmpty ? nil : served
        logLevel = f.string(o, "log_level", "", default: defaults.logLevel, oneOf: Self.levels)
        key = o["key"].map { _ in f.string(o, "key", "", default: "") }
        workersAllow = Self.paths(f, o, "workers_allow")
        clientsAllow = Self.paths(f, o, "clients_allow")
        insecure = f.bool(o, "insecure", "", default: false)
        clusterFile = o["cluster_file"].map { _ in f.string(o, "cluster_file", "", default: "") }
        advertise = o["advertise"].map { _ in f.string(o, "advertise", "", default: "") }
        try f.check()
    }

    /// A path or a list of paths.
    static func paths(_ f: Fields, _ o: [String: Config], _ key: String) -> [String] {
        switch o[key] {
        case nil, .null?: return []
        case let .string(path)?: return [path]
        case let .array(items)?:
            return items.compactMap { item -> String? in
                if case let .string(path) = item { return path }
                f.fail(key, "must list paths (got \(item))")
                return nil
            }
        case let other?:
            f.fail(key, "must be a path or a list of paths (got \(other))")
            return []
        }
    }

    /// The CURVE setup these settings ask for: nil with `insecure` (allowed on loopback only).
    public func security() throws -> ServerSecurity? {
        let endpoints = [try Endpoint(parsing: workers), try Endpoint(parsing: clients)]
        if insecure {
            guard endpoints.allSatisfy(\.isLoopback) else {
                throw SecurityError("insecure is allowed only on loopback endpoints (got \(workers), \(clients)); on a network give --key and the allow-lists")
            }
            return nil
        }
        guard let key else {
            throw SecurityError("""
                CURVE is on by default: give the coordinator's secret key with --key FILE and the public keys it admits with \
                --workers-allow DIR and --clients-allow DIR (make keys with: sweep keygen NAME); or --insecure on loopback
                """)
        }
        guard let pair = try Certificate(path: key).keyPair else { throw SecurityError("\(key) is a public certificate; --key needs the secret one (NAME.key_secret)") }
        guard !workersAllow.isEmpty || !clientsAllow.isEmpty else {
            throw SecurityError("with CURVE the coordinator admits only listed keys: give --workers-allow and --clients-allow (a .key file or a directory of them)")
        }
        return ServerSecurity(keyPair: pair, allowLists: ["workers": workersAllow, "clients": clientsAllow])
    }

    /// The cluster connection file for these settings (`advertise` replaces a wildcard host).
    public func cluster(publicKey: String?) -> ClusterFile {
        let host = advertise ?? ProcessInfo.processInfo.hostName
        func shown(_ endpoint: String) -> String { endpoint.replacingOccurrences(of: "://*:", with: "://\(host):").replacingOccurrences(of: "://0.0.0.0:", with: "://\(host):") }
        return ClusterFile(workers: shown(workers), clients: shown(clients), serverKey: publicKey)
    }

    /// The core's timing options.
    public var options: Coordinator.Options {
        var options = Coordinator.Options()
        options.heartbeat = heartbeat
        options.liveness = liveness
        options.leaseGrace = leaseGrace
        options.workerRetention = workerRetention
        options.messageLimit = maxMessage
        options.outputLines = outputLines
        options.quarantineAfter = quarantineAfter
        options.askLease = askLease
        return options
    }
}
