/// Loops shared by the elementwise operations. The closures are inlined into each caller's
/// loop in release builds: no call per element, and contiguous loops vectorize. They stay on one
/// thread: a closure captured by a parallel part is called per element, not inlined, so the
/// kernels split across threads (`Parallel`) are written out where they are used.

@inline(__always)
func mapKernel(_ x: Tensor, _ f: (Float) -> Float) -> Tensor {
    let out = Tensor(uninitialized: x.shape)
    let src = x.storage.pointer, dst = out.storage.pointer
    for i in 0..<x.count { dst[i] = f(src[i]) }
    return out
}

@inline(__always)
func zipKernel(_ a: Tensor, _ b: Tensor, into out: Tensor, _ f: (Float, Float) -> Float) {
    let pa = a.storage.pointer, pb = b.storage.pointer, po = out.storage.pointer
    for i in 0..<out.count { po[i] = f(pa[i], pb[i]) }
}

/// `f` of two same-shaped tensors, into a new one (one pass: the derivative rules of unary ops).
@inline(__always)
func zipped(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
    let out = Tensor(uninitialized: a.shape)
    zipKernel(a, b, into: out, f)
    return out
}

/// `f` applied pairwise under NumPy broadcasting.
@inline(__always)
func broadcastKernel(_ a: Tensor, _ b: Tensor, _ operation: String, _ f: (Float, Float) -> Float) throws -> Tensor {
    let shape = try broadcastShape(a.shape, b.shape, operation: operation)
    let out = Tensor(uninitialized: shape)
    let pa = a.storage.pointer, pb = b.storage.pointer, po = out.storage.pointer
    let n = out.count
    if a.shape == b.shape {
        for i in 0..<n { po[i] = f(pa[i], pb[i]) }
        return out
    }
    if b.count == 1 {
        let s = pb[0]
        for i in 0..<n { po[i] = f(pa[i], s) }
        return out
    }
    if a.count == 1 {
        let s = pa[0]
        for i in 0..<n { po[i] = f(s, pb[i]) }
        return out
    }
    // General case: rows along the last axis, each with a contiguous or repeated operand.
    let rank = shape.count
    let sa = broadcastStrides(a.shape, to: shape), sb = broadcastStrides(b.shape, to: shape)
    let width = shape[rank - 1], ia = sa[rank - 1], ib = sb[rank - 1]
    var index = [Int](repeating: 0, count: rank)
    var offA = 0, offB = 0, offO = 0
    while offO < n {
        let ra = pa + offA, rb = pb + offB, ro = po + offO
        switch (ia, ib) {
        case (1, 1): for i in 0..<width { ro[i] = f(ra[i], rb[i]) }
        case (1, 0): let s = rb[0]; for i in 0..<width { ro[i] = f(ra[i], s) }
        case (0, 1): let s = ra[0]; for i in 0..<width { ro[i] = f(s, rb[i]) }
        default: let s = f(ra[0], rb[0]); for i in 0..<width { ro[i] = s }
        }
        offO += width
        var axis = rank - 2
        while axis >= 0 {
            index[axis] += 1
            offA += sa[axis]
            offB += sb[axis]
            if index[axis] < shape[axis] { break }
            offA -= sa[axis] * shape[axis]
            offB -= sb[axis] * shape[axis]
            index[axis] = 0
            axis -= 1
        }
    }
    return out
}
