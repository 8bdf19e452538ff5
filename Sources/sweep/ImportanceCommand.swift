import ArgumentParser
import Foundation
import Config
import Protocol
import Search
import TrialSpecs

struct ImportanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "importance",
        abstract: "Rank a study's parameters by how much the objective depends on them (PED-ANOVA).",
        discussion: """
        Compares where each parameter's values lie among the best 10% of completed trials with where \
        they lie among all of them; a parameter that does not matter scores near 0. Needs 10 \
        completed trials.

        STUDY may also be an export file (sweep run --export, sweep export --format json).

        Examples:
          sweep importance s-000001
          sweep importance round1.json
        """)
    @Argument(help: "The study id, or an export file (JSON).") var study: String
    @Option(help: "The share of trials counted as the best (0.1: the top 10%).") var quantile = 0.1
    @OptionGroup var coordinator: CoordinatorOption

    func validate() throws {
        guard quantile > 0, quantile < 1 else { throw ValidationError("--quantile must be in (0, 1) (got \(quantile))") }
    }

    mutating func run() async throws {
        let (exported, _, spec) = try await coordinator.exportWithSpec(study)
        let trials: [Trial] = exported.trials.compactMap { t in
            guard t[path: "final"] != .bool(true), t[path: "status"] == .string("completed"), case let .number(v)? = t[path: "value"],
                  case let .number(n)? = t[path: "trial"], case let .object(values)? = t[path: "config"] else { return nil }
            return Trial(number: Int(n), configuration: Configuration(values), state: .completed, value: v)
        }
        guard let ranked = Importance.of(spec.space, trials: trials, direction: spec.direction, quantile: quantile) else {
            throw Failure("\(study) has \(trials.count) completed trial\(trials.count == 1 ? "" : "s"); importance needs at least 10")
        }
        print("\(study) \(exported.name): importance of each parameter for \(spec.metric) (\(trials.count) completed trials, top \(Int(quantile * 100))%)")
        let width = ranked.map(\.parameter.count).max() ?? 0
        for entry in ranked {
            let bar = String(repeating: "█", count: Int((entry.importance * 40).rounded()))
            print("  " + entry.parameter.padding(toLength: width, withPad: " ", startingAt: 0) + String(format: "  %5.3f  ", entry.importance) + bar)
        }
    }
}
