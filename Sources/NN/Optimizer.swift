import Foundation
import Tensor

/// The update rules. Each is a per-parameter step with explicit state.
public enum Algorithm: Equatable, Sendable {
    /// Stochastic gradient descent; with momentum μ: v ← μv + g, w ← w − lr·v; Nesterov
    /// (Sutskever et al. 2013): w ← w − lr·(g + μv).
    case sgd(momentum: Float, nesterov: Bool)
    /// Duchi et al. 2011: G ← G + g², w ← w − lr·g/(√G + ε).
    case adagrad(epsilon: Float)
    /// Zeiler 2012: E[g²] ← ρE[g²] + (1−ρ)g², Δ = √(E[Δ²]+ε)/√(E[g²]+ε)·g,
    /// E[Δ²] ← ρE[Δ²] + (1−ρ)Δ², w ← w − lr·Δ.
    case adadelta(rho: Float, epsilon: Float)
    /// Hinton's lecture 6e: E[g²] ← ρE[g²] + (1−ρ)g², w ← w − lr·g/(√E[g²] + ε).
    case rmsprop(rho: Float, epsilon: Float)
    /// Kingma & Ba 2015, with bias correction; `decoupledDecay` > 0 is AdamW (Loshchilov &
    /// Hutter 2019): w ← w − lr·λ·w before the Adam step.
    case adam(beta1: Float, beta2: Float, epsilon: Float, decoupledDecay: Float)
}

/// Applies an `Algorithm` to a model's parameters, keeping each parameter's state.
public final class Optimizer {
    public let algorithm: Algorithm
    /// Gradient clipping: the global L2 norm over all gradients is scaled down to this.
    public let clipNorm: Float?
    private var first: [[Float]] = []
    private var second: [[Float]] = []
    private var steps = 0

    public init(_ algorithm: Algorithm, clipNorm: Float? = nil) {
        self.algorithm = algorithm
        self.clipNorm = clipNorm
    }

    /// One update of every parameter that has a gradient; clears the gradients.
    public func step(_ parameters: [Tensor], learningRate lr: Float) {
        if first.count != parameters.count {
            first = parameters.map { [Float](repeating: 0, count: $0.count) }
            second = parameters.map { [Float](repeating: 0, count: $0.count) }
        }
        steps += 1
        let scale = clipScale(parameters)
        for (index, p) in parameters.enumerated() {
            guard let grad = p.grad else { continue }
            grad.withUnsafeBufferPointer { g in
                p.withUnsafeMutableBufferPointer { w in
                    first[index].withUnsafeMutableBufferPointer { m in
                        second[index].withUnsafeMutableBufferPointer { v in
                            update(w, g, m, v, lr: lr, clip: scale)
                        }
                    }
                }
            }
            p.zeroGrad()
        }
    }

    private func clipScale(_ parameters: [Tensor]) -> Float {
        guard let clipNorm else { return 1 }
        var total: Double = 0
        for p in parameters { p.grad?.withUnsafeBufferPointer { for x in $0 { total += Double(x) * Double(x) } } }
        let norm = Float(total.squareRoot())
        return norm > clipNorm ? clipNorm / norm : 1
    }

    private func update(_ w: UnsafeMutableBufferPointer<Float>, _ g: UnsafeBufferPointer<Float>,
                        _ m: UnsafeMutableBufferPointer<Float>, _ v: UnsafeMutableBufferPointer<Float>, lr: Float, clip: Float) {
        let n = w.count
        switch algorithm {
        case let .sgd(mu, nesterov):
            if mu == 0 {
                for i in 0..<n { w[i] -= lr * clip * g[i] }
            } else {
                for i in 0..<n {
                    let gi = clip * g[i]
                    m[i] = mu * m[i] + gi
                    w[i] -= lr * (nesterov ? gi + mu * m[i] : m[i])
                }
            }
        case let .adagrad(eps):
            for i in 0..<n {
                let gi = clip * g[i]
                m[i] += gi * gi
                w[i] -= lr * gi / (m[i].squareRoot() + eps)
            }
        case let .adadelta(rho, eps):
            for i in 0..<n {
                let gi = clip * g[i]
                m[i] = rho * m[i] + (1 - rho) * gi * gi
                let delta = ((v[i] + eps).squareRoot() / (m[i] + eps).squareRoot()) * gi
                v[i] = rho * v[i] + (1 - rho) * delta * delta
                w[i] -= lr * delta
            }
        case let .rmsprop(rho, eps):
            for i in 0..<n {
                let gi = clip * g[i]
                m[i] = rho * m[i] + (1 - rho) * gi * gi
                w[i] -= lr * gi / (m[i].squareRoot() + eps)
            }
        case let .adam(b1, b2, eps, decay):
            let c1 = 1 - Foundation.pow(b1, Float(steps)), c2 = 1 - Foundation.pow(b2, Float(steps))
            adamStep(w.baseAddress!, g.baseAddress!, m.baseAddress!, v.baseAddress!, n,
                     b1: b1, b2: b2, eps: eps, stepSize: lr / c1, root: c2.squareRoot(), shrink: 1 - lr * decay, clip: clip)
        }
    }
}

/// The Adam update, eight lanes at a time (the scalar loop is bound by divide and square-root
/// latency, and Adam runs over every parameter each step).
@inline(never)
func adamStep(_ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>,
              _ n: Int, b1: Float, b2: Float, eps: Float, stepSize: Float, root: Float, shrink: Float, clip: Float) {
    typealias V = SIMD8<Float>
    let rw = UnsafeMutableRawPointer(w), rg = UnsafeRawPointer(g), rm = UnsafeMutableRawPointer(m), rv = UnsafeMutableRawPointer(v)
    let inverseRoot = 1 / root
    var i = 0
    while i + 8 <= n {
        let o = i * 4
        let gi = rg.loadUnaligned(fromByteOffset: o, as: V.self) * clip
        let mi = rm.loadUnaligned(fromByteOffset: o, as: V.self) * b1 + gi * (1 - b1)
        let vi = rv.loadUnaligned(fromByteOffset: o, as: V.self) * b2 + gi * gi * (1 - b2)
        let wi = rw.loadUnaligned(fromByteOffset: o, as: V.self) * shrink
        rm.storeBytes(of: mi, toByteOffset: o, as: V.self)
        rv.storeBytes(of: vi, toByteOffset: o, as: V.self)
        rw.storeBytes(of: wi - stepSize * mi / (vi.squareRoot() * inverseRoot + eps), toByteOffset: o, as: V.self)
        i += 8
    }
    while i < n {
        let gi = clip * g[i]
        m[i] = b1 * m[i] + (1 - b1) * gi
        v[i] = b2 * v[i] + (1 - b2) * gi * gi
        w[i] = w[i] * shrink - stepSize * m[i] / (v[i].squareRoot() * inverseRoot + eps)
        i += 1
    }
}
