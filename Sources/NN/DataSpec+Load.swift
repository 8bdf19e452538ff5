import Datasets
import TrialSpecs

extension DataSpec {
    /// Loads and splits the data: train and validation from the training examples (a seeded
    /// split), test kept apart (the MNIST test files, or 20% of a synthetic or CSV set).
    public func load(task: TaskKind, seed: UInt64) throws -> Splits {
        let all: Dataset, test: Dataset?
        switch source {
        case .fashionMNIST:
            let (train, t) = try MNIST.fashion(limit: limit, testLimit: testLimit)
            (all, test) = (train, t)
        case .idx(let directory):
            (all, test) = (try MNIST.load(directory: directory, prefix: "train", limit: limit),
                           try MNIST.load(directory: directory, prefix: "t10k", limit: testLimit))
        case .csv(let path):
            let table = try CSVTable.load(path: path, target: target ?? "", task: task == .regression ? .regression : .classification)
            (all, test) = heldOut(table.prefix(limit), seed: seed)
        case .spirals:
            (all, test) = heldOut(Synthetic.spirals(perClass: examples / 2, classes: 2, noise: noise, seed: seed), seed: seed)
        case .moons:
            (all, test) = heldOut(Synthetic.moons(count: examples, noise: noise, seed: seed), seed: seed)
        case .line:
            (all, test) = heldOut(Synthetic.line(count: examples, noise: noise, seed: seed), seed: seed)
        }
        let (train, validation) = all.split(validationFraction: validationFraction, seed: seed)
        return Splits(train: train, validation: validation, test: test)
    }

    private func heldOut(_ data: Dataset, seed: UInt64) -> (Dataset, Dataset) {
        let (rest, test) = data.split(validationFraction: 0.2, seed: seed &+ 0x7E57)
        return (rest, test)
    }
}

extension TrialSpec {
    /// The trial's data, seeded by `data.seed` (a study's trials share it), else the trial's seed.
    public func splits() throws -> Splits { try data.load(task: task, seed: data.seed ?? seed) }
}
