import Tensor
import TrialSpecs

/// A basic residual block (He et al. 2016): conv3×3 → BN → relu → conv3×3 → BN, plus the
/// input (or its 1×1 projection with BN when the shape changes), then relu.
public final class ResidualBlock: Layer {
    let conv1: Conv2D, norm1: BatchNorm, conv2: Conv2D, norm2: BatchNorm
    let projection: (Conv2D, BatchNorm)?
    let activation: Activation

    public init<G: RandomNumberGenerator>(_ inChannels: Int, _ outChannels: Int, stride: Int = 1, activation: Activation = .relu,
                                          weightInit: Initializer = .heNormal, using generator: inout G) {
        conv1 = Conv2D(inChannels, outChannels, kernel: 3, stride: stride, padding: 1, bias: false, weightInit: weightInit, using: &generator)
        norm1 = BatchNorm(outChannels, channels: true)
        conv2 = Conv2D(outChannels, outChannels, kernel: 3, padding: 1, bias: false, weightInit: weightInit, using: &generator)
        norm2 = BatchNorm(outChannels, channels: true)
        projection = stride != 1 || inChannels != outChannels
            ? (Conv2D(inChannels, outChannels, kernel: 1, stride: stride, bias: false, weightInit: weightInit, using: &generator), BatchNorm(outChannels, channels: true))
            : nil
        self.activation = activation
    }

    public func forward(_ x: Tensor, mode: Mode) throws -> Tensor {
        let h = activation.apply(try norm1.forward(conv1.forward(x, mode: mode), mode: mode))
        let y = try norm2.forward(conv2.forward(h, mode: mode), mode: mode)
        let shortcut = try projection.map { try $0.1.forward($0.0.forward(x, mode: mode), mode: mode) } ?? x
        return activation.apply(try y + shortcut)
    }

    private var layers: [any Layer] { [conv1, norm1, conv2, norm2] + (projection.map { [$0.0, $0.1] } ?? []) }
    public var parameters: [Tensor] { layers.flatMap(\.parameters) }
    public var buffers: [Tensor] { layers.flatMap(\.buffers) }
    public var weights: [Tensor] { layers.flatMap(\.weights) }
}
