import ArgumentParser
import Foundation
import Config
import NN
import TrialSpecs
import Tensor

/// `sweep train SPEC`: one trial, here, with a line per epoch and the test score at the end.
struct Train: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train one trial spec locally and report its test score.",
        discussion: """
        The spec is the trial part of a search spec (YAML or JSON): task, data, model, optimizer, \
        schedule, l1/l2, batch_size, epochs, patience, augmentation, seed. Start from the simplest \
        model and reproduce a known result before searching. With --json every line is one JSON \
        object: an epoch's metrics (the names studies use), then the outcome and the test score.

        Example:
          sweep train examples/playbook/mlp.yaml --threads 2
        """
    )

    @Argument(help: "A trial spec file (YAML or JSON).")
    var spec: String

    @Option(help: "Threads for training (1 up to the cores here).")
    var threads: Int = 1

    @Option(help: "Override the spec's number of epochs.")
    var epochs: Int?

    @Flag(help: "Print one JSON object per epoch instead of a table.")
    var json = false

    mutating func validate() throws {
        try checkThreads(threads)
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be ≥ 1 (got \(epochs))") }
    }

    mutating func run() async throws {
        var config = try Config.load(path: spec)
        if let epochs { config = config.setting("epochs", to: .number(Double(epochs))) }
        let trial: TrialSpec
        do { trial = try TrialSpec(config: config) } catch let error as SpecError {
            throw error.validation(file: spec)
        }
        BLAS.threads = threads
        let splits = try trial.splits()
        let trainer = try Trainer(spec: trial, splits: splits)
        if !json {
            emit("\(trial.model.kind.rawValue): \(trainer.model.parameterCount) parameters; \(splits.train.count) train / \(splits.validation.count) validation examples; \(threads) thread(s)")
            emit("epoch  train loss  train acc   val loss    val acc        lr   seconds  samples/s")
        }
        let (outcome, _) = try trainer.run(onEpoch: { report in
            if json {
                emit(line(["epoch": .number(Double(report.epoch)), "samples_per_second": .number(report.samplesPerSecond)]
                          .merging(report.metrics.mapValues(Config.init(metric:))) { a, _ in a }))
            } else {
                emit(String(format: "%5d  %10.4f  %9@  %9.4f  %9@  %8.2g  %8.1f  %9.0f", report.epoch, report.trainLoss,
                             percent(report.trainAccuracy), report.validationLoss, percent(report.validationAccuracy),
                             report.learningRate, report.seconds, report.samplesPerSecond))
            }
            return true
        })
        emit(json ? line(["outcome": .string(outcome.description)]) : "outcome: \(outcome)")
        if let test = splits.test, outcome != .stopped {
            if case .diverged = outcome { throw ExitCode(3) }
            let (loss, accuracy) = try trainer.evaluate(test)
            if json {
                var score: [String: Config] = ["test_loss": .number(Double(loss)), "test_examples": .number(Double(test.count))]
                if let accuracy { score["test_accuracy"] = .number(Double(accuracy)) }
                emit(line(score))
            } else {
                emit("test: loss \(String(format: "%.4f", loss))" + (accuracy.map { String(format: ", accuracy %.2f%%", 100 * $0) } ?? "") + " on \(test.count) examples")
            }
        }
    }

    /// One JSON object on a line, keys sorted.
    private func line(_ object: [String: Config]) -> String { Config.object(object).json }

    private func percent(_ value: Float?) -> NSString {
        (value.map { String(format: "%.2f%%", 100 * $0) } ?? "-") as NSString
    }
}

/// `--threads` is 1 up to the cores of this machine: more only slows a trial down.
func checkThreads(_ threads: Int) throws {
    let cores = ProcessInfo.processInfo.activeProcessorCount
    guard (1...cores).contains(threads) else { throw ValidationError("--threads must be 1…\(cores), the cores here (got \(threads))") }
}

/// Writes a line to standard output at once (print is block-buffered when piped).
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
