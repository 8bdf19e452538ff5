// Release benchmarks: `make bench` (or `swift run -c release sweep-bench [suite…]`).
// Each suite prints a table and writes bench-results/<suite>.json.
import Foundation

let suites: [String: () async throws -> Void] = [
    "wire": WireBench.run,
    "tensor": TensorBench.run,
    "training": TrainingBench.run,
    "trials": TrialBench.run,
    "search": SearchBench.run,
    "latency": SearchBench.latencyOnly,
    "mixed": MixedBench.run,
    "pareto": ParetoBench.run,
    "constrained": ConstrainedBench.run,
    "advisor": AdvisorBench.run,
    "cluster": ClusterBench.run,
    "dashboard": DashboardBench.run,
    "hosts": ClusterBench.hosts,
]
// A child process of the trials suite: one configuration, then its peak memory.
if CommandLine.arguments.dropFirst().first == "trial-memory" {
    try TrialBench.trialMemory()
    exit(0)
}
let chosen = CommandLine.arguments.dropFirst().isEmpty ? suites.keys.sorted() : Array(CommandLine.arguments.dropFirst())
print("machine: \(machineDescription())")
for name in chosen {
    guard let suite = suites[name] else {
        FileHandle.standardError.write(Data("unknown suite '\(name)'; choose from \(suites.keys.sorted().joined(separator: ", "))\n".utf8))
        exit(2)
    }
    try await suite()
}
