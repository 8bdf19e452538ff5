/// Dense symmetric positive-definite algebra on row-major Double arrays, sized for a Gaussian
/// process of a few hundred points.
struct Cholesky {
    /// Lower-triangular factor L of A = L·Lᵀ, row-major n×n.
    let lower: [Double]
    let n: Int

    /// Factors `matrix` (n×n), adding `jitter` to the diagonal until it succeeds (at most 6 tries).
    init?(_ matrix: [Double], n: Int, jitter: Double = 1e-10) {
        var jitter = jitter
        for _ in 0..<6 {
            if let l = Self.factor(matrix, n: n, jitter: jitter) {
                lower = l
                self.n = n
                return
            }
            jitter = jitter == 0 ? 1e-10 : jitter * 100
        }
        return nil
    }

    private static func factor(_ a: [Double], n: Int, jitter: Double) -> [Double]? {
        var l = [Double](repeating: 0, count: n * n)
        l.withUnsafeMutableBufferPointer { l in
            a.withUnsafeBufferPointer { a in
                for j in 0..<n {
                    var d = a[j * n + j] + jitter
                    for k in 0..<j { d -= l[j * n + k] * l[j * n + k] }
                    guard d > 0 else { l[0] = .nan; return }
                    let root = d.squareRoot()
                    l[j * n + j] = root
                    for i in (j + 1)..<Swift.max(n, j + 1) {
                        var s = a[i * n + j]
                        for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                        l[i * n + j] = s / root
                    }
                }
            }
        }
        return l[0].isNaN ? nil : l
    }

    /// Solves L·x = b.
    func forward(_ b: [Double]) -> [Double] {
        var x = b
        lower.withUnsafeBufferPointer { l in
            for i in 0..<n {
                var s = x[i]
                for k in 0..<i { s -= l[i * n + k] * x[k] }
                x[i] = s / l[i * n + i]
            }
        }
        return x
    }

    /// Solves Lᵀ·x = b.
    func backward(_ b: [Double]) -> [Double] {
        var x = b
        lower.withUnsafeBufferPointer { l in
            for i in stride(from: n - 1, through: 0, by: -1) {
                var s = x[i]
                for k in (i + 1)..<Swift.max(n, i + 1) { s -= l[k * n + i] * x[k] }
                x[i] = s / l[i * n + i]
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
