/// Matrix products through OpenBLAS sgemm.
extension Tensor {
    /// `op(self) · op(other)` where op transposes the last two axes when asked (folded into the
    /// BLAS call). Shapes: [m, k]·[k, n]; [b, m, k]·[b, k, n] (batched); [b, m, k]·[k, n].
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) throws -> Tensor {
        let a = self, b = other
        let op = "matmul"
        guard (a.rank == 2 || a.rank == 3) && (b.rank == 2 || b.rank == 3) && !(a.rank == 2 && b.rank == 3) else {
            throw TensorError(op, "supports [m,k]×[k,n], [b,m,k]×[b,k,n] and [b,m,k]×[k,n]; got \(describe(a.shape)) × \(describe(b.shape))")
        }
        let (ar, ac) = (a.shape[a.rank - 2], a.shape[a.rank - 1])
        let (br, bc) = (b.shape[b.rank - 2], b.shape[b.rank - 1])
        let (m, k) = transposeSelf ? (ac, ar) : (ar, ac)
        let (k2, n) = transposeOther ? (bc, br) : (br, bc)
        guard k == k2 else {
            throw TensorError(op, "inner dimensions differ: \(describe(a.shape))\(transposeSelf ? "ᵀ" : "") × \(describe(b.shape))\(transposeOther ? "ᵀ" : "") (\(k) vs \(k2))")
        }
        let batch = a.rank == 3 ? a.shape[0] : 1
        if a.rank == 3 && b.rank == 3 && b.shape[0] != batch {
            throw TensorError(op, "batch sizes differ: \(describe(a.shape)) × \(describe(b.shape))")
        }
        let out = Tensor(uninitialized: a.rank == 3 ? [batch, m, n] : [m, n])
        if a.rank == 3 && b.rank == 2 && !transposeSelf {
            // One GEMM over all rows: [b·m, k] · [k, n].
            BLAS.gemm(a.storage.pointer, transposeA: false, b.storage.pointer, transposeB: transposeOther,
                      out.storage.pointer, m: batch * m, n: n, k: k)
        } else {
            for i in 0..<batch {
                BLAS.gemm(a.storage.pointer + i * m * k, transposeA: transposeSelf,
                          b.storage.pointer + (b.rank == 3 ? i * k * n : 0), transposeB: transposeOther,
                          out.storage.pointer + i * m * n, m: m, n: n, k: k)
            }
        }
        return out.recorded(.matmul(transposeA: transposeSelf, transposeB: transposeOther), a, b)
    }

    /// x·W + b as one GEMM that starts from the bias rows (no separate broadcast pass).
    /// self: [..., inputs] (every leading axis is a row), weight: [inputs, outputs], bias: [outputs]
    /// → [..., outputs].
    public func linear(_ weight: Tensor, bias: Tensor) throws -> Tensor {
        guard rank >= 2, weight.rank == 2, shape[rank - 1] == weight.shape[0], bias.shape == [weight.shape[1]] else {
            throw TensorError("linear", "expects [..., k]·[k, n] + [n]; got \(describe(shape)) · \(describe(weight.shape)) + \(describe(bias.shape))")
        }
        let (k, n) = (weight.shape[0], weight.shape[1])
        let rows = count / Swift.max(k, 1)
        var outShape = shape
        outShape[rank - 1] = n
        let out = Tensor(uninitialized: outShape)
        let o = out.storage.pointer, b = bias.storage.pointer
        for r in 0..<rows { (o + r * n).update(from: b, count: n) }
        BLAS.gemm(storage.pointer, transposeA: false, weight.storage.pointer, transposeB: false, o, m: rows, n: n, k: k, beta: 1)
        return out.recorded(.linear, self, weight, bias)
    }

    /// The textbook triple loop, for checking the BLAS path ([m,k]·[k,n] only).
    public func matmulReference(_ other: Tensor) throws -> Tensor {
        guard rank == 2, other.rank == 2, shape[1] == other.shape[0] else {
            throw TensorError("matmulReference", "inner dimensions differ: \(describe(shape)) × \(describe(other.shape))")
        }
        let (m, k, n) = (shape[0], shape[1], other.shape[1])
        let out = Tensor.zeros([m, n])
        let a = storage.pointer, b = other.storage.pointer, c = out.storage.pointer
        for i in 0..<m {
            for j in 0..<n {
                var s: Double = 0
                for p in 0..<k { s += Double(a[i * k + p]) * Double(b[p * n + j]) }
                c[i * n + j] = Float(s)
            }
        }
        return out
    }
}
