/// The closed set of differentiable operations, with what each saves for its gradient.
/// Their derivative rules are the one `switch` in `Gradients.of`.
enum Op {
    case add, subtract, multiply, divide, negate
    case exp, log, sqrt, abs, sign, tanh, sigmoid, relu, softplus, square
    case pow(Float)
    case leakyRelu(Float)
    case clamp(Float, Float)
    /// `Tensor.select`: inputs (a, b); the broadcast mask picks a where nonzero.
    case select(Tensor)
    case sumAll
    case sum(axis: Int, keptAxis: Bool, extent: Int)
    /// max/min along an axis: the index along the axis picked for each output.
    case pick(axis: Int, keptAxis: Bool, positions: [Int])
    case reshape
    case permute([Int])
    /// Start index along each axis of the slice.
    case slice([Int])
    case gather([Int])
    case concatenate(axis: Int, extents: [Int])
    case matmul(transposeA: Bool, transposeB: Bool)
    /// `Tensor.linear`: inputs (x, weight, bias).
    case linear
    /// inputs (x, weight, bias?).
    case conv2d(ConvGeometry)
    /// The index within its input plane of each output's maximum.
    case maxPool(picks: [Int32], planeSize: Int)
    case avgPool(ConvGeometry)
    /// `Tensor.batchNormalized`: inputs (x, gamma, beta); the normalized input x̂ and 1/√(σ²+ε)
    /// per channel; whether the statistics were the batch's own (then they depend on x).
    case batchNorm(normalized: Storage, inverseStd: [Float], batchStatistics: Bool)
    case softmax(axis: Int)
    case logSoftmax(axis: Int)
    case logSumExp(axis: Int, keptAxis: Bool)
}
