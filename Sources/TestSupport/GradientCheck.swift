import Foundation
import Tensor

/// Finite-difference gradient check (central differences, loss accumulated in Double).
///
/// The loss is Σ f(inputs) ⊙ R for a fixed random R, so every output element matters. Returns
/// the worst disagreement between backward() and the numeric gradient over every input element,
/// as |analytic − numeric| / max(1, |numeric|), with where it happened.
public func gradientCheck(
    _ inputs: [Tensor], step: Float = 1e-2, seed: UInt64 = 7,
    _ f: ([Tensor]) throws -> Tensor
) throws -> (worst: Float, detail: String) {
    for input in inputs { input.requiresGrad = true; input.zeroGrad() }
    let output = try f(inputs)
    var generator = SeededGenerator(seed: seed)
    let weights = Tensor.uniform(output.shape, low: -1, high: 1, using: &generator)
    try (output * weights).sum().backward()

    func loss() throws -> Double {
        let out = try Tensor.withoutGradients { try f(inputs) }
        return zip(out.scalars, weights.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }
    var worst: Float = 0
    var detail = "no elements"
    for (i, input) in inputs.enumerated() {
        let analytic = input.grad?.scalars ?? [Float](repeating: 0, count: input.count)
        for j in 0..<input.count {
            let original = input.withUnsafeBufferPointer { $0[j] }
            input.withUnsafeMutableBufferPointer { $0[j] = original + step }
            let plus = try loss()
            input.withUnsafeMutableBufferPointer { $0[j] = original - step }
            let minus = try loss()
            input.withUnsafeMutableBufferPointer { $0[j] = original }
            let numeric = Float((plus - minus) / (2 * Double(step)))
            let error = abs(analytic[j] - numeric) / max(1, abs(numeric))
            if error > worst || detail == "no elements" {
                worst = max(worst, error)
                detail = "input \(i) element \(j): analytic \(analytic[j]), numeric \(numeric)"
            }
        }
    }
    return (worst, detail)
}

/// Uniform values in [low, high) kept at least `gap` away from zero (for kinks at 0).
public func sample(_ shape: [Int], seed: UInt64, low: Float = -2, high: Float = 2, gap: Float = 0) -> Tensor {
    var generator = SeededGenerator(seed: seed)
    let t = Tensor.uniform(shape, low: low, high: high, using: &generator)
    guard gap > 0 else { return t }
    t.withUnsafeMutableBufferPointer { buffer in
        for i in buffer.indices where abs(buffer[i]) < gap { buffer[i] = buffer[i] < 0 ? -gap - abs(buffer[i]) : gap + buffer[i] }
    }
    return t
}

/// The values 0.1·k for k in 0..<count, shuffled: no two within 0.1 of each other.
public func distinctSample(_ shape: [Int], seed: UInt64) throws -> Tensor {
    var generator = SeededGenerator(seed: seed)
    let count = shape.reduce(1, *)
    let values = (0..<count).map { Float($0) * 0.1 - Float(count) * 0.05 }.shuffled(using: &generator)
    return try Tensor(shape: shape, scalars: values)
}
