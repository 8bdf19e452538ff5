import ArgumentParser
import Foundation
import Config
import LocalStudy
import Protocol
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

        --export writes every trial as `sweep export --format json` does, which `sweep advise FILE` \
        reads; the next spec it writes names that file as its warm_start, and `sweep run` (or \
        `sweep submit`) starts the samplers from its trials.

        Examples:
          sweep run examples/fashion-mnist-mlp.yaml --threads 2
          sweep run examples/command/quadratic.yaml --parallel 4
          sweep run spec.yaml --export round1.json && sweep advise round1.json --next round2.yaml && sweep run round2.yaml
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

    @Option(help: "Write every trial here when the study ends (JSON, as sweep export --format json).")
    var export: String?

    @Option(help: "Start the samplers from an earlier study's trials: a file sweep export or sweep run --export wrote (.json or .csv).")
    var warmStart: String?

    mutating func validate() throws {
        try checkThreads(threads)
        guard (1...1000).contains(parallel) else { throw ValidationError("--parallel must be 1…1000 trials at once (got \(parallel))") }
        // Known before the study runs, not after it.
        if let export {
            let folder = (export as NSString).deletingLastPathComponent
            guard FileManager.default.fileExists(atPath: folder.isEmpty ? "." : folder) else {
                throw ValidationError("--export \(export): the folder \(folder) does not exist; create it or name another file")
            }
        }
    }

    mutating func run() async throws {
        var config = try Config.load(path: spec)
        if let trials { config = config.setting("budget.max_trials", to: .number(Double(trials))) }
        let study: StudySpec
        do { study = try StudySpec(config: config, trials: TrialSpec.rules) } catch let error as SpecError {
            throw error.validation(file: spec)
        }
        let warm = try warmTrials(study)
        if study.runner == .external {
            throw ValidationError("\(spec) says runner: external: its trials are asked for from a coordinator (the Python client's ask()), not run here; sweep submit it")
        }
        BLAS.threads = threads
        let local = LocalStudy(spec: study, parallel: parallel, warm: warm)
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
        var test: [String: Double]?
        // Whatever way the study ends, what ran is written (a stopped study can be advised too).
        defer { write(local, config: config, test: test) }
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
                test = metrics
                emit("test (best configuration retrained): " + metrics.keys.sorted().map { "\($0) \(format(metrics[$0]!))" }.joined(separator: ", "))
            }
        }
    }

    /// The trials the spec's `warm_start` (or --warm-start) names: an export file's, as a
    /// coordinator would take them; a study id lives on a coordinator.
    func warmTrials(_ study: StudySpec) throws -> [Trial] {
        let named = warmStart ?? study.warmStart
        guard let named else { return [] }
        guard let file = warmStart ?? WarmFile.named(named, besides: spec) else {
            throw ValidationError("\(spec) says warm_start: \(named), which is no file here: a study id lives on a coordinator (sweep submit it there), "
                                  + "or name an export (sweep run --export FILE, sweep export STUDY --format json), or leave warm_start out")
        }
        let given = try WarmFile.read(file)
        guard given.study == nil else {
            throw ValidationError("--warm-start \(file): a study id lives on a coordinator; name an export of it (sweep export \(file) --format json --output FILE)")
        }
        if let other = given.metric, other != study.metric {
            throw ValidationError("warm_start \(file): its trials were scored on \(other), this study optimizes \(study.metric); a warm start needs the same objective")
        }
        let (trials, skipped) = WarmTrials.take(WarmTrials.candidates(given.trials ?? [], metric: study.metric), space: study.space,
                                                objectives: study.objectives.map(\.metric), constraints: study.constraints)
        var text = "warm start: \(trials.count) trial\(trials.count == 1 ? "" : "s") taken from \(file)"
        for skip in skipped { text += "\n  \(skip.count) left out: \(skip.reason)" }
        emit(text)
        return trials
    }

    /// --export: the study as `sweep export --format json` writes a coordinator's.
    func write(_ local: LocalStudy, config: Config, test: [String: Double]?) {
        guard let export else { return }
        // The file's name is the study's: the dashboard's page and the advisor's hints name it.
        let name = (export as NSString).lastPathComponent
        let body = Envelope(.exported, id: "local", body: local.exported(study: name, spec: config, test: test)).body
        do { try (String(decoding: body, as: UTF8.self) + "\n").write(toFile: export, atomically: true, encoding: .utf8) } catch {
            emit("cannot write \(export): \(error)")
            return
        }
        emit("trials written to \(export) (sweep advise \(export) reads them)")
    }
}
