import Tensor

/// What a model predicts for each example.
public enum Targets: Sendable {
    /// Class indices in 0..<classes (softmax or, with 2 classes, sigmoid).
    case classes([Int], count: Int)
    /// Real values, [examples, outputs] (regression).
    case values([Float], width: Int)

    public var count: Int {
        switch self {
        case let .classes(labels, _): labels.count
        case let .values(values, width): values.count / Swift.max(width, 1)
        }
    }

    /// The targets of the examples at `indices`, in that order.
    public func picking(_ indices: [Int]) -> Targets {
        switch self {
        case let .classes(labels, count): .classes(indices.map { labels[$0] }, count: count)
        case let .values(values, width): .values(indices.flatMap { values[($0 * width)..<(($0 + 1) * width)] }, width: width)
        }
    }
}

/// Examples as one array of features plus their targets.
public struct Dataset: @unchecked Sendable {
    /// [examples, features…], e.g. [n, 1, 28, 28] for images or [n, d] for tables.
    public let shape: [Int]
    /// The features, row-major.
    public let features: [Float]
    public let targets: Targets

    public init(shape: [Int], features: [Float], targets: Targets) throws {
        guard shape.reduce(1, *) == features.count else {
            throw DataError("dataset", "shape \(shape) does not match \(features.count) feature values")
        }
        guard shape.first == targets.count else {
            throw DataError("dataset", "\(shape.first ?? 0) examples but \(targets.count) targets")
        }
        self.shape = shape
        self.features = features
        self.targets = targets
    }

    public var count: Int { shape.first ?? 0 }
    /// Values per example.
    public var width: Int { shape.dropFirst().reduce(1, *) }

    /// The examples at `indices`, in that order.
    public func subset(_ indices: [Int]) -> Dataset {
        var values: [Float] = []
        values.reserveCapacity(indices.count * width)
        for i in indices { values.append(contentsOf: features[(i * width)..<((i + 1) * width)]) }
        var s = shape
        s[0] = indices.count
        return try! Dataset(shape: s, features: values, targets: targets.picking(indices))
    }

    /// The first `limit` examples (all when nil or larger).
    public func prefix(_ limit: Int?) -> Dataset {
        guard let limit, limit < count else { return self }
        return subset(Array(0..<limit))
    }

    /// A deterministic split: a seeded shuffle, then the last `fraction` as validation.
    public func split(validationFraction fraction: Double, seed: UInt64) -> (train: Dataset, validation: Dataset) {
        var generator = SeededGenerator(seed: seed ^ 0x5EED_5A1E)
        let order = Array(0..<count).shuffled(using: &generator)
        let validationCount = Int((Double(count) * fraction).rounded())
        return (subset(Array(order.dropLast(validationCount))), subset(Array(order.suffix(validationCount))))
    }

    /// The features of `indices` as a tensor [indices.count, features…].
    public func batch(_ indices: [Int]) -> (inputs: Tensor, targets: Targets) {
        var s = shape
        s[0] = indices.count
        let inputs = Tensor.zeros(s)
        inputs.withUnsafeMutableBufferPointer { out in
            features.withUnsafeBufferPointer { all in
                for (row, i) in indices.enumerated() {
                    let src = all.baseAddress! + i * width
                    (out.baseAddress! + row * width).update(from: src, count: width)
                }
            }
        }
        return (inputs, targets.picking(indices))
    }
}

/// Train, validation and (kept apart, for final reporting only) test examples.
public struct Splits: Sendable {
    public let train: Dataset
    public let validation: Dataset
    public let test: Dataset?

    public init(train: Dataset, validation: Dataset, test: Dataset?) {
        self.train = train
        self.validation = validation
        self.test = test
    }
}

/// Shuffled mini-batch index lists for one epoch, from a seeded generator.
public func batchOrder<G: RandomNumberGenerator>(count: Int, batchSize: Int, shuffle: Bool, using generator: inout G) -> [[Int]] {
    let order = shuffle ? Array(0..<count).shuffled(using: &generator) : Array(0..<count)
    return stride(from: 0, to: count, by: batchSize).map { Array(order[$0..<Swift.min($0 + batchSize, count)]) }
}
