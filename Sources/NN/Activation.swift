import Config
import Tensor
import TrialSpecs

extension Activation {
    public func apply(_ x: Tensor) -> Tensor {
        switch self {
        case .relu: x.relu()
        case .leakyRelu(let alpha): x.leakyRelu(alpha: alpha)
        case .sigmoid: x.sigmoid()
        case .tanh: x.tanh()
        case .linear: x
        }
    }
}

/// A layer that applies an activation.
public final class ActivationLayer: Layer {
    public let activation: Activation
    public init(_ activation: Activation) { self.activation = activation }
    public func forward(_ x: Tensor, mode: Mode) throws -> Tensor { activation.apply(x) }
}
