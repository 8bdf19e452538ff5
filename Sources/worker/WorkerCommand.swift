import ArgumentParser
import Version
import Foundation
import Logging
import Service
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
          worker --cluster cluster.yaml --key keys/w1.key_secret --threads 2 --name w1
          worker --coordinator tcp://coord:5555 --server-key keys/coordinator.key --key keys/w1.key_secret
          worker --insecure                                      loopback coordinator, no CURVE
        """,
        version: Build.line("worker")
    )

    @Option(help: "The coordinator's worker endpoint.") var coordinator = "tcp://127.0.0.1:5555"
    @Option(help: "Threads each trial trains with (1 up to the cores here).") var threads = 1
    @Option(help: "This worker's name (default: host-pid).") var name: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.") var logLevel: Logger.Level = .info
    @Option(help: "A cluster connection file (the coordinator's endpoints and public key).") var cluster: String?
    @Option(help: "This worker's secret certificate (NAME.key_secret, from sweep keygen).") var key: String?
    @Option(help: "The coordinator's public key: its .key file or the Z85 text (or use --cluster).") var serverKey: String?
    @Flag(help: "No CURVE: no encryption, no authentication. Loopback only.") var insecure = false

    mutating func validate() throws {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard (1...cores).contains(threads) else { throw ValidationError("--threads must be 1…\(cores), the cores here (got \(threads))") }
    }

    mutating func run() async throws {
        let label = name ?? "\(ProcessInfo.processInfo.hostName)-\(getpid())"
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let file = try cluster.map { try ClusterFile(path: $0) }
        let endpoint = try Endpoint(parsing: file?.workers ?? coordinator)
        let security: Security
        do {
            security = try Security.client(insecure: insecure, key: key, serverKey: serverKey ?? file?.serverKey, endpoint: endpoint, role: "worker")
        } catch let error as SecurityError {
            throw ValidationError(error.description)
        } catch let error as CertificateError {
            throw ValidationError(error.description)
        }
        let service = WorkerService(context: try Context(), endpoint: endpoint, name: label, threads: threads, security: security,
                                    logger: Logger(label: "sweep.worker"))
        onTermination { service.shutdown() }
        try await service.run()
    }
}
