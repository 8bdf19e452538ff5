import ArgumentParser
import Foundation
import Coordinator
import NN
import Store
import Wire

@main
struct CoordinatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Run the Sweep coordinator: studies, samplers, stoppers and the store.",
        discussion: """
        Examples:
          coordinator                                            loopback defaults, store ./sweep.sqlite
          coordinator --workers tcp://*:5555 --clients tcp://*:5556 --store /var/lib/sweep/sweep.sqlite
        """
    )

    @Option(help: "Endpoint for workers.") var workers = "tcp://127.0.0.1:5555"
    @Option(help: "Endpoint for clients (sweep submit, leaderboard…).") var clients = "tcp://127.0.0.1:5556"
    @Option(help: "SQLite store (created if missing; WAL).") var store = "sweep.sqlite"
    @Option(help: "Heartbeat interval in seconds.") var heartbeat = 2.0
    @Option(help: "Missed heartbeats before a worker is lost.") var liveness = 5
    @Option(help: "Seconds after a worker is lost before its trial runs elsewhere.") var leaseGrace = 60.0

    mutating func run() async throws {
        var options = Coordinator.Options()
        options.heartbeat = heartbeat
        options.liveness = liveness
        options.leaseGrace = leaseGrace
        let core = try Coordinator(store: Store(path: store), trialKeys: TrialSpec.searchableKeys, options: options)
        let service = CoordinatorService(context: try Context(), coordinator: core, workers: try Endpoint(parsing: workers),
                                         clients: try Endpoint(parsing: clients)) { line in
            FileHandle.standardError.write(Data("[coordinator] \(line)\n".utf8))
        }
        onTermination { service.shutdown() }
        try await service.run()
    }
}
