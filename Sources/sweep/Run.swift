import ArgumentParser
import Foundation
import Config
import LocalStudy
import Search
import Service
import Tensor
import TrialSpecs

/// `sweep run SPEC`: a whole study in this process, with a line per epoch and a leaderboard after every trial.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a search study here: built-in or command trials, one or several at a time.",
        discussion: """
        Reads a search spec (YAML or JSON), checks all of it, suggests trials with its strategy, runs \
        each (the built-in engine, or the spec's command) as a worker would, prints a line per epoch, \
        stops bad trials early with its stopper, prints the leaderboard after every trial, and \
        finally retrains the best configuration and scores it on the test split. Ctrl-C stops the \
        running trials (a command gets SIGTERM) and prints the leaderboard so far.

        With --parallel 1 (the default) the study suggests, seeds and stops exactly as on a \
        cluster with one worker; with more, the order in which reports arrive decides, as on a \
        cluster with several.

        Examples:
          sweep run examples/fashion-mnist-mlp.yaml --threads 2
          sweep run examples/command/quadratic.yaml --parallel 4
        """
    )

    @Argument(help: "A search spec file (YAML or JSON).")
    var spec: String

    @Option(help: "Threads each built-in trial uses (1 up to the cores here).")
    var threads: Int = 1

    @Option(help: "Trials run at once.")
    var parallel: Int = 1

    @Option(help: "Override the spec's budget.max_trials.")
    var trials: Int?

    @Option(help: "Leaderboard rows to print.")
    var top: Int = 10

    mutating func validate() throws {
        try checkThreads(threads)
        guard (1...1000).contains(parallel) else { throw ValidationError("--parallel must be 1…1000 trials at once (got \(parallel))") }
    }

    mutating func run() async throws {
        var config = try Config.load(path: spec)
        if let trials { config = config.setting("budget.max_trials", to: .number(Double(trials))) }
        let study: StudySpec
        do { study = try StudySpec(config: config, trials: TrialSpec.rules) } catch let error as SpecError {
            throw error.validation(file: spec)
        }
        if let warm = study.warmStart {
            throw ValidationError("\(spec) says warm_start: \(warm), a study on a coordinator: sweep submit it there, or leave warm_start out to run it here")
        }
        if study.runner == .external {
            throw ValidationError("\(spec) says runner: external: its trials are asked for from a coordinator (the Python client's ask()), not run here; sweep submit it")
        }
        BLAS.threads = threads
        let local = LocalStudy(spec: study, parallel: parallel)
        onTermination { local.stop() }
        emit("study \(study.name): \(study.budget.maxTrials) trials, \(parallel) at a time, \(study.strategy.name), stopper \(study.stopper.name), "
             + study.objectives.map { "\($0.direction.rawValue) \($0.metric)" }.joined(separator: ", "))
        let metric = study.metric, top = top
        local.run(onEpoch: { number, epoch, metrics in
            let others = metrics.keys.sorted().filter { $0 != metric && $0 != "seconds" }.map { "\($0) \(format(metrics[$0]!))" }
            emit("trial \(number) epoch \(epoch): \(metric) \(metrics[metric].map(format) ?? "-")" + (others.isEmpty ? "" : " (\(others.joined(separator: ", ")))"))
        }, onTrial: { trial in
            let why = local.details[trial.number]?.reason.map { " (\($0))" } ?? ""
            emit("\ntrial \(trial.number) \(trial.state.rawValue)\(why): \(trial.configuration)")
            emit(local.leaderboard(top: top))
        })
        if local.stopped {
            emit("\nstopped: the leaderboard so far")
            emit(local.leaderboard(top: top))
            throw ExitCode(130)
        }
        if let failure = local.failure {
            emit("\nstudy failed: \(failure.detail)")
            throw ExitCode(3)
        }
        guard let best = local.best else {
            emit(study.constraints.isEmpty ? "no trial finished with a finite \(study.metric)"
                 : "no trial finished with a finite \(study.metric) within \(study.constraints.map(\.description).joined(separator: ", "))")
            throw ExitCode(3)
        }
        if study.objectives.count > 1 {
            let front = local.standings.filter { $0.value.front == 1 }.keys.sorted()
            emit("\nPareto front: \(front.count) trials (\(front.map(String.init).joined(separator: ", "))); the front's best on \(study.metric) is retrained")
        }
        emit("\nbest: trial \(best.number), \(study.metric) \(best.value.map(format) ?? "-"): \(best.configuration)")
        if let (_, metrics, error) = local.testScore() {
            if let error { emit("test (best configuration retrained): failed: \(error)") } else {
                emit("test (best configuration retrained): " + metrics.keys.sorted().map { "\($0) \(format(metrics[$0]!))" }.joined(separator: ", "))
            }
        }
    }
}
