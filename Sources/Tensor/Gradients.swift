import Foundation

/// The derivative rules: for each recorded operation, the gradient of every input given the
/// gradient of the output. Broadcast inputs get gradients shaped like the output; `backward()`
/// sums them back to each input's shape.
enum Gradients {
    static func of(_ op: Op, inputs x: [Tensor], output y: Tensor, gradient g: Tensor) throws -> [Tensor?] {
        let needs = x.map(\.tracksGradient)
        func only(_ i: Int, _ make: () throws -> Tensor) throws -> Tensor? {
            needs[i] ? try make() : nil
        }
        switch op {
        case .add:
            return [g, g]
        case .subtract:
            return [g, try only(1) { -g }]
        case .multiply:
            return [try only(0) { try g * x[1] }, try only(1) { try g * x[0] }]
        case .divide: // d(a/b) = da/b − a·db/b²
            return [try only(0) { try g / x[1] }, try only(1) { try -(g * y) / x[1] }]
        case .negate:
            return [-g]
        case .exp:
            return [try g * y]
        case .log:
            return [try g / x[0]]
        case .sqrt: // 1 / (2√x)
            return [try g / (y * 2)]
        case .abs, .sign:
            if case .sign = op { return [Tensor.zeros(x[0].shape)] }
            return [try g * x[0].sign()]
        case .tanh: // 1 − tanh²
            return [zipped(g, y) { $0 * (1 - $1 * $1) }]
        case .sigmoid: // σ(1 − σ)
            return [zipped(g, y) { $0 * ($1 * (1 - $1)) }]
        case .relu:
            return [rectified(g, by: x[0], slope: 0)]
        case .leakyRelu(let alpha):
            return [rectified(g, by: x[0], slope: alpha)]
        case .softplus: // σ(x)
            return [try g * x[0].sigmoid()]
        case .square: // 2x
            return [zipped(g, x[0]) { $0 * 2 * $1 }]
        case .pow(let p): // p·x^(p−1)
            return [try g * (x[0].pow(p - 1) * p)]
        case .clamp(let low, let high):
            return [try g * mapKernel(x[0]) { $0 >= low && $0 <= high ? 1 : 0 }]
        case .select(let mask):
            let zero = Tensor(0)
            return [try only(0) { try Tensor.select(mask, g, zero) }, try only(1) { try Tensor.select(mask, zero, g) }]
        case .sumAll:
            return [try Tensor.full(g.item, x[0].shape)]
        case let .sum(axis, kept, _):
            return [try g.restoringAxis(axis, kept: kept).expanded(to: x[0].shape)]
        case let .pick(axis, kept, positions):
            let gk = try g.restoringAxis(axis, kept: kept)
            let dx = Tensor.zeros(x[0].shape)
            let (_, n, inner) = x[0].split(at: axis)
            for (j, k) in positions.enumerated() {
                dx.storage.pointer[(j / inner * n + k) * inner + j % inner] = gk.storage.pointer[j]
            }
            return [dx]
        case .reshape:
            return [try g.reshaped(x[0].shape)]
        case .permute(let order):
            var inverse = order
            for (i, axis) in order.enumerated() { inverse[axis] = i }
            return [try g.permuted(inverse)]
        case .slice(let starts):
            return [try g.padded(into: x[0].shape, at: starts)]
        case .gather(let indices):
            let dx = Tensor.zeros(x[0].shape)
            let width = x[0].count / Swift.max(x[0].shape[0], 1)
            for (row, index) in indices.enumerated() {
                let d = dx.storage.pointer + index * width, s = g.storage.pointer + row * width
                for i in 0..<width { d[i] += s[i] }
            }
            return [dx]
        case let .concatenate(axis, extents):
            var start = 0
            var parts: [Tensor?] = []
            for (i, extent) in extents.enumerated() {
                var ranges = x[i].shape.map { 0..<$0 }
                ranges[axis] = start..<(start + extent)
                parts.append(try only(i) { try g.slice(ranges) })
                start += extent
            }
            return parts
        case let .matmul(ta, tb):
            let (a, b) = (x[0], x[1])
            let da = try only(0) { () throws in
                let product = try g.matmul(b, transposeOther: !tb) // dC·op(B)ᵀ = d op(A)
                return ta ? try product.transposed() : product
            }
            let db = try only(1) { () throws in
                let product = try a.matmul(g, transposeSelf: !ta) // op(A)ᵀ·dC = d op(B)
                return tb ? try product.transposed() : product
            }
            return [da, db]
        case .linear: // dx = g·Wᵀ, dW = xᵀ·g, db = Σ rows of g, with x and g seen as [rows, ·]
            let (x0, w) = (x[0], x[1])
            let (k, n) = (w.shape[0], w.shape[1])
            let rows = x0.count / Swift.max(k, 1)
            let g2 = try g.reshaped([rows, n])
            let dx = try only(0) { try g2.matmul(w, transposeOther: true).reshaped(x0.shape) }
            let dw = try only(1) { try x0.reshaped([rows, k]).matmul(g2, transposeSelf: true) }
            let db = try only(2) { try g2.sum(axis: 0) }
            return [dx, dw, db]
        case let .conv2d(geometry):
            return conv2dBackward(geometry, input: x[0], weight: x[1], gradient: g, needs: needs)
        case let .maxPool(picks, planeSize):
            let dx = Tensor.zeros(x[0].shape)
            let perPlane = y.shape[2] * y.shape[3]
            for (o, pick) in picks.enumerated() {
                dx.storage.pointer[o / perPlane * planeSize + Int(pick)] += g.storage.pointer[o]
            }
            return [dx]
        case .avgPool(let geometry):
            return [avgPoolBackward(geometry, g)]
        case let .batchNorm(normalized, inverseStd, batchStatistics):
            return batchNormBackward(g, input: x[0], gamma: x[1], beta: x[2], normalized: normalized,
                                     inverseStd: inverseStd, batchStatistics: batchStatistics, needs: needs)
        case .softmax(let axis): // y ⊙ (g − Σ g⊙y)
            return [try y * (g - (g * y).sum(axis: axis, keepingAxis: true))]
        case .logSoftmax(let axis): // g − softmax ⊙ Σ g
            return [try g - y.exp() * g.sum(axis: axis, keepingAxis: true)]
        case let .logSumExp(axis, kept): // g ⊙ softmax
            return [try g.restoringAxis(axis, kept: kept) * x[0].softmax(axis: axis)]
        }
    }
}

extension Tensor {
    /// Puts back a reduced axis as extent 1, so the result broadcasts against the input.
    func restoringAxis(_ axis: Int, kept: Bool) throws -> Tensor {
        if kept { return self }
        var s = shape
        s.insert(1, at: axis)
        return try reshaped(s)
    }

    /// This tensor written into zeros of `shape` starting at `starts` (the inverse of slice).
    func padded(into target: [Int], at starts: [Int]) throws -> Tensor {
        let out = Tensor.zeros(target)
        let s = Tensor.strides(of: target)
        let start = zip(starts, s).map { $0 * $1 }.reduce(0, +)
        stridedCopy(from: storage.pointer, readStrides: strides, shape: shape, to: out.storage.pointer + start, writeStrides: s)
        return out
    }
}
