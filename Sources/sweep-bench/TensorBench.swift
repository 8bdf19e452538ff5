import Foundation
import Tensor
import CBLAS

/// Tensor engine throughput next to what the machine allows, measured in the same run.
enum TensorBench {
    static func run() async throws {
        print("Tensor engine")
        var report = Report(suite: "tensor")
        try gemm(&report)
        try conv(&report)
        try elementwise(&report)
        try tape(&report)
        BLAS.threads = 1
        try report.write()
    }

    static func gemm(_ report: inout Report) throws {
        var g = SeededGenerator(seed: 1)
        for threads in [1, 2] {
            BLAS.threads = threads
            for n in [256, 512, 1024] {
                let a = Tensor.uniform([n, n], using: &g), b = Tensor.uniform([n, n], using: &g)
                let flops = 2 * Double(n * n * n)
                let iterations = n <= 256 ? 40 : (n <= 512 ? 8 : 2)
                let engine = try bestTime(iterations: iterations) { _ = try a.matmul(b) }
                // The same routine called directly, on buffers the engine does not own.
                var x = [Float](repeating: 0.5, count: n * n), y = [Float](repeating: 0.25, count: n * n)
                var c = [Float](repeating: 0, count: n * n)
                // OpenBLAS's own threads for the direct call (the engine keeps OpenBLAS on one).
                openblas_set_num_threads(Int32(threads))
                let direct = bestTime(iterations: iterations) {
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n),
                                1, &x, Int32(n), &y, Int32(n), 0, &c, Int32(n))
                }
                openblas_set_num_threads(1)
                let e = flops / engine / 1e9, d = flops / direct / 1e9
                report.add("sgemm \(n) engine, \(threads) thread(s)", e, "GFLOP/s",
                           note: String(format: "direct cblas_sgemm %.1f GFLOP/s, ratio %.2f", d, e / d))
            }
        }
        BLAS.threads = 1
    }

    static func conv(_ report: inout Report) throws {
        BLAS.threads = 1
        var g = SeededGenerator(seed: 2)
        let layers = [(name: "conv 28×28×1→32", input: [128, 1, 28, 28], weight: [32, 1, 3, 3], inputGrad: false),
                      (name: "conv 13×13×32→64", input: [128, 32, 13, 13], weight: [64, 32, 3, 3], inputGrad: true)]
        for layer in layers {
            let x = Tensor.normal(layer.input, using: &g)
            x.requiresGrad = layer.inputGrad
            let w = Tensor.normal(layer.weight, std: 0.1, using: &g)
            w.requiresGrad = true
            let b = Tensor.zeros([layer.weight[0]])
            b.requiresGrad = true
            let out = try x.conv2d(w, bias: b)
            let seed = Tensor.normal(out.shape, using: &g)
            let macs = Double(out.count * layer.weight[1] * 9)
            // Forward, weight gradient, and the input gradient where the input needs one.
            let flops = 2 * macs * (layer.inputGrad ? 3 : 2)
            let time = try bestTime(repeats: 5, iterations: 3) {
                let y = try x.conv2d(w, bias: b)
                try y.backward(seed: seed)
                w.zeroGrad(); b.zeroGrad(); x.zeroGrad()
            }
            // The GEMMs alone, at the same sizes, as the ceiling this layout can reach.
            let m = layer.weight[0], k = layer.weight[1] * 9, n = out.count / m
            let a = Tensor.uniform([m, k], using: &g), c = Tensor.uniform([k, n], using: &g), d = Tensor.uniform([m, n], using: &g)
            let gemmTime = try bestTime(repeats: 5, iterations: 3) {
                _ = try a.matmul(c)
                _ = try d.matmul(c, transposeOther: true)
                if layer.inputGrad { _ = try a.matmul(d, transposeSelf: true) }
            }
            report.add("\(layer.name) fwd+bwd, batch 128, 1 thread", flops / time / 1e9, "GFLOP/s",
                       note: String(format: "%.1f ms/step; its GEMMs alone %.1f GFLOP/s", time * 1e3, flops / gemmTime / 1e9))
        }
    }

    static func elementwise(_ report: inout Report) throws {
        let n = 1 << 20
        var g = SeededGenerator(seed: 3)
        let a = Tensor.uniform([n], low: -1, high: 1, using: &g), b = Tensor.uniform([n], using: &g)
        let source = UnsafeMutablePointer<Float>.allocate(capacity: n), target = UnsafeMutablePointer<Float>.allocate(capacity: n)
        source.initialize(repeating: 1, count: n)
        defer { source.deallocate(); target.deallocate() }
        let copy = bestTime(repeats: 7, iterations: 20) { copyBytes(target, source, n * 4) }
        let memcpyRate = Double(2 * 4 * n) / copy / 1e9
        report.add("memcpy 4 MiB", memcpyRate, "GB/s", note: "read + write")
        let ops: [(String, Int, () throws -> Void)] = [
            ("add 1M (a + b)", 12, { _ = try a + b }),
            ("relu 1M", 8, { _ = a.relu() }),
            ("exp 1M", 8, { _ = a.exp() }),
        ]
        for (name, bytesPerElement, body) in ops {
            let time = try bestTime(repeats: 7, iterations: 20, body)
            let rate = Double(bytesPerElement * n) / time / 1e9
            report.add(name, rate, "GB/s", note: String(format: "%.0f%% of memcpy", 100 * rate / memcpyRate))
        }
    }

    static func tape(_ report: inout Report) throws {
        let x = try Tensor(shape: [4], scalars: [0.1, 0.2, 0.3, 0.4])
        let w = try Tensor(shape: [4], scalars: [1, 2, 3, 4], requiresGrad: true)
        let chain = 100
        func forward(_ input: Tensor) throws -> Tensor {
            var h = input
            for _ in 0..<(chain / 2) { h = try (h * w).tanh() }
            return h.sum()
        }
        let plain = try bestTime(repeats: 7, iterations: 200) { _ = try Tensor.withoutGradients { try forward(x) } }
        let recorded = try bestTime(repeats: 7, iterations: 200) { _ = try forward(x) }
        let withBackward = try bestTime(repeats: 7, iterations: 200) {
            try forward(x).backward()
            w.zeroGrad()
        }
        let ops = Double(chain + 1)
        report.add("op on [4], not recorded", plain / ops * 1e9, "ns/op")
        report.add("tape bookkeeping per op", (recorded - plain) / ops * 1e9, "ns/op", note: "recorded − not recorded")
        report.add("recorded op + its backward", withBackward / ops * 1e9, "ns/op")
    }
}

/// memcpy behind a call the optimizer cannot see through, so the copy is really made.
@inline(never)
func copyBytes(_ target: UnsafeMutablePointer<Float>, _ source: UnsafeMutablePointer<Float>, _ bytes: Int) {
    memcpy(target, source, bytes)
    source[0] = target[bytes / 8]
}
