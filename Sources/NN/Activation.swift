import Config
import Tensor

/// Hidden-layer nonlinearities.
public enum Activation: Equatable, Sendable {
    case relu
    case leakyRelu(alpha: Float)
    case sigmoid
    case tanh
    /// The identity.
    case linear

    public func apply(_ x: Tensor) -> Tensor {
        switch self {
        case .relu: x.relu()
        case .leakyRelu(let alpha): x.leakyRelu(alpha: alpha)
        case .sigmoid: x.sigmoid()
        case .tanh: x.tanh()
        case .linear: x
        }
    }

    /// Parses `relu`, `leaky_relu`, `leaky_relu(0.2)`, `sigmoid`, `tanh`, `linear`.
    public init?(name: String, alpha: Float = 0.01) {
        guard let call = try? Call(parsing: name) else { return nil }
        switch call.name {
        case "relu": self = .relu
        case "leaky_relu": self = .leakyRelu(alpha: call.positional.first ?? call.arguments["alpha"] ?? alpha)
        case "sigmoid": self = .sigmoid
        case "tanh": self = .tanh
        case "linear", "identity": self = .linear
        default: return nil
        }
    }

    public static let names = ["relu", "leaky_relu", "sigmoid", "tanh", "linear"]
}

/// A layer that applies an activation.
public final class ActivationLayer: Layer {
    public let activation: Activation
    public init(_ activation: Activation) { self.activation = activation }
    public func forward(_ x: Tensor, mode: Mode) throws -> Tensor { activation.apply(x) }
}

/// `name` or `name(1, key=2)`: how initializers and activations are written in specs.
struct Call: Equatable {
    let name: String
    let positional: [Float]
    let arguments: [String: Float]

    init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let open = trimmed.firstIndex(of: "(") else {
            name = trimmed; positional = []; arguments = [:]
            return
        }
        guard trimmed.hasSuffix(")") else { throw SpecError.at("", "'\(text)' has '(' without a closing ')'") }
        name = String(trimmed[..<open]).trimmingCharacters(in: .whitespaces)
        let inner = trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]
        var positional: [Float] = [], arguments: [String: Float] = [:]
        for part in inner.split(separator: ",") {
            let pieces = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pieces.count == 2 {
                guard let v = Float(pieces[1]) else { throw SpecError.at("", "'\(pieces[1])' in '\(text)' is not a number") }
                arguments[pieces[0]] = v
            } else {
                guard let v = Float(pieces[0]) else { throw SpecError.at("", "'\(pieces[0])' in '\(text)' is not a number") }
                positional.append(v)
            }
        }
        self.positional = positional
        self.arguments = arguments
    }
}
