import Foundation
import Tensor
import Datasets
import TrialSpecs

/// What one epoch did. Accuracies are absent for regression.
public struct EpochReport: Codable, Equatable, Sendable {
    /// 1 for the first epoch.
    public var epoch: Int
    public var trainLoss: Float
    public var trainAccuracy: Float?
    public var validationLoss: Float
    public var validationAccuracy: Float?
    public var learningRate: Float
    public var seconds: Double
    public var samplesPerSecond: Double
    /// Trainable weights in the model: a size to trade against accuracy (several objectives).
    public var parameters: Int

    /// The epoch's metrics by the names studies judge by and workers report (`objective.metric`).
    public var metrics: [String: Double] {
        var metrics: [String: Double] = ["train_loss": Double(trainLoss), "validation_loss": Double(validationLoss),
                                         "learning_rate": Double(learningRate), "seconds": seconds, "parameters": Double(parameters)]
        if let trainAccuracy { metrics["train_accuracy"] = Double(trainAccuracy) }
        if let validationAccuracy { metrics["validation_accuracy"] = Double(validationAccuracy) }
        return metrics
    }
}

/// How training ended.
public enum Outcome: Equatable, Sendable, CustomStringConvertible {
    case completed
    /// Early stopping inside the trial, after `epoch`.
    case earlyStopped(epoch: Int)
    /// The caller asked to stop.
    case stopped
    /// The loss became NaN or infinite at this epoch and batch (1-based).
    case diverged(epoch: Int, batch: Int)

    public var description: String {
        switch self {
        case .completed: "completed"
        case .earlyStopped(let epoch): "early-stopped after epoch \(epoch)"
        case .stopped: "stopped"
        case let .diverged(epoch, batch): "diverged at epoch \(epoch), batch \(batch)"
        }
    }
}

/// Trains one model from a trial spec, reporting after every epoch.
public final class Trainer {
    public let spec: TrialSpec
    public let splits: Splits
    public let model: Sequential
    private let optimizer: Optimizer
    private let schedule: Schedule
    private var generator: SeededGenerator
    /// The generator as `run` starts with it, for `plannedBatches`.
    private let initialGenerator: SeededGenerator

    public init(spec: TrialSpec, splits: Splits) throws {
        self.spec = spec
        self.splits = splits
        let outputs: Int = switch (spec.task, splits.train.targets) {
        case (.binary, _): 1
        case let (_, .classes(_, count)): count
        case let (_, .values(_, width)): width
        }
        if spec.task == .binary, case let .classes(_, count) = splits.train.targets, count != 2 {
            throw TensorError("task", "binary needs a dataset with 2 classes, this one has \(count)")
        }
        model = try Builder.model(spec.model, inputShape: Array(splits.train.shape.dropFirst()), outputs: outputs, seed: spec.seed)
        optimizer = Optimizer(spec.optimizer.algorithm, clipNorm: spec.clipNorm, penalty: Penalty(l1: spec.l1, l2: spec.l2), on: model.weights)
        var rule = spec.schedule.rule
        if case let .cosine(_, minimum) = rule { rule = .cosine(epochs: spec.epochs, minimum: minimum) }
        schedule = Schedule(base: spec.optimizer.learningRate, rule: rule, warmup: spec.schedule.warmup)
        generator = SeededGenerator(seed: spec.seed &+ 0xBA7C)
        initialGenerator = generator
    }

    /// The training examples of every batch of the first `epochs` epochs, in the order `run`
    /// will take them when the spec has no augmentation (which draws from the same generator).
    /// Lets a benchmark feed another framework the very same batches.
    public func plannedBatches(epochs: Int) -> [[[Int]]] {
        var g = initialGenerator
        return (0..<epochs).map { _ in batchOrder(count: splits.train.count, batchSize: spec.batchSize, shuffle: true, using: &g) }
    }

    /// Runs up to `spec.epochs` epochs. `shouldStop` is asked between batches; `onEpoch`
    /// hears each report and may end training by returning false.
    public func run(shouldStop: () -> Bool = { false }, onEpoch: (EpochReport) -> Bool = { _ in true }) throws -> (outcome: Outcome, reports: [EpochReport]) {
        var reports: [EpochReport] = []
        var early = spec.patience.map(EarlyStopping.init)
        var best: Snapshot?
        let train = splits.train
        for epoch in 0..<spec.epochs {
            let clock = ContinuousClock(), start = clock.now
            let lr = schedule.rate(epoch: epoch)
            var lossSum: Double = 0, correct = 0, seen = 0
            let batches = batchOrder(count: train.count, batchSize: spec.batchSize, shuffle: true, using: &generator)
            for (b, indices) in batches.enumerated() {
                if shouldStop() { return (.stopped, reports) }
                let (inputs, targets) = train.batch(indices)
                spec.augmentation.apply(to: inputs, using: &generator)
                let output = try model.forward(inputs, mode: .training)
                let (loss, right) = try spec.task.loss(output, targets)
                let value = loss.item
                guard value.isFinite else { return (.diverged(epoch: epoch + 1, batch: b + 1), reports) }
                try loss.backward()
                optimizer.step(model.parameters, learningRate: lr)
                lossSum += Double(value) * Double(indices.count)
                correct += right ?? 0
                seen += indices.count
            }
            let trainSeconds = (clock.now - start).seconds
            let (validationLoss, validationAccuracy) = try evaluate(splits.validation)
            guard validationLoss.isFinite else { return (.diverged(epoch: epoch + 1, batch: batches.count), reports) }
            let report = EpochReport(
                epoch: epoch + 1, trainLoss: Float(lossSum / Double(seen)),
                trainAccuracy: spec.task == .regression ? nil : Float(correct) / Float(seen),
                validationLoss: validationLoss, validationAccuracy: validationAccuracy, learningRate: lr,
                seconds: (clock.now - start).seconds, samplesPerSecond: Double(seen) / trainSeconds,
                parameters: model.parameters.map(\.count).reduce(0, +))
            reports.append(report)
            schedule.observe(validationLoss)
            if var stopper = early {
                let stop = stopper.observe(validationLoss, epoch: epoch)
                if stopper.bestEpoch == epoch && spec.restoreBest { best = Snapshot(of: model) }
                early = stopper
                if stop {
                    if let best { best.restore(into: model) }
                    return (.earlyStopped(epoch: epoch + 1), reports)
                }
            }
            if !onEpoch(report) { return (.stopped, reports) }
        }
        if let best { best.restore(into: model) }
        return (.completed, reports)
    }

    /// Examples per evaluation forward pass: large for dense models (bigger GEMMs), smaller for
    /// convolutional ones, whose im2col columns take channels·k²·pixels floats per example (a
    /// thousand 28×28 images through a 16-channel 3×3 conv is 450 MB of columns).
    var evaluationBatch: Int {
        switch spec.model.kind {
        case .mlp, .rnn: 1000
        case .cnn, .resnet: Swift.max(spec.batchSize, 128)
        }
    }

    /// Mean loss and accuracy on a dataset, in evaluation mode.
    public func evaluate(_ data: Dataset) throws -> (loss: Float, accuracy: Float?) {
        var lossSum: Double = 0, correct = 0
        try Tensor.withoutGradients {
            let chunk = evaluationBatch
            for indices in stride(from: 0, to: data.count, by: chunk).map({ Array($0..<Swift.min($0 + chunk, data.count)) }) {
                let (inputs, targets) = data.batch(indices)
                let output = try model.forward(inputs, mode: .evaluation)
                let (loss, right) = try spec.task.loss(output, targets)
                lossSum += Double(loss.item) * Double(indices.count)
                correct += right ?? 0
            }
        }
        let n = Double(Swift.max(data.count, 1))
        return (Float(lossSum / n), spec.task == .regression ? nil : Float(Double(correct) / n))
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
