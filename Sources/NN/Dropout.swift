import Tensor

/// Inverted dropout (Srivastava et al. 2014): in training, zeroes each element with probability
/// `rate` and scales the rest by 1/(1 − rate), so evaluation is the identity.
public final class Dropout: Layer {
    public let rate: Float
    private var generator: SeededGenerator

    public init(rate: Float, seed: UInt64) {
        self.rate = rate
        generator = SeededGenerator(seed: seed)
    }

    public func forward(_ x: Tensor, mode: Mode) throws -> Tensor {
        guard mode == .training, rate > 0 else { return x }
        let keep = 1 - rate, scale = 1 / keep
        let mask = Tensor.zeros(x.shape)
        mask.withUnsafeMutableBufferPointer { m in
            for i in m.indices where generator.nextUnitFloat() < keep { m[i] = scale }
        }
        return try x * mask
    }
}
