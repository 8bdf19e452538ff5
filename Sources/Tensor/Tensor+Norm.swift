/// Batch normalization (Ioffe & Szegedy 2015) as one forward/backward pair: two passes for the
/// statistics, one for the output; the backward pass is the closed form, not the ten broadcast
/// operations the formula would record.
extension Tensor {
    /// Normalizes each feature (axis 1 of [batch, features]) or channel (axis 1 of [batch,
    /// channels, h, w]) with the batch's mean and population variance, then scales by `gamma` and
    /// shifts by `beta` (each holding one value per feature, in any shape that broadcasts, e.g.
    /// [1, n] or [1, n, 1, 1]). Returns the output and the statistics used.
    public func batchNormalized(gamma: Tensor, beta: Tensor, epsilon: Float) throws -> (output: Tensor, mean: [Float], variance: [Float]) {
        let layout = try normLayout(gamma, beta)
        let (mean, variance) = channelStatistics(layout)
        let out = normalize(layout, mean: mean, variance: variance, gamma: gamma, beta: beta, epsilon: epsilon, batchStatistics: true)
        return (out, mean, variance)
    }

    /// The same with given statistics (evaluation: the running averages), each [features] values.
    public func batchNormalized(gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor, epsilon: Float) throws -> Tensor {
        let layout = try normLayout(gamma, beta)
        guard mean.count == layout.channels, variance.count == layout.channels else {
            throw TensorError("batchNorm", "needs \(layout.channels) means and variances, got \(mean.count) and \(variance.count)")
        }
        return normalize(layout, mean: mean.scalars, variance: variance.scalars, gamma: gamma, beta: beta, epsilon: epsilon, batchStatistics: false)
    }

    /// [outer, channels, inner] around axis 1.
    private func normLayout(_ gamma: Tensor, _ beta: Tensor) throws -> NormLayout {
        guard rank == 2 || rank == 4 else { throw TensorError("batchNorm", "expects [batch, features] or [batch, channels, h, w], got \(describe(shape))") }
        let (outer, channels, inner) = split(at: 1)
        guard gamma.count == channels, beta.count == channels else {
            throw TensorError("batchNorm", "gamma and beta need \(channels) values for \(describe(shape)), got \(describe(gamma.shape)) and \(describe(beta.shape))")
        }
        return NormLayout(outer: outer, channels: channels, inner: inner)
    }

    /// Per-channel mean, then population variance around it (two passes, for accuracy).
    private func channelStatistics(_ l: NormLayout) -> ([Float], [Float]) {
        let x = storage.pointer
        var sum = [Float](repeating: 0, count: l.channels), squares = [Float](repeating: 0, count: l.channels)
        let scale = 1 / Float(Swift.max(l.outer * l.inner, 1))
        sum.withUnsafeMutableBufferPointer { s in
            l.each { c, offset, width in s[c] += rowSum(x + offset, width) } rows: { offset in
                for c in 0..<l.channels { s[c] += x[offset + c] }
            }
            for c in 0..<l.channels { s[c] *= scale }
        }
        sum.withUnsafeBufferPointer { mean in
            squares.withUnsafeMutableBufferPointer { q in
                l.each { c, offset, width in q[c] += squaredDeviationSum(x + offset, width, mean[c]) } rows: { offset in
                    for c in 0..<l.channels { let d = x[offset + c] - mean[c]; q[c] += d * d }
                }
                for c in 0..<l.channels { q[c] *= scale }
            }
        }
        return (sum, squares)
    }

    private func normalize(_ l: NormLayout, mean: [Float], variance: [Float], gamma: Tensor, beta: Tensor,
                           epsilon: Float, batchStatistics: Bool) -> Tensor {
        let inverse = variance.map { 1 / ($0 + epsilon).squareRoot() }
        let normalized = Storage(uninitialized: count)
        let out = Tensor(uninitialized: shape)
        let x = storage.pointer, h = normalized.pointer, y = out.storage.pointer
        let gp = gamma.storage.pointer, bp = beta.storage.pointer
        mean.withUnsafeBufferPointer { m in
            inverse.withUnsafeBufferPointer { s in
                l.eachInParallel { c, offset, width in
                    let (mc, sc, gc, bc) = (m[c], s[c], gp[c], bp[c])
                    for i in offset..<(offset + width) {
                        let n = (x[i] - mc) * sc
                        h[i] = n
                        y[i] = n * gc + bc
                    }
                } rows: { offset in
                    for c in 0..<l.channels {
                        let n = (x[offset + c] - m[c]) * s[c]
                        h[offset + c] = n
                        y[offset + c] = n * gp[c] + bp[c]
                    }
                }
            }
        }
        out.recordOp({ .batchNorm(normalized: normalized, inverseStd: inverse, batchStatistics: batchStatistics) }, [self, gamma, beta])
        return out
    }
}

/// The channel axis of a batch-norm input: [outer, channels, inner].
struct NormLayout {
    let outer, channels, inner: Int

    /// Calls `plane(c, offset, width)` for every [n, c] plane when planes are wider than one
    /// element, else `rows(offset)` for every row of `channels` elements (which then vectorizes),
    /// in order: accumulations repeat bit for bit.
    func each(plane: (Int, Int, Int) -> Void, rows: (Int) -> Void) {
        each(0..<outer, plane: plane, rows: rows)
    }

    /// `each` for elementwise passes (no accumulation): the batch split across threads.
    func eachInParallel(plane: (Int, Int, Int) -> Void, rows: (Int) -> Void) {
        Parallel.split(outer, cost: channels * inner) { batch in each(batch, plane: plane, rows: rows) }
    }

    private func each(_ batch: Range<Int>, plane: (Int, Int, Int) -> Void, rows: (Int) -> Void) {
        if inner == 1 {
            for n in batch { rows(n * channels) }
        } else {
            for n in batch { for c in 0..<channels { plane(c, (n * channels + c) * inner, inner) } }
        }
    }
}

/// Σ (p[i] − mean)² with 16 lanes (fixed order, so repeatable).
func squaredDeviationSum(_ p: UnsafeMutablePointer<Float>, _ n: Int, _ mean: Float) -> Float {
    var lanes = SIMD16<Float>()
    let m = SIMD16<Float>(repeating: mean)
    var i = 0
    let raw = UnsafeRawPointer(p)
    while i + 16 <= n {
        let d = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) - m
        lanes += d * d
        i += 16
    }
    var total = lanes.sum()
    while i < n { let d = p[i] - mean; total += d * d; i += 1 }
    return total
}

/// Σ a[i]·b[i] with 16 lanes (fixed order, so repeatable).
func rowDot(_ a: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>, _ n: Int) -> Float {
    var lanes = SIMD16<Float>()
    var i = 0
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    while i + 16 <= n {
        lanes += ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) * rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
        i += 16
    }
    var total = lanes.sum()
    while i < n { total += a[i] * b[i]; i += 1 }
    return total
}

/// The three gradients of batch normalization, from the normalized input x̂ it saved:
/// dβ = Σg, dγ = Σg·x̂, and dx = γ·s·(g − dβ/M − x̂·dγ/M) with batch statistics (s = 1/√(σ²+ε),
/// M values per channel), γ·s·g with fixed ones.
func batchNormBackward(_ gradient: Tensor, input: Tensor, gamma: Tensor, beta: Tensor, normalized: Storage,
                       inverseStd: [Float], batchStatistics: Bool, needs: [Bool]) -> [Tensor?] {
    let (outer, channels, inner) = input.split(at: 1)
    let l = NormLayout(outer: outer, channels: channels, inner: inner)
    let g = gradient.storage.pointer, h = normalized.pointer
    var dBeta = [Float](repeating: 0, count: channels), dGamma = [Float](repeating: 0, count: channels)
    dBeta.withUnsafeMutableBufferPointer { db in
        dGamma.withUnsafeMutableBufferPointer { dg in
            l.each { c, offset, width in
                db[c] += rowSum(g + offset, width)
                dg[c] += rowDot(g + offset, h + offset, width)
            } rows: { offset in
                for c in 0..<channels { db[c] += g[offset + c]; dg[c] += g[offset + c] * h[offset + c] }
            }
        }
    }
    var dx: Tensor?
    if needs[0] {
        let out = Tensor(uninitialized: input.shape)
        let d = out.storage.pointer, gp = gamma.storage.pointer
        let share = 1 / Float(Swift.max(outer * inner, 1))
        let scale = (0..<channels).map { gp[$0] * inverseStd[$0] }
        let meanBeta = dBeta.map { batchStatistics ? $0 * share : 0 }, meanGamma = dGamma.map { batchStatistics ? $0 * share : 0 }
        scale.withUnsafeBufferPointer { s in
            meanBeta.withUnsafeBufferPointer { mb in
                meanGamma.withUnsafeBufferPointer { mg in
                    l.eachInParallel { c, offset, width in
                        let (sc, bc, gc) = (s[c], mb[c], mg[c])
                        for i in offset..<(offset + width) { d[i] = sc * (g[i] - bc - h[i] * gc) }
                    } rows: { offset in
                        for c in 0..<channels { d[offset + c] = s[c] * (g[offset + c] - mb[c] - h[offset + c] * mg[c]) }
                    }
                }
            }
        }
        dx = out
    }
    func shaped(_ values: [Float], like t: Tensor) -> Tensor { try! Tensor(shape: t.shape, scalars: values) }
    return [dx, needs[1] ? shaped(dGamma, like: gamma) : nil, needs[2] ? shaped(dBeta, like: beta) : nil]
}
