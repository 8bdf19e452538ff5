import Tensor
import TrialSpecs

/// 2-D convolution. x: [batch, inChannels, h, w] → [batch, outChannels, h', w'].
public final class Conv2D: Layer {
    /// [outChannels, inChannels, kernel, kernel]
    public let weight: Tensor
    /// [outChannels]
    public let bias: Tensor?
    public let stride: Int
    public let padding: Int

    public init<G: RandomNumberGenerator>(
        _ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true,
        weightInit: Initializer = .glorotUniform, biasInit: Initializer = .zeros, using generator: inout G
    ) {
        let area = kernel * kernel
        weight = weightInit.make([outChannels, inChannels, kernel, kernel], fanIn: inChannels * area, fanOut: outChannels * area, using: &generator)
        weight.requiresGrad = true
        self.bias = bias ? biasInit.make([outChannels], fanIn: inChannels * area, fanOut: outChannels * area, using: &generator) : nil
        self.bias?.requiresGrad = true
        self.stride = stride
        self.padding = padding
    }

    public func forward(_ x: Tensor, mode: Mode) throws -> Tensor {
        try x.conv2d(weight, bias: bias, stride: stride, padding: padding)
    }

    public var parameters: [Tensor] { [weight] + (bias.map { [$0] } ?? []) }
    public var weights: [Tensor] { [weight] }
}

public final class MaxPool2D: Layer {
    let kernel: Int, stride: Int
    public init(kernel: Int = 2, stride: Int? = nil) { self.kernel = kernel; self.stride = stride ?? kernel }
    public func forward(_ x: Tensor, mode: Mode) throws -> Tensor { try x.maxPool2d(kernel: kernel, stride: stride) }
}

public final class AvgPool2D: Layer {
    let kernel: Int, stride: Int
    public init(kernel: Int = 2, stride: Int? = nil) { self.kernel = kernel; self.stride = stride ?? kernel }
    public func forward(_ x: Tensor, mode: Mode) throws -> Tensor { try x.avgPool2d(kernel: kernel, stride: stride) }
}

/// [batch, channels, h, w] → [batch, channels].
public final class GlobalAvgPool: Layer {
    public init() {}
    public func forward(_ x: Tensor, mode: Mode) throws -> Tensor { try x.globalAvgPool() }
}
