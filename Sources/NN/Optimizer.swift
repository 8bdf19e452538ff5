import Foundation
internal import CKernels
import Tensor
import TrialSpecs

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

/// λ₁·Σ|w| + λ₂·Σw² over a model's weights (not biases or batch-norm scales), applied inside the
/// optimizer step as the gradient it adds, l1·sign(w) + 2·l2·w, like PyTorch's coupled
/// `weight_decay`: nothing is recorded on the tape for it.
public struct Penalty: Equatable, Sendable {
    public var l1: Float
    public var l2: Float
    public init(l1: Float = 0, l2: Float = 0) { self.l1 = l1; self.l2 = l2 }
    public static let none = Penalty()
}

/// Applies an `Algorithm` to a model's parameters, keeping each parameter's state.
public final class Optimizer {
    public let algorithm: Algorithm
    /// Gradient clipping: the global L2 norm over all gradients (penalty included) is scaled down to this.
    public let clipNorm: Float?
    public let penalty: Penalty
    /// The tensors the penalty applies to.
    private let penalized: Set<ObjectIdentifier>
    private var first: [[Float]] = []
    private var second: [[Float]] = []
    private var steps = 0

    public init(_ algorithm: Algorithm, clipNorm: Float? = nil, penalty: Penalty = .none, on weights: [Tensor] = []) {
        self.algorithm = algorithm
        self.clipNorm = clipNorm
        self.penalty = penalty
        penalized = Set(weights.map(ObjectIdentifier.init))
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
            let (l1, l2) = penalized.contains(ObjectIdentifier(p)) ? (penalty.l1, 2 * penalty.l2) : (0, 0)
            grad.withUnsafeBufferPointer { g in
                p.withUnsafeMutableBufferPointer { w in
                    first[index].withUnsafeMutableBufferPointer { m in
                        second[index].withUnsafeMutableBufferPointer { v in
                            // Every element's update is independent: large tensors split across threads.
                            Parallel.split(w.count, cost: 4) { r in
                                update(w.baseAddress! + r.lowerBound, g.baseAddress! + r.lowerBound, m.baseAddress! + r.lowerBound,
                                       v.baseAddress! + r.lowerBound, r.count, lr: lr, clip: scale, l1: l1, l2: l2)
                            }
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
        for p in parameters {
            let (l1, l2) = penalized.contains(ObjectIdentifier(p)) ? (Double(penalty.l1), 2 * Double(penalty.l2)) : (0, 0)
            p.grad?.withUnsafeBufferPointer { g in
                p.withUnsafeBufferPointer { w in
                    for i in g.indices {
                        let x = Double(g[i]) + l1 * Double(w[i] > 0 ? 1 : (w[i] < 0 ? -1 : 0)) + l2 * Double(w[i])
                        total += x * x
                    }
                }
            }
        }
        let norm = Float(total.squareRoot())
        return norm > clipNorm ? clipNorm / norm : 1
    }

    private func update(_ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                        _ v: UnsafeMutablePointer<Float>, _ n: Int, lr: Float, clip: Float, l1: Float, l2: Float) {
        switch algorithm {
        case let .sgd(mu, nesterov):
            if mu == 0 { sweep_sgd_step(w, g, n, lr, clip, l1, l2) } else {
                sweep_momentum_step(w, g, m, n, lr, mu, nesterov ? 1 : 0, clip, l1, l2)
            }
        case let .adagrad(eps):
            sweep_adagrad_step(w, g, m, n, lr, eps, clip, l1, l2)
        case let .adadelta(rho, eps):
            sweep_adadelta_step(w, g, m, v, n, lr, rho, eps, clip, l1, l2)
        case let .rmsprop(rho, eps):
            sweep_rmsprop_step(w, g, m, n, lr, rho, eps, clip, l1, l2)
        case let .adam(b1, b2, eps, decay):
            let c1 = 1 - Foundation.pow(b1, Float(steps)), c2 = 1 - Foundation.pow(b2, Float(steps))
            sweep_adam_step(w, g, m, v, n, b1, b2, eps, lr / c1, 1 / c2.squareRoot(), 1 - lr * decay, clip, l1, l2)
        }
    }
}

extension OptimizerSpec {
    /// The update rule the spec names, with its constants.
    public var algorithm: Algorithm {
        switch name {
        case "sgd", "momentum", "nesterov": .sgd(momentum: momentum, nesterov: nesterov)
        case "adagrad": .adagrad(epsilon: epsilon)
        case "adadelta": .adadelta(rho: rho, epsilon: epsilon)
        case "rmsprop": .rmsprop(rho: rho, epsilon: epsilon)
        case "adamw": .adam(beta1: beta1, beta2: beta2, epsilon: epsilon, decoupledDecay: weightDecay)
        default: .adam(beta1: beta1, beta2: beta2, epsilon: epsilon, decoupledDecay: 0)
        }
    }
}
