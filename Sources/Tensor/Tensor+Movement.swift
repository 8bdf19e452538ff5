/// Reshaping, reordering, slicing and joining.
extension Tensor {
    /// The same elements under another shape (shares storage). One extent may be -1: inferred.
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        var target = newShape
        if let free = target.firstIndex(of: -1) {
            let known = target.enumerated().filter { $0.offset != free }.map(\.element).reduce(1, *)
            guard known > 0, count % known == 0 else {
                throw TensorError("reshape", "cannot infer -1 in \(describe(newShape)) for \(describe(shape)) (\(count) elements)")
            }
            target[free] = count / known
        }
        guard target.allSatisfy({ $0 >= 0 }), target.reduce(1, *) == count else {
            throw TensorError("reshape", "\(describe(shape)) has \(count) elements; \(describe(newShape)) holds \(newShape.reduce(1, *))")
        }
        if target == shape { return self }
        return Tensor(shape: target, storage: storage).recorded(.reshape, self)
    }

    /// All axes but the first flattened: [n, a, b, …] → [n, a·b·…].
    public func flattened() throws -> Tensor {
        guard rank >= 1 else { throw TensorError("flatten", "needs rank ≥ 1, got a scalar") }
        return try reshaped([shape[0], count / Swift.max(shape[0], 1)])
    }

    /// Axes reordered: output axis i is input axis `order[i]` (a copy).
    public func permuted(_ order: [Int]) throws -> Tensor {
        guard order.sorted() == Array(0..<rank) else {
            throw TensorError("permute", "order \(order) is not a permutation of the axes of \(describe(shape))")
        }
        let outShape = order.map { shape[$0] }
        let out = Tensor(uninitialized: outShape)
        let inStrides = strides
        let readStrides = order.map { inStrides[$0] }
        stridedCopy(from: storage.pointer, readStrides: readStrides, shape: outShape, to: out.storage.pointer)
        return out.recorded(.permute(order), self)
    }

    /// The last two axes swapped (a matrix transpose for rank 2).
    public func transposed() throws -> Tensor {
        guard rank >= 2 else { throw TensorError("transpose", "needs rank ≥ 2, got \(describe(shape))") }
        var order = Array(0..<rank)
        order.swapAt(rank - 1, rank - 2)
        return try permuted(order)
    }

    /// The elements at `ranges` (one range per leading axis; missing trailing axes are whole).
    public func slice(_ ranges: [Range<Int>]) throws -> Tensor {
        guard ranges.count <= rank else { throw TensorError("slice", "\(ranges.count) ranges for \(describe(shape))") }
        var full = ranges
        for axis in ranges.count..<rank { full.append(0..<shape[axis]) }
        for (axis, r) in full.enumerated() where r.lowerBound < 0 || r.upperBound > shape[axis] {
            throw TensorError("slice", "range \(r) is outside axis \(axis) of \(describe(shape))")
        }
        let outShape = full.map(\.count)
        let out = Tensor(uninitialized: outShape)
        let s = strides
        let start = zip(full, s).map { $0.lowerBound * $1 }.reduce(0, +)
        stridedCopy(from: storage.pointer + start, readStrides: s, shape: outShape, to: out.storage.pointer)
        return out.recorded(.slice(full.map(\.lowerBound)), self)
    }

    /// Rows (entries of axis 0) picked by index, in order, repeats allowed: a mini-batch.
    public func gathered(rows indices: [Int]) throws -> Tensor {
        guard rank >= 1 else { throw TensorError("gather", "needs rank ≥ 1, got a scalar") }
        let width = count / Swift.max(shape[0], 1)
        var outShape = shape
        outShape[0] = indices.count
        let out = Tensor(uninitialized: outShape)
        for (row, index) in indices.enumerated() {
            guard index >= 0 && index < shape[0] else {
                throw TensorError("gather", "row \(index) is outside 0..<\(shape[0]) of \(describe(shape))")
            }
            (out.storage.pointer + row * width).update(from: storage.pointer + index * width, count: width)
        }
        return out.recorded(.gather(indices), self)
    }

    /// Tensors joined along an existing axis; every other extent must match.
    public static func concatenate(_ parts: [Tensor], axis: Int) throws -> Tensor {
        guard let first = parts.first else { throw TensorError("concatenate", "needs at least one tensor") }
        let a = try normalize(axis: axis, rank: first.rank, operation: "concatenate")
        for part in parts {
            var x = part.shape, y = first.shape
            guard x.count == y.count else {
                throw TensorError("concatenate", "shapes \(describe(first.shape)) and \(describe(part.shape)) differ in rank")
            }
            x[a] = 0; y[a] = 0
            guard x == y else {
                throw TensorError("concatenate", "shapes \(describe(first.shape)) and \(describe(part.shape)) differ off axis \(a)")
            }
        }
        var outShape = first.shape
        outShape[a] = parts.map { $0.shape[a] }.reduce(0, +)
        let out = Tensor(uninitialized: outShape)
        let (outer, _, inner) = first.split(at: a)
        var offset = 0
        for part in parts {
            let block = part.shape[a] * inner
            let total = outShape[a] * inner
            for o in 0..<outer {
                (out.storage.pointer + o * total + offset).update(from: part.storage.pointer + o * block, count: block)
            }
            offset += block
        }
        out.recordOp({ .concatenate(axis: a, extents: parts.map { $0.shape[a] }) }, parts)
        return out
    }

    /// Tensors of one shape joined along a new axis.
    public static func stack(_ parts: [Tensor], axis: Int = 0) throws -> Tensor {
        guard let first = parts.first else { throw TensorError("stack", "needs at least one tensor") }
        let a = try normalize(axis: axis, rank: first.rank + 1, operation: "stack")
        var expanded: [Tensor] = []
        for part in parts {
            guard part.shape == first.shape else {
                throw TensorError("stack", "shapes \(describe(first.shape)) and \(describe(part.shape)) differ")
            }
            var s = part.shape
            s.insert(1, at: a)
            expanded.append(try part.reshaped(s))
        }
        return try concatenate(expanded, axis: a)
    }
}

/// Copies the elements of `shape`, read from `source` through `readStrides` and written to
/// `target` through `writeStrides` (contiguous when nil): slicing, permuting and their inverses.
func stridedCopy(from source: UnsafeMutablePointer<Float>, readStrides: [Int], shape: [Int],
                 to target: UnsafeMutablePointer<Float>, writeStrides: [Int]? = nil) {
    let total = shape.reduce(1, *)
    guard total > 0 else { return }
    guard let width = shape.last else { target[0] = source[0]; return }
    let rank = shape.count, writes = writeStrides ?? Tensor.strides(of: shape)
    let readStep = readStrides[rank - 1], writeStep = writes[rank - 1]
    var index = [Int](repeating: 0, count: rank)
    var read = 0, write = 0, copied = 0
    while copied < total {
        let s = source + read, t = target + write
        if readStep == 1 && writeStep == 1 { t.update(from: s, count: width) } else { for i in 0..<width { t[i * writeStep] = s[i * readStep] } }
        copied += width
        var axis = rank - 2
        while axis >= 0 {
            index[axis] += 1
            read += readStrides[axis]
            write += writes[axis]
            if index[axis] < shape[axis] { break }
            read -= readStrides[axis] * shape[axis]
            write -= writes[axis] * shape[axis]
            index[axis] = 0
            axis -= 1
        }
    }
}
