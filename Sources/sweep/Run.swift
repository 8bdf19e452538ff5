import ArgumentParser
import Foundation
import Config
import LocalStudy
import TrialSpecs
import Search
import Tensor

/// `sweep run SPEC`: a whole study in this process, with a leaderboard after every trial.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a search study of built-in trials locally, one trial at a time.",
        discussion: """
        Reads a search spec (YAML or JSON), suggests trials with its strategy, trains each with the
        built-in engine, stops bad ones early with its stopper, prints the leaderboard after every
        trial, and finally retrains the best configuration and scores it on the test split.

        Example:
          sweep run examples/fashion-mnist-mlp.yaml --threads 2
        """
    )

    @Argument(help: "A search spec file (YAML or JSON).")
    var spec: String

    @Option(help: "BLAS threads for this process.")
    var threads: Int = 1

    @Option(help: "Override the spec's budget.max_trials.")
    var trials: Int?

    @Option(help: "Leaderboard rows to print.")
    var top: Int = 10

    mutating func run() async throws {
        var config = try Config.load(path: spec)
        if let trials { config = config.setting("budget.max_trials", to: .number(Double(trials))) }
        let study: StudySpec
        do { study = try StudySpec(config: config, trials: TrialSpec.rules) } catch let error as SpecError {
            throw error.validation(file: spec)
        }
        BLAS.threads = threads
        let local = try LocalStudy(spec: study)
        emit("study \(study.name): \(study.budget.maxTrials) trials, strategy \(study.strategy), stopper \(study.stopper), objective \(study.direction.rawValue) \(study.metric)")
        try local.run { trial in
            let why = local.details[trial.number]?.reason.map { " (\($0))" } ?? ""
            emit("\ntrial \(trial.number) \(trial.state.rawValue)\(why): \(trial.configuration)")
            emit(local.leaderboard(top: top))
        }
        if let failure = local.failure {
            emit("\nstudy failed: \(failure.detail)")
            throw ExitCode(3)
        }
        guard let best = local.best else {
            emit("no trial finished with a finite \(study.metric)")
            throw ExitCode(3)
        }
        emit("\nbest: trial \(best.number), \(study.metric) \(best.value.map { String(format: "%.4f", $0) } ?? "-"): \(best.configuration)")
        if let (_, loss, accuracy) = try local.testScore() {
            emit("test (best configuration retrained): loss \(String(format: "%.4f", loss))" + (accuracy.map { String(format: ", accuracy %.2f%%", 100 * $0) } ?? ""))
        }
    }
}
