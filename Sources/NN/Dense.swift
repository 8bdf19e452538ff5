import Tensor
import TrialSpecs

/// y = x·W + b. x: [batch, inputs] → [batch, outputs].
public final class Dense: Layer {
    /// [inputs, outputs]
    public let weight: Tensor
    /// [outputs]
    public let bias: Tensor

    public init<G: RandomNumberGenerator>(_ inputs: Int, _ outputs: Int, weightInit: Initializer = .glorotUniform, biasInit: Initializer = .zeros, using generator: inout G) {
        weight = weightInit.make([inputs, outputs], fanIn: inputs, fanOut: outputs, using: &generator)
        bias = biasInit.make([outputs], fanIn: inputs, fanOut: outputs, using: &generator)
        weight.requiresGrad = true
        bias.requiresGrad = true
    }

    public func forward(_ x: Tensor, mode: Mode) throws -> Tensor {
        try x.linear(weight, bias: bias)
    }

    public var parameters: [Tensor] { [weight, bias] }
    public var weights: [Tensor] { [weight] }
}

/// [batch, a, b, …] → [batch, a·b·…].
public final class Flatten: Layer {
    public init() {}
    public func forward(_ x: Tensor, mode: Mode) throws -> Tensor { try x.flattened() }
}
