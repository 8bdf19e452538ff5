/// Dense symmetric positive-definite algebra on row-major Double arrays, sized for a Gaussian
/// process of a few hundred points. Every inner loop is a dot product over contiguous rows, in
/// eight lanes summed in a fixed order: a GP suggestion makes about a thousand solves, and one
/// running sum (each step waiting on the last) made them two thirds of its time. Pure Swift,
/// so a suggestion has the same bits on every machine.
struct Cholesky {
    /// Lower-triangular factor L of A = L·Lᵀ, row-major n×n.
    let lower: [Double]
    /// Lᵀ, row-major: the back substitution reads its rows.
    let upper: [Double]
    let n: Int

    /// Factors `matrix` (n×n), adding `jitter` to the diagonal until it succeeds (at most 6 tries).
    init?(_ matrix: [Double], n: Int, jitter: Double = 1e-10) {
        var jitter = jitter
        for _ in 0..<6 {
            if let l = Self.factor(matrix, n: n, jitter: jitter) {
                lower = l
                var u = [Double](repeating: 0, count: n * n)
                for i in 0..<n { for j in 0...i { u[j * n + i] = l[i * n + j] } }
                upper = u
                self.n = n
                return
            }
            jitter = jitter == 0 ? 1e-10 : jitter * 100
        }
        return nil
    }

    /// Σ a[k]·b[k] for k < count, in eight lanes (two vectors of four, so each addition waits
    /// on the one two steps back).
    @inline(__always)
    static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ count: Int) -> Double {
        func load(_ p: UnsafePointer<Double>) -> SIMD4<Double> { UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Double>.self) }
        var even = SIMD4<Double>(repeating: 0), odd = SIMD4<Double>(repeating: 0)
        var k = 0
        while k + 8 <= count {
            even += load(a + k) * load(b + k)
            odd += load(a + k + 4) * load(b + k + 4)
            k += 8
        }
        if k + 4 <= count {
            even += load(a + k) * load(b + k)
            k += 4
        }
        var tail = 0.0
        while k < count { tail += a[k] * b[k]; k += 1 }
        let lanes = even + odd
        return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + tail
    }

    private static func factor(_ a: [Double], n: Int, jitter: Double) -> [Double]? {
        var l = [Double](repeating: 0, count: n * n)
        let ok = l.withUnsafeMutableBufferPointer { l -> Bool in
            a.withUnsafeBufferPointer { a -> Bool in
                let base = UnsafePointer(l.baseAddress!)
                for j in 0..<n {
                    let d = a[j * n + j] + jitter - dot(base + j * n, base + j * n, j)
                    guard d > 0 else { return false }
                    let root = d.squareRoot()
                    l[j * n + j] = root
                    for i in (j + 1)..<Swift.max(n, j + 1) {
                        l[i * n + j] = (a[i * n + j] - dot(base + i * n, base + j * n, j)) / root
                    }
                }
                return true
            }
        }
        return ok ? l : nil
    }

    /// Solves L·x = b.
    func forward(_ b: [Double]) -> [Double] {
        var x = b
        let n = n
        lower.withUnsafeBufferPointer { l in
            x.withUnsafeMutableBufferPointer { x in
                let solved = UnsafePointer(x.baseAddress!)
                for i in 0..<n {
                    x[i] = (x[i] - Self.dot(l.baseAddress! + i * n, solved, i)) / l[i * n + i]
                }
            }
        }
        return x
    }

    /// Solves Lᵀ·x = b.
    func backward(_ b: [Double]) -> [Double] {
        var x = b
        let n = n
        upper.withUnsafeBufferPointer { u in
            x.withUnsafeMutableBufferPointer { x in
                let solved = UnsafePointer(x.baseAddress!)
                for i in stride(from: n - 1, through: 0, by: -1) {
                    x[i] = (x[i] - Self.dot(u.baseAddress! + i * n + i + 1, solved + i + 1, n - i - 1)) / u[i * n + i]
                }
            }
        }
        return x
    }

    /// A⁻¹·b.
    func solve(_ b: [Double]) -> [Double] { backward(forward(b)) }

    /// A⁻¹ (for the likelihood gradient).
    func inverse() -> [Double] {
        var inv = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            var e = [Double](repeating: 0, count: n)
            e[j] = 1
            let column = solve(e)
            for i in 0..<n { inv[i * n + j] = column[i] }
        }
        return inv
    }

    /// log det A = 2 Σ log Lᵢᵢ.
    var logDeterminant: Double {
        var s = 0.0
        for i in 0..<n { s += log(lower[i * n + i]) }
        return 2 * s
    }
}

import Foundation
