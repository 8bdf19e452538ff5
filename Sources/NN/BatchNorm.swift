import Tensor

/// Batch normalization (Ioffe & Szegedy 2015) over features ([batch, features]) or channels
/// ([batch, channels, h, w]). Training normalizes with the batch's statistics and updates
/// running averages; evaluation uses the running averages.
public final class BatchNorm: Layer {
    /// Scale, shaped to broadcast: [1, n] or [1, n, 1, 1].
    public let gamma: Tensor
    public let beta: Tensor
    public let runningMean: Tensor
    public let runningVariance: Tensor
    let momentum: Float
    let epsilon: Float

    /// `channels: true` for [batch, channels, h, w] inputs.
    public init(_ size: Int, channels: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        let shape = channels ? [1, size, 1, 1] : [1, size]
        gamma = Tensor.ones(shape)
        beta = Tensor.zeros(shape)
        gamma.requiresGrad = true
        beta.requiresGrad = true
        runningMean = Tensor.zeros(shape)
        runningVariance = Tensor.ones(shape)
        self.momentum = momentum
        self.epsilon = epsilon
    }

    public func forward(_ x: Tensor, mode: Mode) throws -> Tensor {
        let axes = x.rank == 4 ? [0, 2, 3] : [0]
        guard x.rank == gamma.rank, x.shape[1] == gamma.shape[1] else {
            throw TensorError("BatchNorm", "expects \(gamma.rank == 4 ? "[batch, \(gamma.shape[1]), h, w]" : "[batch, \(gamma.shape[1])]"), got \(x.shape)")
        }
        let mean: Tensor, variance: Tensor
        switch mode {
        case .training:
            var m = x
            for axis in axes { m = try m.mean(axis: axis, keepingAxis: true) }
            let centered = try x - m
            var v = centered.squared()
            for axis in axes { v = try v.mean(axis: axis, keepingAxis: true) }
            mean = m
            variance = v
            try Tensor.withoutGradients {
                let n = Float(x.count / x.shape[1])
                let unbiased = v * (n / Swift.max(n - 1, 1))
                try blend(runningMean, m)
                try blend(runningVariance, unbiased)
            }
            return try centered / (variance + epsilon).sqrt() * gamma + beta
        case .evaluation:
            mean = runningMean
            variance = runningVariance
            return try (x - mean) / (variance + epsilon).sqrt() * gamma + beta
        }
    }

    /// running ← (1 − momentum)·running + momentum·batch, in place.
    private func blend(_ running: Tensor, _ batch: Tensor) throws {
        let b = batch.scalars
        running.withUnsafeMutableBufferPointer { r in
            for i in r.indices { r[i] = (1 - momentum) * r[i] + momentum * b[i] }
        }
    }

    public var parameters: [Tensor] { [gamma, beta] }
    public var buffers: [Tensor] { [runningMean, runningVariance] }
}
