import Foundation
import Testing
import TestSupport
import Tensor

/// One differentiable operation under test: inputs and the function of them.
struct GradientCase: CustomTestStringConvertible, Sendable {
    let name: String
    let shapes: [[Int]]
    var low: Float = -2, high: Float = 2, gap: Float = 0
    /// Distinct values 0.1 apart in random order, for ops with kinks at ties (max, pooling).
    var distinct = false
    let f: @Sendable ([Tensor]) throws -> Tensor
    var testDescription: String { name }
}

let gradientCases: [GradientCase] = [
    GradientCase(name: "add with broadcasting [2,3]+[3]", shapes: [[2, 3], [3]]) { try $0[0] + $0[1] },
    GradientCase(name: "add [2,1]+[1,3]", shapes: [[2, 1], [1, 3]]) { try $0[0] + $0[1] },
    GradientCase(name: "subtract [4,2,3]−[2,1]", shapes: [[4, 2, 3], [2, 1]]) { try $0[0] - $0[1] },
    GradientCase(name: "multiply by a scalar tensor", shapes: [[3, 4], []]) { try $0[0] * $0[1] },
    GradientCase(name: "divide", shapes: [[2, 3], [3]], low: 0.5, high: 2) { try $0[0] / $0[1] },
    GradientCase(name: "negate", shapes: [[5]]) { -$0[0] },
    GradientCase(name: "exp", shapes: [[3, 5]]) { $0[0].exp() },
    GradientCase(name: "log", shapes: [[3, 5]], low: 0.5, high: 3) { $0[0].log() },
    GradientCase(name: "sqrt", shapes: [[7]], low: 0.5, high: 3) { $0[0].sqrt() },
    GradientCase(name: "pow 3", shapes: [[7]]) { $0[0].pow(3) },
    GradientCase(name: "pow 2.5", shapes: [[7]], low: 0.5, high: 3) { $0[0].pow(2.5) },
    GradientCase(name: "pow −2", shapes: [[7]], low: 0.5, high: 3) { $0[0].pow(-2) },
    GradientCase(name: "squared", shapes: [[3, 4]]) { $0[0].squared() },
    GradientCase(name: "abs", shapes: [[9]], gap: 0.2) { $0[0].abs() },
    GradientCase(name: "tanh", shapes: [[9]]) { $0[0].tanh() },
    GradientCase(name: "sigmoid", shapes: [[9]], low: -6, high: 6) { $0[0].sigmoid() },
    GradientCase(name: "relu", shapes: [[9]], gap: 0.2) { $0[0].relu() },
    GradientCase(name: "leaky relu", shapes: [[9]], gap: 0.2) { $0[0].leakyRelu(alpha: 0.1) },
    GradientCase(name: "softplus", shapes: [[9]], low: -5, high: 5) { $0[0].softplus() },
    GradientCase(name: "clamp", shapes: [[9]], gap: 0.2) { $0[0].clamped(-1.05, 0.95) },
    GradientCase(name: "select", shapes: [[2, 3], [3]]) { x in
        try Tensor.select(x[0].compare(.greater, Tensor(0)), x[0], x[1])
    },
    GradientCase(name: "sum of all", shapes: [[2, 3, 4]]) { $0[0].sum() },
    GradientCase(name: "sum axis 1", shapes: [[2, 3, 4]]) { try $0[0].sum(axis: 1) },
    GradientCase(name: "sum last axis kept", shapes: [[2, 3, 4]]) { try $0[0].sum(axis: -1, keepingAxis: true) },
    GradientCase(name: "mean axis 0", shapes: [[3, 4]]) { try $0[0].mean(axis: 0) },
    GradientCase(name: "variance axis 1", shapes: [[3, 5]]) { try $0[0].variance(axis: 1) },
    GradientCase(name: "max axis 1", shapes: [[3, 5]], distinct: true) { try $0[0].max(axis: 1) },
    GradientCase(name: "min axis 0 kept", shapes: [[4, 3]], distinct: true) { try $0[0].min(axis: 0, keepingAxis: true) },
    GradientCase(name: "reshape", shapes: [[2, 6]]) { try $0[0].reshaped([3, -1]) },
    GradientCase(name: "permute", shapes: [[2, 3, 4]]) { try $0[0].permuted([2, 0, 1]) },
    GradientCase(name: "transpose", shapes: [[3, 5]]) { try $0[0].transposed() },
    GradientCase(name: "slice", shapes: [[4, 5, 3]]) { try $0[0].slice([1..<3, 2..<5]) },
    GradientCase(name: "gather rows with repeats", shapes: [[5, 3]]) { try $0[0].gathered(rows: [4, 0, 4, 2]) },
    GradientCase(name: "concatenate axis 1", shapes: [[2, 3], [2, 1], [2, 2]]) { try Tensor.concatenate($0, axis: 1) },
    GradientCase(name: "stack", shapes: [[2, 3], [2, 3]]) { try Tensor.stack($0, axis: 1) },
    GradientCase(name: "matmul", shapes: [[3, 4], [4, 5]]) { try $0[0].matmul($0[1]) },
    GradientCase(name: "matmul Aᵀ", shapes: [[4, 3], [4, 5]]) { try $0[0].matmul($0[1], transposeSelf: true) },
    GradientCase(name: "matmul Bᵀ", shapes: [[3, 4], [5, 4]]) { try $0[0].matmul($0[1], transposeOther: true) },
    GradientCase(name: "matmul AᵀBᵀ", shapes: [[4, 3], [5, 4]]) { try $0[0].matmul($0[1], transposeSelf: true, transposeOther: true) },
    GradientCase(name: "batched matmul", shapes: [[2, 3, 4], [2, 4, 2]]) { try $0[0].matmul($0[1]) },
    GradientCase(name: "batched × shared matrix", shapes: [[2, 3, 4], [4, 2]]) { try $0[0].matmul($0[1]) },
    GradientCase(name: "linear [4,3]·[3,5]+[5]", shapes: [[4, 3], [3, 5], [5]]) { try $0[0].linear($0[1], bias: $0[2]) },
    GradientCase(name: "linear over a [2,3,4] input", shapes: [[2, 3, 4], [4, 2], [2]]) { try $0[0].linear($0[1], bias: $0[2]) },
    GradientCase(name: "batch norm over features", shapes: [[6, 3], [1, 3], [1, 3]]) { x in
        try x[0].batchNormalized(gamma: x[1], beta: x[2], epsilon: 1e-5).output
    },
    GradientCase(name: "batch norm over channels", shapes: [[3, 2, 3, 3], [1, 2, 1, 1], [1, 2, 1, 1]]) { x in
        try x[0].batchNormalized(gamma: x[1], beta: x[2], epsilon: 1e-5).output
    },
    GradientCase(name: "batch norm with fixed statistics", shapes: [[4, 3], [1, 3], [1, 3]]) { x in
        try x[0].batchNormalized(gamma: x[1], beta: x[2], mean: Tensor(shape: [3], scalars: [0.5, -1, 0]),
                                 variance: Tensor(shape: [3], scalars: [2, 0.5, 1]), epsilon: 1e-5)
    },
    GradientCase(name: "conv2d 3×3", shapes: [[2, 2, 5, 5], [3, 2, 3, 3], [3]]) { try $0[0].conv2d($0[1], bias: $0[2]) },
    GradientCase(name: "conv2d padding 1", shapes: [[2, 2, 4, 5], [2, 2, 3, 3]]) { try $0[0].conv2d($0[1], padding: 1) },
    GradientCase(name: "conv2d padding 2, 2×2 kernel", shapes: [[1, 1, 3, 3], [2, 1, 2, 2]]) { try $0[0].conv2d($0[1], padding: 2) },
    GradientCase(name: "conv2d stride 2 padding 1", shapes: [[1, 2, 6, 5], [2, 2, 3, 3]]) {
        try $0[0].conv2d($0[1], stride: 2, padding: 1)
    },
    GradientCase(name: "max pool 2×2", shapes: [[2, 2, 4, 4]], distinct: true) { try $0[0].maxPool2d(kernel: 2) },
    GradientCase(name: "max pool 3 stride 2", shapes: [[1, 2, 7, 7]], distinct: true) { try $0[0].maxPool2d(kernel: 3, stride: 2) },
    GradientCase(name: "average pool 2×2", shapes: [[2, 1, 4, 6]]) { try $0[0].avgPool2d(kernel: 2) },
    GradientCase(name: "global average pool", shapes: [[2, 3, 3, 3]]) { try $0[0].globalAvgPool() },
    GradientCase(name: "softmax", shapes: [[3, 5]]) { try $0[0].softmax() },
    GradientCase(name: "softmax axis 0", shapes: [[4, 3]]) { try $0[0].softmax(axis: 0) },
    GradientCase(name: "log softmax", shapes: [[3, 5]], low: -4, high: 4) { try $0[0].logSoftmax() },
    GradientCase(name: "log-sum-exp", shapes: [[3, 5]]) { try $0[0].logSumExp(axis: 1) },
    GradientCase(name: "composite: a tiny MLP", shapes: [[4, 3], [3, 5], [5]]) { x in
        try (x[0].matmul(x[1]) + x[2]).tanh().logSoftmax().mean()
    },
]

@Suite("Gradients agree with finite differences")
struct GradientTests {
    @Test(arguments: gradientCases)
    func gradient(_ testCase: GradientCase) throws {
        // Max and pooling have kinks at ties: distinct, well-separated values keep the check fair.
        let inputs = try testCase.shapes.enumerated().map { i, shape in
            testCase.distinct
                ? try distinctSample(shape, seed: UInt64(31 + i))
                : sample(shape, seed: UInt64(31 + i), low: testCase.low, high: testCase.high, gap: testCase.gap)
        }
        let (worst, detail) = try gradientCheck(inputs, testCase.f)
        #expect(worst < 2e-2, "worst element: \(detail)")
    }
}
