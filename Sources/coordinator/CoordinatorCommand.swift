import ArgumentParser
import Version
import Foundation
import Logging
import Config
import Coordinator
import TrialSpecs
import Store
import Service
import Wire
import Telemetry

extension Logger.Level: @retroactive ExpressibleByArgument {}

@main
struct CoordinatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Run the Sweep coordinator: studies, samplers, stoppers and the store.",
        discussion: """
        CURVE is on by default: the coordinator needs its secret key (--key) and admits only the \
        public keys in --workers-allow and --clients-allow (a .key file, or a directory of them; \
        separate lists, so a client key cannot act as a worker). SIGHUP reloads the lists. \
        --insecure turns CURVE off, on loopback endpoints only. Settings come from flags, then the \
        --config file (YAML or JSON, keys as the flags with underscores), then the defaults.

        Examples:
          sweep keygen coordinator --dir keys; sweep keygen w1 --dir keys/workers; sweep keygen me --dir keys/clients
          coordinator --workers tcp://*:5555 --clients tcp://*:5556 --key keys/coordinator.key_secret \\
                      --workers-allow keys/workers --clients-allow keys/clients --cluster-file cluster.yaml
          coordinator --insecure                                 loopback only, no keys
          coordinator --config /etc/sweep/coordinator.yaml --log-level debug
        """,
        version: Build.line("coordinator")
    )

    @Option(help: "A settings file (YAML or JSON).") var config: String?
    @Option(help: "Endpoint for workers (default: tcp://127.0.0.1:5555).") var workers: String?
    @Option(help: "Endpoint for clients: sweep submit, leaderboard… (default: tcp://127.0.0.1:5556).") var clients: String?
    @Option(help: "SQLite store, created if missing (default: sweep.sqlite).") var store: String?
    @Option(help: "Heartbeat interval in seconds (default: 2).") var heartbeat: Double?
    @Option(help: "Missed heartbeats before a worker is lost (default: 5).") var liveness: Int?
    @Option(help: "Seconds after a worker is lost before its trial runs elsewhere (default: 60).") var leaseGrace: Double?
    @Option(help: "Seconds a worker that left or was lost stays listed (default: 3600).") var workerRetention: Double?
    @Option(help: "Bytes a whole message may hold; larger ones are answered too_large (default: 1048576).") var maxMessage: Int?
    @Option(help: "trace, debug, info, notice, warning, error or critical (default: info).") var logLevel: Logger.Level?
    @Flag(name: .shortAndLong, help: "Log at debug level (every report and decision).") var verbose = false
    @Option(help: "The coordinator's secret certificate (NAME.key_secret, from sweep keygen).") var key: String?
    @Option(help: "Public certificates admitted as workers: a .key file or a directory (repeatable).") var workersAllow: [String] = []
    @Option(help: "Public certificates admitted as clients: a .key file or a directory (repeatable).") var clientsAllow: [String] = []
    @Flag(help: "No CURVE: no encryption, no authentication. Loopback endpoints only.") var insecure = false
    @Option(help: "Write a cluster connection file here (endpoints and public key) for workers and clients.") var clusterFile: String?
    @Option(help: "The host name the cluster file gives for a wildcard bind (default: this host's name).") var advertise: String?
    @Option(help: "Serve Prometheus metrics at HOST:PORT/metrics (a bare PORT: on 127.0.0.1; default: off).") var metrics: String?

    mutating func run() async throws {
        var settings = Settings()
        if let config {
            do { settings = try Settings(file: config) } catch let error as SpecError {
                throw ValidationError("\(config) has \(error.problems.count) problem(s):\n" + error.problems.map { "  \($0)" }.joined(separator: "\n"))
            }
        }
        settings.workers = workers ?? settings.workers
        settings.clients = clients ?? settings.clients
        settings.store = store ?? settings.store
        settings.heartbeat = heartbeat ?? settings.heartbeat
        settings.liveness = liveness ?? settings.liveness
        settings.leaseGrace = leaseGrace ?? settings.leaseGrace
        settings.workerRetention = workerRetention ?? settings.workerRetention
        settings.maxMessage = maxMessage ?? settings.maxMessage
        guard (4096...(1 << 30)).contains(settings.maxMessage) else {
            throw ValidationError("--max-message must be bytes in 4096…1073741824 (got \(settings.maxMessage))")
        }
        settings.key = key ?? settings.key
        if !workersAllow.isEmpty { settings.workersAllow = workersAllow }
        if !clientsAllow.isEmpty { settings.clientsAllow = clientsAllow }
        settings.insecure = insecure || settings.insecure
        settings.clusterFile = clusterFile ?? settings.clusterFile
        settings.advertise = advertise ?? settings.advertise
        settings.metrics = metrics ?? settings.metrics
        let security: ServerSecurity?
        do { security = try settings.security() } catch let error as SecurityError { throw ValidationError(error.description) }
        let level = verbose ? .debug : logLevel ?? Logger.Level(rawValue: settings.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "sweep.coordinator")
        // One coordinator per store: a second one would hand out the same trials twice.
        let lock: ProcessLock
        do { lock = try ProcessLock(path: settings.store + ".lock") } catch let error as LockError { throw ValidationError(error.description) }
        defer { withExtendedLifetime(lock) {} }
        let core = try Coordinator(store: Store(path: settings.store, clock: ServiceClock().now), trials: TrialSpec.rules, options: settings.options, logger: logger)
        let service = CoordinatorService(context: try Context(), coordinator: core, workers: try Endpoint(parsing: settings.workers),
                                         clients: try Endpoint(parsing: settings.clients), security: security, logger: logger)
        if let path = settings.clusterFile {
            try settings.cluster(publicKey: security?.keyPair.publicKey).text.write(toFile: path, atomically: true, encoding: .utf8)
            logger.info("cluster file written", metadata: ["path": "\(path)"])
        }
        onTermination {
            logger.notice("stopping (signal)")
            service.shutdown()
        }
        onHangup { service.reload() }
        guard let address = settings.metrics else { return try await service.run() }
        let meters = Meters()
        core.meters = meters
        let server: MetricsServer
        do { server = try MetricsServer(address, meters: meters, logger: logger) } catch let error as MetricsAddressError { throw ValidationError(error.description) }
        // The coordinator and its metrics endpoint live and stop together: the first to end
        // (a signal, or a port that cannot be bound) ends the other.
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.run() }
            group.addTask {
                do { try await server.run() } catch {
                    logger.critical("metrics endpoint failed", metadata: ["address": "\(address)", "error": "\(error)"])
                    service.shutdown()
                    throw error
                }
            }
            try await group.next()
            group.cancelAll()
            try await group.waitForAll()
        }
    }
}
