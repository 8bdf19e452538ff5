import ArgumentParser
import Foundation
import Logging
import Wire
import Worker

extension Logger.Level: @retroactive ExpressibleByArgument {}

@main
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run a Sweep worker: take trials from a coordinator, train them, report every epoch.",
        discussion: """
        Examples:
          worker                                                 loopback coordinator, 1 thread
          worker --coordinator tcp://coord.example:5555 --threads 2 --name gpu-3
        """
    )

    @Option(help: "The coordinator's worker endpoint.") var coordinator = "tcp://127.0.0.1:5555"
    @Option(help: "BLAS threads for training.") var threads = 1
    @Option(help: "This worker's name (default: host-pid).") var name: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.") var logLevel: Logger.Level = .info

    mutating func run() async throws {
        let label = name ?? "\(ProcessInfo.processInfo.hostName)-\(getpid())"
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let service = WorkerService(context: try Context(), endpoint: try Endpoint(parsing: coordinator), name: label, threads: threads,
                                    logger: Logger(label: "sweep.worker"))
        onTermination { service.shutdown() }
        try await service.run()
    }
}
