import ArgumentParser
import Foundation
import Advisor
import Config
import Protocol
import Search
import TrialSpecs

struct Advise: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Diagnose a study as the tuning playbook would, and write the next, refined study's spec.",
        discussion: """
        Reads every trial's curves and the leaderboard: underfitting and overfitting of the best \
        trials, ranges whose best values sit at a bound or whose parts never produced a top-quarter \
        trial, learning rates that always diverged, choices that never won, pruning too eager or \
        too lax, noise larger than the gap between the leaders. Each finding gives the numbers it \
        rests on; what the data does not support is not said. --next writes the next spec with a \
        comment on every change, warm-started from this study; sweep submit takes it unchanged.

        STUDY may also be a file `sweep export --format json` or `sweep run --export` wrote: it is \
        read here, without a coordinator, and the next spec is warm-started from that file.

        Examples:
          sweep advise s-000001
          sweep advise s-000001 --next round2.yaml && sweep submit round2.yaml
          sweep advise round1.json --next round2.yaml && sweep run round2.yaml
        """)
    @Argument(help: "The study id, or an export file (JSON).") var study: String
    @Option(help: "Write the next study's spec here (YAML).") var next: String?
    @OptionGroup var coordinator: CoordinatorOption

    mutating func run() async throws {
        let file = try ExportFile.names(study)
        let (exported, config, spec) = try await coordinator.exportWithSpec(study)
        let trials = exported.trials.compactMap(Observed.init(export:))
        let advice = Advisor(spec: spec, trials: trials).advise()
        // Several objectives: the best are the Pareto front's; the rules that read curves read the first objective's.
        let goal = spec.objectives.count > 1
            ? "the Pareto front of " + spec.objectives.map { "\($0.direction.rawValue) \($0.metric)" }.joined(separator: ", ") + " (curves: \(spec.metric))"
            : "\(spec.direction.rawValue) \(spec.metric)"
        print("\(study) \(exported.name): \(trials.count) trials, \(goal)" + (spec.constraints.isEmpty ? "" : "; the best are feasible ones"))
        if advice.findings.isEmpty { print("  nothing the data supports saying: too few finished trials, or none of the playbook's patterns") }
        for finding in advice.findings { print("- [\(finding.rule.rawValue)] \(finding.sentence)") }
        guard let next else { return }
        let (written, yaml) = advice.next(spec: config, study: file ? ExportFile.relative(study, from: next) : study)
        // The next spec must be one sweep submit takes.
        do { _ = try StudySpec(config: written, trials: TrialSpec.rules) } catch let error as SpecError {
            throw Failure("the next spec would not be valid (\(error)); nothing was written")
        }
        do { try yaml.write(toFile: next, atomically: true, encoding: .utf8) } catch { throw Failure("cannot write \(next): \(error)") }
        print("next study written to \(next) (\(advice.changes.count) change\(advice.changes.count == 1 ? "" : "s"), warm-started from \(study))")
        for change in advice.changes { print("  · \(change.why)") }
    }
}

extension CoordinatorOption {
    /// A study's export with its spec, as the commands that read a whole study need them: from
    /// the coordinator, or from an export file when `study` names one.
    func exportWithSpec(_ study: String) async throws -> (Body.Exported, Config, StudySpec) {
        if try ExportFile.names(study) { return try ExportFile.read(study) }
        let client = try await connect()
        defer { client.close() }
        let exported = try await client.request(.export, Body.StudyRef(study: study), timeout: .seconds(60)).decode(Body.Exported.self)
        guard let config = exported.spec else { throw Failure("the coordinator did not send \(study)'s spec (an older coordinator?)") }
        // Checked when it was submitted: only the keys again.
        return (exported, config, try StudySpec(config: config, trials: TrialSpec.rules.keysOnly))
    }
}
