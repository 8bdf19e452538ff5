import ArgumentParser
import Foundation
import Logging
import Config
import Coordinator
import NN
import Store
import Wire

extension Logger.Level: @retroactive ExpressibleByArgument {}

@main
struct CoordinatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Run the Sweep coordinator: studies, samplers, stoppers and the store.",
        discussion: """
        Settings come from flags, then the --config file (YAML or JSON, keys: workers, clients,
        store, heartbeat, liveness, lease_grace, log_level), then the defaults shown here.

        Examples:
          coordinator                                            loopback defaults, store ./sweep.sqlite
          coordinator --workers tcp://*:5555 --clients tcp://*:5556 --store /var/lib/sweep/sweep.sqlite
          coordinator --config /etc/sweep/coordinator.yaml --log-level debug
        """
    )

    @Option(help: "A settings file (YAML or JSON).") var config: String?
    @Option(help: "Endpoint for workers (default: tcp://127.0.0.1:5555).") var workers: String?
    @Option(help: "Endpoint for clients: sweep submit, leaderboard… (default: tcp://127.0.0.1:5556).") var clients: String?
    @Option(help: "SQLite store, created if missing (default: sweep.sqlite).") var store: String?
    @Option(help: "Heartbeat interval in seconds (default: 2).") var heartbeat: Double?
    @Option(help: "Missed heartbeats before a worker is lost (default: 5).") var liveness: Int?
    @Option(help: "Seconds after a worker is lost before its trial runs elsewhere (default: 60).") var leaseGrace: Double?
    @Option(help: "trace, debug, info, notice, warning, error or critical (default: info).") var logLevel: Logger.Level?
    @Flag(name: .shortAndLong, help: "Log at debug level (every report and decision).") var verbose = false

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
        let level = verbose ? .debug : logLevel ?? Logger.Level(rawValue: settings.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "sweep.coordinator")
        let core = try Coordinator(store: Store(path: settings.store), trialKeys: TrialSpec.searchableKeys, options: settings.options, logger: logger)
        let service = CoordinatorService(context: try Context(), coordinator: core, workers: try Endpoint(parsing: settings.workers),
                                         clients: try Endpoint(parsing: settings.clients), logger: logger)
        onTermination {
            logger.notice("stopping (signal)")
            service.shutdown()
        }
        try await service.run()
    }
}
