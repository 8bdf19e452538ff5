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
        guard x.rank == gamma.rank, x.shape[1] == gamma.shape[1] else {
            throw TensorError("BatchNorm", "expects \(gamma.rank == 4 ? "[batch, \(gamma.shape[1]), h, w]" : "[batch, \(gamma.shape[1])]"), got \(x.shape)")
        }
        switch mode {
        case .training:
            let (out, mean, variance) = try x.batchNormalized(gamma: gamma, beta: beta, epsilon: epsilon)
            // The running variance is the unbiased estimate, as in PyTorch.
            let n = Float(x.count / x.shape[1])
            let correction = n / Swift.max(n - 1, 1)
            blend(runningMean, mean)
            blend(runningVariance, variance.map { $0 * correction })
            return out
        case .evaluation:
            return try x.batchNormalized(gamma: gamma, beta: beta, mean: runningMean, variance: runningVariance, epsilon: epsilon)
        }
    }

    /// running ← (1 − momentum)·running + momentum·batch, in place.
    private func blend(_ running: Tensor, _ batch: [Float]) {
        running.withUnsafeMutableBufferPointer { r in
            for i in r.indices { r[i] = (1 - momentum) * r[i] + momentum * batch[i] }
        }
    }

    public var parameters: [Tensor] { [gamma, beta] }
    public var buffers: [Tensor] { [runningMean, runningVariance] }
}
