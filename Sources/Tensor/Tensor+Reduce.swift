/// Reductions along one axis, or over every element.
extension Tensor {
    /// The tensor seen as [outer, n, inner] around `axis`.
    func split(at axis: Int) -> (outer: Int, n: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    func reducedShape(_ axis: Int, keepingAxis: Bool) -> [Int] {
        var s = shape
        if keepingAxis { s[axis] = 1 } else { s.remove(at: axis) }
        return s
    }

    /// Sum along `axis`.
    public func sum(axis: Int, keepingAxis: Bool = false) throws -> Tensor {
        let a = try normalize(axis: axis, rank: rank, operation: "sum")
        let (outer, n, inner) = split(at: a)
        let out = Tensor.zeros(reducedShape(a, keepingAxis: keepingAxis))
        let src = storage.pointer, dst = out.storage.pointer
        if inner == 1 {
            for o in 0..<outer { dst[o] = rowSum(src + o * n, n) }
        } else {
            for o in 0..<outer {
                let d = dst + o * inner
                for k in 0..<n {
                    let s = src + (o * n + k) * inner
                    for i in 0..<inner { d[i] += s[i] }
                }
            }
        }
        return out.recorded(.sum(axis: a, keptAxis: keepingAxis, extent: n), self)
    }

    /// Sum of every element, as a scalar.
    public func sum() -> Tensor {
        let out = Tensor(rowSum(storage.pointer, count))
        return out.recorded(.sumAll, self)
    }

    public func mean(axis: Int, keepingAxis: Bool = false) throws -> Tensor {
        let a = try normalize(axis: axis, rank: rank, operation: "mean")
        return try sum(axis: a, keepingAxis: keepingAxis) * (1 / Float(shape[a]))
    }

    public func mean() -> Tensor { sum() * (1 / Float(Swift.max(count, 1))) }

    /// Population variance (divided by n) along `axis`.
    public func variance(axis: Int, keepingAxis: Bool = false) throws -> Tensor {
        let centered = try self - mean(axis: axis, keepingAxis: true)
        return try centered.squared().mean(axis: axis, keepingAxis: keepingAxis)
    }

    public func variance() -> Tensor { (try! self - mean()).squared().mean() }

    /// Largest element along `axis`; the gradient goes to the first largest element.
    public func max(axis: Int, keepingAxis: Bool = false) throws -> Tensor {
        try extreme(axis: axis, keepingAxis: keepingAxis, largest: true)
    }

    /// Smallest element along `axis`; the gradient goes to the first smallest element.
    public func min(axis: Int, keepingAxis: Bool = false) throws -> Tensor {
        try extreme(axis: axis, keepingAxis: keepingAxis, largest: false)
    }

    public func max() -> Tensor { try! reshaped([count]).max(axis: 0) }
    public func min() -> Tensor { try! reshaped([count]).min(axis: 0) }

    /// Index of the first largest element along `axis`.
    public func argmax(axis: Int) throws -> [Int] {
        let a = try normalize(axis: axis, rank: rank, operation: "argmax")
        return positions(axis: a, largest: true)
    }

    private func extreme(axis: Int, keepingAxis: Bool, largest: Bool) throws -> Tensor {
        let a = try normalize(axis: axis, rank: rank, operation: largest ? "max" : "min")
        guard shape[a] > 0 else { throw TensorError(largest ? "max" : "min", "axis \(a) of \(describe(shape)) is empty") }
        let picks = positions(axis: a, largest: largest)
        let (_, n, inner) = split(at: a)
        let out = Tensor(uninitialized: reducedShape(a, keepingAxis: keepingAxis))
        let src = storage.pointer, dst = out.storage.pointer
        for (j, k) in picks.enumerated() {
            let o = j / inner, i = j % inner
            dst[j] = src[(o * n + k) * inner + i]
        }
        return out.recorded(.pick(axis: a, keptAxis: keepingAxis, positions: picks), self)
    }

    /// For each [outer, inner] position, the index along the axis of the extreme element.
    private func positions(axis: Int, largest: Bool) -> [Int] {
        let (outer, n, inner) = split(at: axis)
        let src = storage.pointer
        var result = [Int](repeating: 0, count: outer * inner)
        for o in 0..<outer {
            for i in 0..<inner {
                var best = 0
                var value = src[o * n * inner + i]
                for k in 1..<Swift.max(n, 1) {
                    let v = src[(o * n + k) * inner + i]
                    if largest ? v > value : v < value { value = v; best = k }
                }
                result[o * inner + i] = best
            }
        }
        return result
    }
}

/// Sum of a contiguous row with 16 independent lanes (vectorizes; fixed order, so repeatable).
func rowSum(_ p: UnsafeMutablePointer<Float>, _ n: Int) -> Float {
    var lanes = SIMD16<Float>()
    var i = 0
    let raw = UnsafeRawPointer(p)
    while i + 16 <= n {
        lanes += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
        i += 16
    }
    var total = lanes.sum()
    while i < n { total += p[i]; i += 1 }
    return total
}
