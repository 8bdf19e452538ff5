import Foundation
import Config
import Data
import NN
import Search
import Tensor

/// Runs a study of built-in trials in this process, one trial at a time: the sampler suggests,
/// the trainer trains, the stopper decides after every epoch, and the best configuration is
/// scored on the test split at the end. The cluster runs the same loop across machines.
public final class LocalStudy {
    public let spec: StudySpec
    public private(set) var trials: [Trial] = []
    /// Per trial: the last epoch report and the stop reason, if stopped.
    public private(set) var details: [Int: (report: EpochReport?, reason: StopReason?, seconds: Double)] = [:]
    private let sampler: any Sampler
    private let stopper: StopperChain
    private var splits: [String: Splits] = [:]

    public init(spec: StudySpec) throws {
        guard spec.command == nil else {
            throw SpecError.at("command", "command trials run on workers; a local study trains built-in trials only")
        }
        self.spec = spec
        sampler = spec.strategy.sampler(seed: spec.seed)
        stopper = spec.stopper.stopper
    }

    /// The metrics a trial can be judged by.
    public static let metrics = ["validation_loss", "validation_accuracy", "train_loss", "train_accuracy"]

    static func value(_ metric: String, _ report: EpochReport) -> Double? {
        switch metric {
        case "validation_loss": Double(report.validationLoss)
        case "validation_accuracy": report.validationAccuracy.map(Double.init)
        case "train_loss": Double(report.trainLoss)
        case "train_accuracy": report.trainAccuracy.map(Double.init)
        default: nil
        }
    }

    /// Runs until the budget is spent (or a grid is exhausted); `onTrial` hears each finished trial.
    public func run(onTrial: (Trial) -> Void = { _ in }) throws {
        guard Self.metrics.contains(spec.metric) else {
            throw SpecError.at("objective.metric", "must be one of \(Self.metrics.joined(separator: ", ")) for built-in trials (got '\(spec.metric)')")
        }
        let clock = ContinuousClock(), start = clock.now
        while trials.count < spec.budget.maxTrials {
            if let limit = spec.budget.maxWallTime, (clock.now - start).seconds > limit { break }
            var generator = SeededGenerator(seed: spec.seed &* 0x9E37_79B9 &+ UInt64(trials.count))
            guard let configuration = sampler.suggest(spec.space, history: trials, direction: spec.direction, using: &generator) else { break }
            let trial = try train(number: trials.count, configuration)
            onTrial(trial)
        }
    }

    /// The trial config: the base trial with the configuration laid over it, and a per-trial seed
    /// unless the space sets one.
    public func config(for configuration: Configuration, number: Int) -> Config {
        var config = spec.trial
        if configuration["seed"] == nil, config[path: "seed"] == nil {
            config = config.setting("seed", to: .number(Double(spec.seed &+ UInt64(number))))
        }
        for (key, value) in configuration.values { config = config.setting(key, to: value) }
        return config
    }

    private func train(number: Int, _ configuration: Configuration) throws -> Trial {
        var trial = Trial(number: number, configuration: configuration, state: .running)
        trials.append(trial)
        let clock = ContinuousClock(), begin = clock.now
        var last: EpochReport?, reason: StopReason?
        do {
            let trialSpec = try TrialSpec(config: config(for: configuration, number: number))
            let key = "\(trialSpec.data)-\(trialSpec.task)"
            if splits[key] == nil { splits[key] = try trialSpec.data.load(task: trialSpec.task, seed: spec.seed) }
            let trainer = try Trainer(spec: trialSpec, splits: splits[key]!)
            let (outcome, _) = try trainer.run(onEpoch: { report in
                last = report
                let value = Self.value(spec.metric, report) ?? .nan
                trial.reports[report.epoch] = value
                trials[number] = trial
                if case let .stop(why) = stopper.decide(trial, step: report.epoch, history: trials, direction: spec.direction, lastStep: trialSpec.epochs) {
                    reason = why
                    return false
                }
                return true
            })
            switch outcome {
            case .diverged(let epoch, _):
                trial.state = .diverged
                reason = reason ?? StopReason(rule: .divergence, detail: "loss became NaN or infinite in epoch \(epoch)")
            case .stopped where reason != nil:
                trial.state = .pruned
            default:
                trial.state = .completed
            }
            trial.value = last.flatMap { Self.value(spec.metric, $0) }
        } catch {
            trial.state = .failed
            reason = StopReason(rule: .error, detail: "\(error)")
        }
        trials[number] = trial
        details[number] = (last, reason, (clock.now - begin).seconds)
        return trial
    }

    /// The best completed (or pruned) trial by its final objective.
    public var best: Trial? {
        trials.filter { ($0.state == .completed || $0.state == .pruned) && ($0.value?.isFinite ?? false) }
            .min { spec.direction.loss($0.value!) < spec.direction.loss($1.value!) }
    }

    /// Retrains the best configuration on train + validation splits as configured and scores it on
    /// the test split (never used for the search).
    public func testScore() throws -> (trial: Trial, loss: Float, accuracy: Float?)? {
        guard let best, best.state == .completed else { return nil }
        let trialSpec = try TrialSpec(config: config(for: best.configuration, number: best.number))
        let data = try trialSpec.data.load(task: trialSpec.task, seed: spec.seed)
        guard let test = data.test else { return nil }
        let trainer = try Trainer(spec: trialSpec, splits: data)
        _ = try trainer.run()
        let (loss, accuracy) = try trainer.evaluate(test)
        return (best, loss, accuracy)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
