import Foundation
import Testing
import TestSupport
@testable import Tensor

/// Largest |a − b| / max(1, |b|) over two equally shaped tensors.
public func worstDifference(_ a: Tensor, _ b: Tensor) -> Float {
    zip(a.scalars, b.scalars).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
}

@Suite("Fast kernels agree with naive references")
struct KernelTests {
    @Test("BLAS matmul matches the triple loop, with transposes folded in", arguments: [(1, 1, 1), (7, 13, 5), (64, 33, 17), (128, 256, 64)])
    func matmul(m: Int, k: Int, n: Int) throws {
        let a = sample([m, k], seed: 1), b = sample([k, n], seed: 2)
        let reference = try a.matmulReference(b)
        // Float32 sums of k products: rounding grows with k.
        let tolerance = Float(k) * 2e-7 + 1e-6
        #expect(worstDifference(try a.matmul(b), reference) < tolerance)
        let at = try a.transposed(), bt = try b.transposed()
        #expect(worstDifference(try at.matmul(b, transposeSelf: true), reference) < tolerance)
        #expect(worstDifference(try a.matmul(bt, transposeOther: true), reference) < tolerance)
        #expect(worstDifference(try at.matmul(bt, transposeSelf: true, transposeOther: true), reference) < tolerance)
    }

    @Test("linear is matmul plus the broadcast bias", arguments: [[5, 7], [2, 3, 7]])
    func linear(shape: [Int]) throws {
        let x = sample(shape, seed: 11), w = sample([7, 4], seed: 12), b = sample([4], seed: 13)
        let fused = try x.linear(w, bias: b)
        let reference = try x.matmul(w) + b
        #expect(fused.shape == reference.shape)
        #expect(worstDifference(fused, reference) < 1e-5)
    }

    @Test("fused batch norm matches the textbook formula", arguments: [[16, 5], [4, 3, 5, 6]])
    func batchNorm(shape: [Int]) throws {
        let x = sample(shape, seed: 14, low: -3, high: 5)
        let parameterShape = shape.count == 4 ? [1, shape[1], 1, 1] : [1, shape[1]]
        let gamma = sample(parameterShape, seed: 15), beta = sample(parameterShape, seed: 16)
        let (fused, mean, variance) = try x.batchNormalized(gamma: gamma, beta: beta, epsilon: 1e-5)
        // (x − μ)/√(σ² + ε)·γ + β with μ, σ² over every axis but the channels.
        let axes = shape.count == 4 ? [0, 2, 3] : [0]
        var mu = x
        for axis in axes { mu = try mu.mean(axis: axis, keepingAxis: true) }
        var sigma2 = try (x - mu).squared()
        for axis in axes { sigma2 = try sigma2.mean(axis: axis, keepingAxis: true) }
        let reference = try (x - mu) / (sigma2 + 1e-5).sqrt() * gamma + beta
        #expect(worstDifference(fused, reference) < 1e-5)
        #expect(zip(mean, mu.scalars).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(zip(variance, sigma2.scalars).allSatisfy { abs($0 - $1) < 1e-4 })
        // With given statistics it is the same affine map.
        let fixed = try x.batchNormalized(gamma: gamma, beta: beta, mean: mu, variance: sigma2, epsilon: 1e-5)
        #expect(worstDifference(fixed, reference) < 1e-5)
    }

    @Test("vector tanh and sigmoid stay within a few ulp of libm, saturate and keep NaN")
    func activations() throws {
        var values: [Float] = (-4000...4000).map { Float($0) / 100 }
        values += [1e-30, -1e-30, 1e-7, 0.624, 0.626, -0.625, 90, -90, 1e30, -1e30, .infinity, -.infinity, .nan, 0, -0.0]
        let x = try Tensor(shape: [values.count], scalars: values)
        let (t, s) = (x.tanh().scalars, x.sigmoid().scalars)
        for (i, v) in values.enumerated() {
            let tanh = Foundation.tanh(v), sigmoid = v >= 0 ? 1 / (1 + Foundation.exp(-v)) : Foundation.exp(v) / (1 + Foundation.exp(v))
            if v.isNaN {
                #expect(t[i].isNaN && s[i].isNaN)
                continue
            }
            #expect(abs(t[i] - tanh) <= 4 * tanh.magnitude.ulp + 1e-38, "tanh(\(v)) = \(t[i]), libm \(tanh)")
            // σ of large negative x is tiny: compared relative to its size, as exp is.
            #expect(abs(s[i] - sigmoid) <= 8 * Swift.max(sigmoid.ulp, Float.leastNormalMagnitude), "σ(\(v)) = \(s[i]), libm \(sigmoid)")
        }
    }

    @Test("integer powers are products and agree with pow", arguments: [-2, -1, 0, 1, 2, 3] as [Float])
    func integerPowers(exponent: Float) throws {
        let x = sample([33], seed: 17, low: 0.2, high: 3)
        let expected = x.scalars.map { Foundation.pow($0, exponent) }
        #expect(zip(x.pow(exponent).scalars, expected).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($1)) })
    }

    @Test("a GEMM split into blocks across 2 threads gives the bits of one thread", arguments: [(300, 200, 96), (100, 700, 160), (20, 900, 240)])
    func splitGemm(m: Int, n: Int, k: Int) throws {
        // 2²² multiply-adds or more: split by rows of C at multiples of 24 (300 → 144 + 156, 100 → 48 + 52; 20 stays whole).
        let a = sample([m, k], seed: 21), b = sample([k, n], seed: 22)
        let at = try a.transposed(), bt = try b.transposed()
        func products() throws -> [[Float]] {
            try [a.matmul(b), at.matmul(b, transposeSelf: true), a.matmul(bt, transposeOther: true),
                 at.matmul(bt, transposeSelf: true, transposeOther: true)].map(\.scalars)
        }
        let one = try products()
        BLAS.threads = 2
        defer { BLAS.threads = 1 }
        #expect(try products() == one)
        #expect(worstDifference(try Tensor(shape: [m, n], scalars: one[0]), try a.matmulReference(b)) < Float(k) * 2e-7 + 1e-6)
    }

    @Test("batched matmul is a matmul per batch entry")
    func batched() throws {
        let a = sample([3, 4, 5], seed: 3), b = sample([3, 5, 2], seed: 4), shared = sample([5, 2], seed: 5)
        let out = try a.matmul(b), outShared = try a.matmul(shared)
        for i in 0..<3 {
            let ai = try a.slice([i..<(i + 1)]).reshaped([4, 5])
            let bi = try b.slice([i..<(i + 1)]).reshaped([5, 2])
            #expect(worstDifference(try out.slice([i..<(i + 1)]).reshaped([4, 2]), try ai.matmulReference(bi)) < 1e-5)
            #expect(worstDifference(try outShared.slice([i..<(i + 1)]).reshaped([4, 2]), try ai.matmulReference(shared)) < 1e-5)
        }
    }

    @Test("im2col convolution matches direct convolution", arguments: [(1, 0), (1, 1), (2, 0), (2, 1), (3, 2)])
    func conv(stride: Int, padding: Int) throws {
        let x = sample([2, 3, 9, 8], seed: 6), w = sample([4, 3, 3, 3], seed: 7), bias = sample([4], seed: 8)
        let fast = try x.conv2d(w, bias: bias, stride: stride, padding: padding)
        let direct = try x.conv2dReference(w, bias: bias, stride: stride, padding: padding)
        #expect(fast.shape == direct.shape)
        #expect(worstDifference(fast, direct) < 1e-5)
    }

    @Test("pooling matches a naive window scan")
    func pooling() throws {
        let x = sample([2, 3, 6, 7], seed: 9)
        for (kernel, stride) in [(2, 2), (3, 2), (3, 1)] {
            let maxed = try x.maxPool2d(kernel: kernel, stride: stride)
            let averaged = try x.avgPool2d(kernel: kernel, stride: stride)
            let (oh, ow) = ((6 - kernel) / stride + 1, (7 - kernel) / stride + 1)
            #expect(maxed.shape == [2, 3, oh, ow])
            for n in 0..<2 { for c in 0..<3 { for i in 0..<oh { for j in 0..<ow {
                var window: [Float] = []
                for a in 0..<kernel { for b in 0..<kernel { window.append(x[n, c, i * stride + a, j * stride + b]) } }
                #expect(maxed[n, c, i, j] == window.max()!)
                #expect(abs(averaged[n, c, i, j] - window.reduce(0, +) / Float(window.count)) < 1e-6)
            } } } }
        }
    }

    @Test("vector exp stays within a few ulp of libm and saturates like it")
    func vectorExp() throws {
        var values: [Float] = stride(from: -87, through: 88, by: 0.173).map { Float($0) }
        values += [0, -0.0, 1e-8, -1e-8, 88.5, 89, 100, -88, -100, .infinity, -.infinity]
        let x = try Tensor(shape: [values.count], scalars: values)
        let y = x.exp().scalars
        for (v, e) in zip(values, y) {
            let expected = Foundation.exp(v)
            if expected.isInfinite || expected == 0 || expected < Float.leastNormalMagnitude {
                #expect(e == expected || abs(e - expected) <= Float.leastNormalMagnitude, "exp(\(v)) = \(e), libm \(expected)")
            } else {
                #expect(abs(e - expected) / expected < 4e-7, "exp(\(v)) = \(e), libm \(expected)")
            }
        }
        #expect(try Tensor(shape: [9], scalars: .init(repeating: .nan, count: 9)).exp().scalars.allSatisfy(\.isNaN))
    }

    @Test("softmax rows sum to one and survive huge logits")
    func softmaxStable() throws {
        let x = try Tensor(shape: [2, 3], scalars: [1000, 1001, 1002, -1000, 0, 1000])
        let p = try x.softmax()
        #expect(p.scalars.allSatisfy { $0.isFinite })
        #expect(abs(p[0, 0] + p[0, 1] + p[0, 2] - 1) < 1e-6)
        let logP = try x.logSoftmax()
        // Logits near 1000 carry Float32 steps of 6e-5.
        #expect(abs(logP[0, 2] - (-Float(log(1 + exp(-1.0) + exp(-2.0))))) < 2e-4)
        #expect(abs(try x.logSumExp(axis: 1)[0] - (1002 + Float(log(1 + exp(-1.0) + exp(-2.0))))) < 1e-3)
    }

    @Test("reductions along any axis match loops")
    func reductions() throws {
        let x = sample([3, 4, 5], seed: 10)
        let s1 = try x.sum(axis: 1), m2 = try x.max(axis: 2), v0 = try x.variance(axis: 0)
        for i in 0..<3 { for k in 0..<5 {
            #expect(abs(s1[i, k] - (0..<4).map { x[i, $0, k] }.reduce(0, +)) < 1e-5)
        } }
        for i in 0..<3 { for j in 0..<4 { #expect(m2[i, j] == (0..<5).map { x[i, j, $0] }.max()!) } }
        let column = (0..<3).map { x[$0, 1, 2] }
        let mean = column.reduce(0, +) / 3
        #expect(abs(v0[1, 2] - column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 3) < 1e-5)
        #expect(try x.argmax(axis: 2)[0] == (0..<5).max { x[0, 0, $0] < x[0, 0, $1] }!)
        #expect(abs(x.sum().item - x.scalars.reduce(0, +)) < 1e-4)
        #expect(try Tensor.oneHot([2, 0], classes: 3).scalars == [0, 0, 1, 1, 0, 0])
        #expect(try Tensor.arange(0, 1, step: 0.25).scalars == [0, 0.25, 0.5, 0.75])
    }
}
