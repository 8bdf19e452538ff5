/// Limited-memory BFGS ascent with a backtracking (Armijo) line search and box bounds by
/// clamping: for the GP's hyperparameters. It converges where a fixed number of Adam steps did
/// not, in fewer likelihood evaluations.
enum LBFGS {
    /// Maximizes `f` (value and gradient; nil where undefined) from `start`, within [low, high]
    /// per coordinate. Returns the best point seen and its value.
    static func maximize(_ f: ([Double]) -> (Double, [Double])?, from start: [Double], low: [Double], high: [Double],
                         iterations: Int = 100, memory: Int = 8) -> ([Double], Double)? {
        func clamp(_ v: [Double]) -> [Double] { v.indices.map { Swift.min(Swift.max(v[$0], low[$0]), high[$0]) } }
        var x = clamp(start)
        guard var (value, gradient) = f(x) else { return nil }
        var s: [[Double]] = [], y: [[Double]] = []
        func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
        for _ in 0..<iterations {
            // Two-loop recursion: direction ≈ H·g (ascent).
            var q = gradient
            var alphas: [Double] = []
            for i in stride(from: s.count - 1, through: 0, by: -1) {
                let rho = 1 / dot(y[i], s[i])
                let a = rho * dot(s[i], q)
                alphas.append(a)
                q = zip(q, y[i]).map { $0 - a * $1 }
            }
            if let last = s.indices.last {
                let gamma = dot(s[last], y[last]) / dot(y[last], y[last])
                q = q.map { $0 * gamma }
            } else {
                let norm = dot(gradient, gradient).squareRoot()
                guard norm > 0 else { break }
                q = q.map { $0 / norm * 0.1 }
            }
            for (k, i) in s.indices.enumerated() {
                let rho = 1 / dot(y[i], s[i])
                let b = rho * dot(y[i], q)
                q = zip(q, s[i]).map { $0 + (alphas[alphas.count - 1 - k] - b) * $1 }
            }
            var direction = q
            if dot(direction, gradient) <= 0 { direction = gradient.map { $0 * 0.1 / Swift.max(dot(gradient, gradient).squareRoot(), 1e-12) } ; s = []; y = [] }
            // Backtracking line search.
            var step = 1.0, accepted: ([Double], Double, [Double])?
            for _ in 0..<20 {
                let candidate = clamp(zip(x, direction).map { $0 + step * $1 })
                if let (v, g) = f(candidate), v.isFinite, v >= value + 1e-4 * step * dot(gradient, direction) {
                    accepted = (candidate, v, g)
                    break
                }
                step *= 0.5
            }
            guard let (next, nextValue, nextGradient) = accepted else { break }
            let sk = zip(next, x).map { $0 - $1 }
            let yk = zip(gradient, nextGradient).map { $0 - $1 }  // ascent: curvature of −f
            if dot(sk, yk) > 1e-10 {
                s.append(sk)
                y.append(yk)
                if s.count > memory { s.removeFirst(); y.removeFirst() }
            }
            let improvement = nextValue - value
            (x, value, gradient) = (next, nextValue, nextGradient)
            if improvement < 1e-9 * Swift.max(1, Swift.abs(value)) { break }
        }
        return (x, value)
    }
}
