import Foundation
import Config
import Datasets
import NN
import TrialSpecs
import Search

/// Runs a study of built-in trials in this process, one trial at a time, driving the same
/// `StudyEngine` the coordinator drives: the engine suggests and lays the trial config, the
/// trainer trains, the engine decides after every epoch, and the best configuration is scored
/// on the test split at the end. So a spec suggests, seeds and stops as it would on the cluster.
public final class LocalStudy {
    public let engine: StudyEngine
    public var spec: StudySpec { engine.spec }
    public var trials: [Trial] { engine.trials }
    /// Per trial: the last epoch report and the stop reason, if stopped.
    public private(set) var details: [Int: (report: EpochReport?, reason: StopReason?, seconds: Double)] = [:]
    /// Why the study stopped early: its first trials all failed for one reason (`budget.fail_fast`).
    public private(set) var failure: StopReason?
    /// Data by its spec: a study's trials share it (`data.seed` is the study's).
    private var splits: [String: Splits] = [:]
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant

    public init(spec: StudySpec) throws {
        guard spec.command == nil else {
            throw SpecError.at("command", "command trials run on workers; a local study trains built-in trials only")
        }
        origin = clock.now
        engine = StudyEngine(spec: spec, start: 0)
    }

    /// The metrics a trial can be judged by.
    public static let metrics = ["validation_loss", "validation_accuracy", "train_loss", "train_accuracy"]

    private var now: Double { (clock.now - origin).seconds }

    /// Runs until the budget is spent (or a grid is exhausted); `onTrial` hears each finished trial.
    public func run(onTrial: (Trial) -> Void = { _ in }) throws {
        guard Self.metrics.contains(spec.metric) else {
            throw SpecError.at("objective.metric", "must be one of \(Self.metrics.joined(separator: ", ")) for built-in trials (got '\(spec.metric)')")
        }
        while failure == nil, let configuration = engine.suggest(now: now, running: 0) {
            onTrial(try train(number: engine.add(configuration)))
            failure = engine.failure()
        }
    }

    /// The trial config the engine lays for `configuration` as trial `number`.
    public func config(for configuration: Configuration, number: Int) -> Config { engine.config(for: configuration, number: number) }

    private func train(number: Int) throws -> Trial {
        engine.set(number, .running)
        let begin = clock.now
        var last: EpochReport?, reason: StopReason?
        let state: TrialState
        do {
            let trialSpec = try TrialSpec(config: config(for: trials[number].configuration, number: number))
            let trainer = try Trainer(spec: trialSpec, splits: try data(trialSpec))
            let (outcome, _) = try trainer.run(onEpoch: { report in
                last = report
                if case let .stop(why) = engine.report(number, epoch: report.epoch, value: report.metrics[spec.metric] ?? .nan) {
                    reason = why
                    return false
                }
                return true
            })
            switch outcome {
            case .diverged(let epoch, _):
                state = .diverged
                reason = reason ?? StopReason(rule: .divergence, detail: "loss became NaN or infinite in epoch \(epoch)")
            case .stopped where reason != nil:
                state = reason!.rule.state
            default:
                state = .completed
            }
        } catch {
            state = .failed
            reason = StopReason(rule: .error, detail: "\(error)")
        }
        engine.set(number, state, value: last?.metrics[spec.metric], reason: reason)
        details[number] = (last, reason, (clock.now - begin).seconds)
        return trials[number]
    }

    private func data(_ trialSpec: TrialSpec) throws -> Splits {
        let key = "\(trialSpec.data)-\(trialSpec.task)"
        if let cached = splits[key] { return cached }
        let loaded = try trialSpec.splits()
        splits[key] = loaded
        return loaded
    }

    /// The best completed (or pruned) trial by its final objective.
    public var best: Trial? { engine.best() }

    /// Retrains the best configuration that ran to the end and scores it on the test split
    /// (never used for the search), as the coordinator's final trial does.
    public func testScore() throws -> (trial: Trial, loss: Float, accuracy: Float?)? {
        guard let best = engine.best(completed: true) else { return nil }
        let trialSpec = try TrialSpec(config: config(for: best.configuration, number: best.number))
        let data = try data(trialSpec)
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
