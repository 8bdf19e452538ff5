import ArgumentParser
import Foundation
import Wire
import Worker

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

    mutating func run() async throws {
        let label = name ?? "\(ProcessInfo.processInfo.hostName)-\(getpid())"
        let service = WorkerService(context: try Context(), endpoint: try Endpoint(parsing: coordinator), name: label, threads: threads) { line in
            FileHandle.standardError.write(Data("[\(label)] \(line)\n".utf8))
        }
        onTermination { service.shutdown() }
        try await service.run()
    }
}
