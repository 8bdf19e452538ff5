import Foundation

/// Numerically stable softmax family along one axis (the maximum is subtracted first).
extension Tensor {
    public func softmax(axis: Int = -1) throws -> Tensor {
        let a = try normalize(axis: axis, rank: rank, operation: "softmax")
        let out = normalized(axis: a, log: false)
        return out.recorded(.softmax(axis: a), self)
    }

    public func logSoftmax(axis: Int = -1) throws -> Tensor {
        let a = try normalize(axis: axis, rank: rank, operation: "logSoftmax")
        let out = normalized(axis: a, log: true)
        return out.recorded(.logSoftmax(axis: a), self)
    }

    /// log Σ exp(x) along `axis` (the axis is removed unless kept).
    public func logSumExp(axis: Int = -1, keepingAxis: Bool = false) throws -> Tensor {
        let a = try normalize(axis: axis, rank: rank, operation: "logSumExp")
        let (outer, n, inner) = split(at: a)
        let out = Tensor(uninitialized: reducedShape(a, keepingAxis: keepingAxis))
        let x = storage.pointer, y = out.storage.pointer
        for o in 0..<outer { for i in 0..<inner {
            let base = x + o * n * inner + i
            var m = -Float.infinity
            for k in 0..<n { m = Swift.max(m, base[k * inner]) }
            var s: Float = 0
            for k in 0..<n { s += Foundation.exp(base[k * inner] - m) }
            y[o * inner + i] = m + Foundation.log(s)
        } }
        return out.recorded(.logSumExp(axis: a, keptAxis: keepingAxis), self)
    }

    private func normalized(axis: Int, log: Bool) -> Tensor {
        let (outer, n, inner) = split(at: axis)
        let out = Tensor(uninitialized: shape)
        let x = storage.pointer, y = out.storage.pointer
        for o in 0..<outer { for i in 0..<inner {
            let src = x + o * n * inner + i, dst = y + o * n * inner + i
            var m = -Float.infinity
            for k in 0..<n { m = Swift.max(m, src[k * inner]) }
            var s: Float = 0
            for k in 0..<n {
                let e = Foundation.exp(src[k * inner] - m)
                dst[k * inner] = e
                s += e
            }
            if log {
                let shift = m + Foundation.log(s)
                for k in 0..<n { dst[k * inner] = src[k * inner] - shift }
            } else {
                let scale = 1 / s
                for k in 0..<n { dst[k * inner] *= scale }
            }
        } }
        return out
    }
}
