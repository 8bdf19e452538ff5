import Config

/// Hidden-layer nonlinearities.
public enum Activation: Equatable, Sendable {
    case relu
    case leakyRelu(alpha: Float)
    case sigmoid
    case tanh
    /// The identity.
    case linear

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
