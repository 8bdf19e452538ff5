/// NumPy broadcasting: align shapes at the right; each pair of extents must match or be 1.
func broadcastShape(_ a: [Int], _ b: [Int], operation: String) throws -> [Int] {
    if a == b { return a }
    let rank = max(a.count, b.count)
    var result = [Int](repeating: 1, count: rank)
    for i in 0..<rank {
        let x = i < rank - a.count ? 1 : a[i - (rank - a.count)]
        let y = i < rank - b.count ? 1 : b[i - (rank - b.count)]
        guard x == y || x == 1 || y == 1 else {
            throw TensorError(operation, "shapes \(describe(a)) and \(describe(b)) do not broadcast (axis \(i): \(x) vs \(y))")
        }
        result[i] = max(x, y)
    }
    return result
}

/// Strides that read `shape` as if it had `target`'s shape: 0 along broadcast axes.
func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
    let own = Tensor.strides(of: shape)
    let pad = target.count - shape.count
    return (0..<target.count).map { i in
        i < pad || shape[i - pad] == 1 ? 0 : own[i - pad]
    }
}

/// Checks and normalizes an axis (negative counts from the end).
func normalize(axis: Int, rank: Int, operation: String) throws -> Int {
    let a = axis < 0 ? axis + rank : axis
    guard a >= 0 && a < rank else { throw TensorError(operation, "axis \(axis) is out of range for rank \(rank)") }
    return a
}
