import Tensor
import Datasets
import TrialSpecs

/// Mean losses over a batch, and how many predictions were right.
public enum Loss {
    /// Softmax cross-entropy of logits [batch, classes] against class indices.
    public static func softmaxCrossEntropy(_ logits: Tensor, _ labels: [Int]) throws -> Tensor {
        let target = try Tensor.oneHot(labels, classes: logits.shape[1])
        return try -(logits.logSoftmax() * target).sum() / Float(labels.count)
    }

    /// Sigmoid binary cross-entropy of logits [batch, 1] against labels 0/1, in the stable
    /// form max(x, 0) − x·y + log(1 + e^−|x|).
    public static func sigmoidCrossEntropy(_ logits: Tensor, _ labels: [Int]) throws -> Tensor {
        let y = try Tensor(shape: [labels.count, 1], scalars: labels.map(Float.init))
        return try (logits.relu() - logits * y + (-logits.abs()).softplus()).mean()
    }

    /// Mean squared error of predictions against targets of the same shape.
    public static func meanSquaredError(_ predictions: Tensor, _ targets: Tensor) throws -> Tensor {
        try (predictions - targets).squared().mean()
    }

    /// λ₁·Σ|w| + λ₂·Σw² over the weights, on the tape (the trainer applies the same penalty
    /// inside the optimizer step instead; see `Penalty`).
    public static func penalty(_ weights: [Tensor], l1: Float, l2: Float) throws -> Tensor? {
        guard l1 > 0 || l2 > 0 else { return nil }
        var total = Tensor(0)
        for w in weights {
            if l1 > 0 { total = try total + w.abs().sum() * l1 }
            if l2 > 0 { total = try total + w.squared().sum() * l2 }
        }
        return total
    }
}

extension TaskKind {
    /// The loss for the task, and the number of correct predictions where that means something.
    public func loss(_ output: Tensor, _ targets: Targets) throws -> (loss: Tensor, correct: Int?) {
        switch (self, targets) {
        case let (.classification, .classes(labels, _)):
            let predicted = try output.argmax(axis: 1)
            return (try Loss.softmaxCrossEntropy(output, labels), zip(predicted, labels).filter { $0 == $1 }.count)
        case let (.binary, .classes(labels, _)):
            let correct = zip(output.scalars, labels).filter { ($0 > 0 ? 1 : 0) == $1 }.count
            return (try Loss.sigmoidCrossEntropy(output, labels), correct)
        case let (.regression, .values(values, width)):
            let target = try Tensor(shape: [values.count / width, width], scalars: values)
            return (try Loss.meanSquaredError(output, target), nil)
        default:
            throw TensorError("loss", "task \(rawValue) does not fit the dataset's targets")
        }
    }
}
