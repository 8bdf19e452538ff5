import Testing
import NN
import TrialSpecs
import Tensor
import TestSupport

@Suite("Layers and losses")
struct LayerTests {
    @Test("every layer's gradients agree with finite differences")
    func layerGradients() throws {
        var g = SeededGenerator(seed: 1)
        let layers: [(String, any Layer, [Int])] = [
            ("dense", Dense(4, 3, using: &g), [5, 4]),
            ("conv", Conv2D(2, 3, kernel: 3, stride: 2, padding: 1, using: &g), [2, 2, 5, 5]),
            ("batch norm over features", BatchNorm(3, channels: false), [6, 3]),
            ("batch norm over channels", BatchNorm(2, channels: true), [3, 2, 3, 3]),
            ("residual block with projection (tanh: no kinks)", ResidualBlock(2, 3, stride: 2, activation: .tanh, using: &g), [2, 2, 4, 4]),
            ("simple rnn", SimpleRNN(3, 4, using: &g), [2, 5, 3]),
        ]
        for (name, layer, shape) in layers {
            let x = sample(shape, seed: 9)
            // Parameters and input together: every trainable tensor is checked.
            let (worst, detail) = try gradientCheck([x] + layer.parameters, step: 1e-2) { inputs in
                try layer.forward(inputs[0], mode: .training)
            }
            #expect(worst < 2e-2, "\(name): \(detail)")
        }
    }

    @Test("every loss's gradient agrees with finite differences")
    func lossGradients() throws {
        let labels = [0, 2, 1, 2]
        let cases: [(String, [Int], ([Tensor]) throws -> Tensor)] = [
            ("softmax cross-entropy", [4, 3], { try Loss.softmaxCrossEntropy($0[0], labels) }),
            ("sigmoid cross-entropy", [4, 1], { try Loss.sigmoidCrossEntropy($0[0], [0, 1, 1, 0]) }),
            ("mean squared error", [4, 2], { try Loss.meanSquaredError($0[0], Tensor.ones([4, 2])) }),
            ("l1 + l2 penalty", [3, 3], { try Loss.penalty([$0[0]], l1: 0.1, l2: 0.5)! }),
        ]
        for (name, shape, f) in cases {
            let (worst, detail) = try gradientCheck([sample(shape, seed: 4, gap: 0.1)], f)
            #expect(worst < 2e-2, "\(name): \(detail)")
        }
        // log(3) for uniform logits: the cross-entropy of a three-way guess.
        #expect(abs(try Loss.softmaxCrossEntropy(Tensor.zeros([2, 3]), [0, 1]).item - 1.0986123) < 1e-5)
        #expect(abs(try Loss.sigmoidCrossEntropy(Tensor.zeros([1, 1]), [1]).item - 0.6931472) < 1e-6)
    }

    @Test("batch norm uses batch statistics in training and running ones in evaluation")
    func batchNormModes() throws {
        let norm = BatchNorm(2, channels: false, momentum: 0.5)
        let x = try Tensor(shape: [4, 2], scalars: [1, 10, 2, 20, 3, 30, 4, 40])
        let trained = try norm.forward(x, mode: .training)
        let column = (0..<4).map { trained[$0, 0] }
        #expect(abs(column.reduce(0, +)) < 1e-5, "training output has zero batch mean")
        #expect(abs(column.map { $0 * $0 }.reduce(0, +) / 4 - 1) < 1e-3, "and unit batch variance")
        // Running mean after one batch with momentum 0.5: 0.5·0 + 0.5·2.5.
        #expect(abs(norm.runningMean.scalars[0] - 1.25) < 1e-6)
        #expect(abs(norm.runningVariance.scalars[0] - (0.5 + 0.5 * 5 / 3)) < 1e-5, "unbiased batch variance 5/3")
        let evaluated = try norm.forward(x, mode: .evaluation)
        let expected = (1 - 1.25) / (0.5 + 0.5 * 5 / 3 + 1e-5).squareRoot()
        #expect(abs(evaluated[0, 0] - Float(expected)) < 1e-4)
        #expect(norm.runningMean.scalars[0] == 1.25, "evaluation leaves running statistics alone")
    }

    @Test("dropout zeroes about the rate and scales survivors by 1/(1 − rate); evaluation is the identity")
    func dropoutScaling() throws {
        let dropout = Dropout(rate: 0.25, seed: 3)
        let x = Tensor.ones([100, 100])
        let y = try dropout.forward(x, mode: .training).scalars
        let kept = y.filter { $0 != 0 }
        #expect(kept.allSatisfy { abs($0 - 1 / 0.75) < 1e-6 })
        #expect(abs(Float(kept.count) / 10_000 - 0.75) < 0.02)
        #expect(abs(y.reduce(0, +) / 10_000 - 1) < 0.03, "the expected activation is unchanged")
        #expect(try dropout.forward(x, mode: .evaluation).scalars == x.scalars)
    }

    @Test("initializers draw with the scale their papers give")
    func initializers() throws {
        var g = SeededGenerator(seed: 5)
        let he = Initializer.heNormal.make([400, 300], fanIn: 400, fanOut: 300, using: &g)
        #expect(abs(he.variance().item - 2.0 / 400) < 2e-4)
        let glorot = Initializer.glorotUniform.make([400, 300], fanIn: 400, fanOut: 300, using: &g)
        let limit = (6.0 / 700).squareRoot()
        #expect(glorot.scalars.allSatisfy { abs($0) <= Float(limit) })
        #expect(abs(glorot.variance().item - Float(limit * limit / 3)) < 2e-4)
        #expect(abs(Initializer.lecunNormal.make([500, 200], fanIn: 500, fanOut: 200, using: &g).variance().item - 1.0 / 500) < 1e-4)
        #expect(Initializer.constant(0.3).make([3], fanIn: 1, fanOut: 1, using: &g).scalars == [0.3, 0.3, 0.3])
        #expect(try Initializer(parsing: "normal(std=0.5)", path: "x") == .normal(mean: 0, std: 0.5))
        #expect(try Initializer(parsing: "uniform(low=-1, high=2)", path: "x") == .uniform(low: -1, high: 2))
        #expect(try Initializer(parsing: "xavier_uniform", path: "x") == .glorotUniform)
        let bad = #expect(throws: (any Error).self) { try Initializer(parsing: "glorot_unifrom", path: "model.weight_init") }
        #expect("\(bad!)".contains("model.weight_init unknown initializer 'glorot_unifrom' (did you mean 'glorot_uniform'?)"))
    }
}
