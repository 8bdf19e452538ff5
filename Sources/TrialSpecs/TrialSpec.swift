import Config

/// Everything one built-in trial needs: task, data, model, optimizer, schedule, regularization,
/// batches, epochs, augmentation and seed. Every field has a default (documented in
/// README.md "Trial spec"); `TrialSpec(config:)` reports every bad field with its path.
public struct TrialSpec: Equatable, Sendable {
    public var task: TaskKind = .classification
    public var data = DataSpec()
    public var model = ModelSpec()
    public var optimizer = OptimizerSpec()
    public var schedule = ScheduleSpec()
    public var l1: Float = 0
    public var l2: Float = 0
    public var clipNorm: Float?
    public var batchSize = 128
    public var epochs = 10
    /// Stop after this many epochs without a better validation loss (nil: never).
    public var patience: Int?
    /// With `patience`: put back the weights of the best epoch when training ends.
    public var restoreBest = true
    public var augmentation = Augmentation()
    public var seed: UInt64 = 0

    public init() {}

    public static let keys = ["task", "data", "model", "optimizer", "schedule", "l1", "l2", "clip_norm", "batch_size",
                              "epochs", "patience", "restore_best", "augmentation", "seed"]

    /// Reads a spec, collecting every problem (unknown keys, wrong types, values out of range).
    public init(config: Config, path: String = "") throws {
        let f = Fields()
        self.init(config: config, path: path, fields: f)
        try f.check()
    }

    init(config: Config, path: String, fields f: Fields) {
        let o = f.object(config, path, known: Self.keys)
        func sub(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
        task = TaskKind(rawValue: f.string(o, "task", path, default: "classification", oneOf: TaskKind.allCases.map(\.rawValue))) ?? .classification
        data = DataSpec(o["data"], sub("data"), f)
        model = ModelSpec(o["model"], sub("model"), f)
        optimizer = OptimizerSpec(o["optimizer"], sub("optimizer"), f)
        schedule = ScheduleSpec(o["schedule"], sub("schedule"), f)
        l1 = Float(f.double(o, "l1", path, default: 0, 0...1e6, rule: "≥ 0"))
        l2 = Float(f.double(o, "l2", path, default: 0, 0...1e6, rule: "≥ 0"))
        clipNorm = f.optionalDouble(o, "clip_norm", path, 1e-12...1e12, rule: "> 0").map(Float.init)
        batchSize = f.int(o, "batch_size", path, default: 128, 1...1_000_000, rule: "≥ 1")
        epochs = f.int(o, "epochs", path, default: 10, 1...100_000, rule: "≥ 1")
        patience = f.optionalInt(o, "patience", path, 1...100_000, rule: "≥ 1")
        restoreBest = f.bool(o, "restore_best", path, default: true)
        let a = f.object(o["augmentation"], sub("augmentation"), known: ["crop_padding", "flip", "translate"])
        augmentation = Augmentation(
            cropPadding: f.int(a, "crop_padding", sub("augmentation"), default: 0, 0...64, rule: "in 0…64"),
            flip: f.bool(a, "flip", sub("augmentation"), default: false),
            translate: f.int(a, "translate", sub("augmentation"), default: 0, 0...64, rule: "in 0…64"))
        seed = UInt64(f.int(o, "seed", path, default: 0, 0...Int.max, rule: "≥ 0"))
        if task == .regression && model.kind != .mlp {
            f.fail(sub("model.kind"), "must be mlp for regression (got \(model.kind.rawValue))")
        }
        if case .csv = data.source, data.target == nil {
            f.fail(sub("data.target"), "is required for csv data (name the target column)")
        }
    }

    /// The metrics a built-in trial reports each epoch, which an objective may name.
    /// `seconds` (the epoch's wall time) and `parameters` (trainable weights) are there to trade
    /// against accuracy in a study of several objectives.
    public static let metrics = ["validation_loss", "validation_accuracy", "train_loss", "train_accuracy", "seconds", "parameters"]

    /// Every problem of a trial config, at its path (empty: it trains).
    public static func problems(_ config: Config) -> [SpecError.Problem] {
        do { _ = try TrialSpec(config: config); return [] } catch let error as SpecError { return error.problems } catch {
            return [SpecError.Problem(path: "", message: "\(error)")]
        }
    }

    /// What a study of built-in trials is checked against at submit.
    public static let rules = TrialRules(keys: searchableKeys, metrics: metrics, defaults: ["epochs": .number(Double(TrialSpec().epochs))], check: problems)

    /// Every dotted key a search may set: each scalar field of the spec.
    public static let searchableKeys: [String] =
        ["task", "l1", "l2", "clip_norm", "batch_size", "epochs", "patience", "restore_best", "seed",
         "augmentation.crop_padding", "augmentation.flip", "augmentation.translate"]
        + DataSpec.keys.map { "data.\($0)" } + ModelSpec.keys.map { "model.\($0)" }
        + OptimizerSpec.keys.map { "optimizer.\($0)" } + ScheduleSpec.keys.map { "schedule.\($0)" }
}

/// Where examples come from.
public struct DataSpec: Equatable, Sendable {
    public enum Source: Equatable, Sendable {
        case fashionMNIST
        /// MNIST-format IDX files `train-*` and `t10k-*` in a directory.
        case idx(directory: String)
        case csv(path: String)
        case spirals, moons, line
    }
    public var source: Source = .fashionMNIST
    /// csv: the target column.
    public var target: String?
    /// Use only the first N training examples (nil: all).
    public var limit: Int?
    /// Use only the first N test examples (nil: all).
    public var testLimit: Int?
    /// Share of the training examples held out for validation.
    public var validationFraction = 0.1
    /// Synthetic sets: how many examples.
    public var examples = 1000
    /// Synthetic sets: noise level.
    public var noise: Float = 0.1
    /// Seeds synthetic sets and the splits (nil: the trial's seed). A study sets it to its own
    /// seed, so all its trials are scored on the same validation examples.
    public var seed: UInt64?

    public init() {}

    static let keys = ["dataset", "path", "target", "limit", "test_limit", "validation_fraction", "examples", "noise", "seed"]
    static let datasets = ["fashion-mnist", "idx", "csv", "spirals", "moons", "line"]

    init(_ value: Config?, _ path: String, _ f: Fields) {
        let o = f.object(value, path, known: Self.keys)
        let name = f.string(o, "dataset", path, default: "fashion-mnist", oneOf: Self.datasets)
        let file = o["path"].map { f.string(o, "path", path, default: $0.description) }
        switch name {
        case "idx", "csv":
            guard let file else {
                f.fail(path + ".path", "is required for dataset \(name)")
                break
            }
            source = name == "idx" ? .idx(directory: file) : .csv(path: file)
        case "spirals": source = .spirals
        case "moons": source = .moons
        case "line": source = .line
        default: source = .fashionMNIST
        }
        target = o["target"].map { f.string(o, "target", path, default: $0.description) }
        limit = f.optionalInt(o, "limit", path, 1...Int.max, rule: "≥ 1")
        testLimit = f.optionalInt(o, "test_limit", path, 1...Int.max, rule: "≥ 1")
        validationFraction = f.double(o, "validation_fraction", path, default: 0.1, 0.01...0.9, rule: "in [0.01, 0.9]")
        examples = f.int(o, "examples", path, default: 1000, 10...10_000_000, rule: "≥ 10")
        noise = Float(f.double(o, "noise", path, default: 0.1, 0...100, rule: "≥ 0"))
        seed = f.optionalInt(o, "seed", path, 0...Int.max, rule: "≥ 0").map(UInt64.init)
    }
}
