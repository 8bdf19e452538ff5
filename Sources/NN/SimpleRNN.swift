import Tensor
import TrialSpecs

/// An Elman RNN: h_t = act(x_t·W + h_{t−1}·U + b), tanh by default. x: [batch, steps, features]
/// (an image [batch, 1, rows, cols] is read row by row) → the last state [batch, units].
public final class SimpleRNN: Layer {
    /// [features, units]
    public let input: Tensor
    /// [units, units]
    public let recurrent: Tensor
    /// [units]
    public let bias: Tensor
    let activation: Activation

    public init<G: RandomNumberGenerator>(_ features: Int, _ units: Int, activation: Activation = .tanh,
                                          weightInit: Initializer = .glorotUniform, biasInit: Initializer = .zeros, using generator: inout G) {
        input = weightInit.make([features, units], fanIn: features, fanOut: units, using: &generator)
        recurrent = weightInit.make([units, units], fanIn: units, fanOut: units, using: &generator)
        bias = biasInit.make([units], fanIn: features, fanOut: units, using: &generator)
        for p in [input, recurrent, bias] { p.requiresGrad = true }
        self.activation = activation
    }

    public func forward(_ x: Tensor, mode: Mode) throws -> Tensor {
        let sequence = x.rank == 4 ? try x.reshaped([x.shape[0], x.shape[2], x.shape[3]]) : x
        guard sequence.rank == 3 else { throw TensorError("SimpleRNN", "expects [batch, steps, features], got \(x.shape)") }
        let (batch, steps) = (sequence.shape[0], sequence.shape[1])
        var h = Tensor.zeros([batch, recurrent.shape[0]])
        for t in 0..<steps {
            // The input is sliced per step, not one projection of every step: a slice's gradient
            // is as large as what it was cut from, and 28 of them summed cost O(steps²).
            let xt = try sequence.slice([0..<batch, t..<(t + 1)]).reshaped([batch, -1])
            h = activation.apply(try xt.linear(input, bias: bias) + h.matmul(recurrent))
        }
        return h
    }

    public var parameters: [Tensor] { [input, recurrent, bias] }
    public var weights: [Tensor] { [input, recurrent] }
}
