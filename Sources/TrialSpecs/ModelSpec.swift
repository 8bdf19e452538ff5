import Config

/// The network: its kind, sizes and the knobs of every layer.
public struct ModelSpec: Equatable, Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Dense layers (`hidden` widths; none: a linear or softmax-regression model).
        case mlp
        /// Conv3×3 → activation → max-pool per entry of `channels`, then dense `hidden` layers.
        case cnn
        /// A conv stem, then `blocks` residual blocks per entry of `channels` (stride 2 between
        /// stages), global average pooling.
        case resnet
        /// A simple RNN of `units` over the rows of each image (or the steps of a sequence).
        case rnn
    }
    public var kind: Kind = .mlp
    public var hidden: [Int] = [128]
    public var channels: [Int] = [32, 64]
    public var kernel = 3
    public var padding = 0
    public var blocks = 1
    public var units = 128
    public var batchNorm = false
    public var dropout: Float = 0
    public var activation: Activation = .relu
    public var weightInit: Initializer = .glorotUniform
    public var biasInit: Initializer = .zeros

    public init() {}

    static let keys = ["kind", "hidden", "channels", "kernel", "padding", "blocks", "units", "batch_norm", "dropout",
                       "activation", "leaky_alpha", "weight_init", "bias_init"]

    init(_ value: Config?, _ path: String, _ f: Fields) {
        let o = f.object(value, path, known: Self.keys)
        kind = Kind(rawValue: f.string(o, "kind", path, default: "mlp", oneOf: Kind.allCases.map(\.rawValue))) ?? .mlp
        hidden = f.ints(o, "hidden", path, default: [128], 1...1_000_000)
        channels = f.ints(o, "channels", path, default: [32, 64], 1...100_000)
        kernel = f.int(o, "kernel", path, default: 3, 1...15, rule: "in 1…15")
        padding = f.int(o, "padding", path, default: 0, 0...7, rule: "in 0…7")
        blocks = f.int(o, "blocks", path, default: 1, 1...64, rule: "in 1…64")
        units = f.int(o, "units", path, default: 128, 1...100_000, rule: "≥ 1")
        batchNorm = f.bool(o, "batch_norm", path, default: false)
        dropout = Float(f.double(o, "dropout", path, default: 0, 0...0.99, rule: "in [0, 0.99]"))
        let alpha = Float(f.double(o, "leaky_alpha", path, default: 0.01, 0...1, rule: "in [0, 1]"))
        let name = f.string(o, "activation", path, default: "relu")
        if let a = Activation(name: name, alpha: alpha) { activation = a } else {
            f.fail(path + ".activation", "must be one of \(Activation.names.joined(separator: ", ")) (got '\(name)')\(suggestion(name, Activation.names))")
        }
        for (key, target) in [("weight_init", \ModelSpec.weightInit), ("bias_init", \ModelSpec.biasInit)] {
            guard let text = o[key] else { continue }
            do { self[keyPath: target] = try Initializer(parsing: text.description, path: "\(path).\(key)") } catch let e as SpecError {
                e.problems.forEach { f.fail($0.path, $0.message) }
            } catch { f.fail("\(path).\(key)", "\(error)") }
        }
    }
}

/// The optimizer and its hyperparameters (each used by the optimizers it applies to).
public struct OptimizerSpec: Equatable, Sendable {
    public var name = "adam"
    public var learningRate: Float = 0.001
    public var momentum: Float = 0
    public var nesterov = false
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    public var rho: Float = 0.9
    public var weightDecay: Float = 0.01

    public init() {}

    static let names = ["sgd", "momentum", "nesterov", "adagrad", "adadelta", "rmsprop", "adam", "adamw"]
    static let keys = ["name", "lr", "momentum", "nesterov", "beta1", "beta2", "epsilon", "rho", "weight_decay"]

    init(_ value: Config?, _ path: String, _ f: Fields) {
        let o = f.object(value, path, known: Self.keys)
        name = f.string(o, "name", path, default: "adam", oneOf: Self.names)
        learningRate = Float(f.double(o, "lr", path, default: name == "adadelta" ? 1 : (name.hasPrefix("adam") ? 0.001 : 0.01), 1e-12...1e6, rule: "> 0"))
        let defaultMomentum = name == "momentum" || name == "nesterov" ? 0.9 : 0
        momentum = Float(f.double(o, "momentum", path, default: defaultMomentum, 0...0.9999, rule: "in [0, 1)"))
        nesterov = f.bool(o, "nesterov", path, default: name == "nesterov")
        beta1 = Float(f.double(o, "beta1", path, default: 0.9, 0...0.9999, rule: "in [0, 1)"))
        beta2 = Float(f.double(o, "beta2", path, default: 0.999, 0...0.999999, rule: "in [0, 1)"))
        epsilon = Float(f.double(o, "epsilon", path, default: name == "adadelta" ? 1e-6 : 1e-8, 1e-12...1, rule: "in (0, 1]"))
        rho = Float(f.double(o, "rho", path, default: name == "adadelta" ? 0.95 : 0.9, 0...0.9999, rule: "in [0, 1)"))
        weightDecay = Float(f.double(o, "weight_decay", path, default: 0.01, 0...10, rule: "in [0, 10]"))
    }
}

/// How the learning rate changes over epochs.
public struct ScheduleSpec: Equatable, Sendable {
    public var rule: ScheduleRule = .constant
    public var warmup = 0

    public init() {}

    static let keys = ["name", "factor", "every", "patience", "minimum", "warmup"]
    static let names = ["constant", "step", "exponential", "plateau", "cosine"]

    init(_ value: Config?, _ path: String, _ f: Fields) {
        let o = f.object(value, path, known: Self.keys)
        let name = f.string(o, "name", path, default: "constant", oneOf: Self.names)
        let factor = Float(f.double(o, "factor", path, default: name == "exponential" ? 0.95 : 0.1, 1e-6...0.999999, rule: "in (0, 1)"))
        let every = f.int(o, "every", path, default: 10, 1...100_000, rule: "≥ 1")
        let patience = f.int(o, "patience", path, default: 2, 0...100_000, rule: "≥ 0")
        let minimum = Float(f.double(o, "minimum", path, default: 0, 0...1e6, rule: "≥ 0"))
        warmup = f.int(o, "warmup", path, default: 0, 0...100_000, rule: "≥ 0")
        rule = switch name {
        case "step": .step(factor: factor, every: every)
        case "exponential": .exponential(factor: factor)
        case "plateau": .plateau(factor: factor, patience: patience, minimum: minimum)
        case "cosine": .cosine(epochs: 0, minimum: minimum) // epochs filled in by the trainer
        default: .constant
        }
    }
}
