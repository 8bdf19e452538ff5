/// The closed set of differentiable operations, with what each saves for its gradient.
/// Their derivative rules are the one `switch` in `Gradients.of`.
enum Op {
    case add, subtract, multiply, divide, negate
    case exp, log, sqrt, abs, sign, tanh, sigmoid, relu, softplus
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
    /// inputs (x, weight, bias?); the im2col columns of x.
    case conv2d(ConvGeometry, columns: Storage)
    /// The index within its input plane of each output's maximum.
    case maxPool(picks: [Int32], planeSize: Int)
    case avgPool(ConvGeometry)
    case softmax(axis: Int)
    case logSoftmax(axis: Int)
    case logSumExp(axis: Int, keptAxis: Bool)
}
