import Foundation

/// Elementwise functions.
extension Tensor {
    public func exp() -> Tensor { vectorExp(self).recorded(.exp, self) }
    public func log() -> Tensor { mapKernel(self) { Foundation.log($0) }.recorded(.log, self) }
    public func sqrt() -> Tensor { mapKernel(self) { $0.squareRoot() }.recorded(.sqrt, self) }
    public func abs() -> Tensor { mapKernel(self) { Swift.abs($0) }.recorded(.abs, self) }
    /// -1, 0 or 1 (gradient zero).
    public func sign() -> Tensor { mapKernel(self) { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }.recorded(.sign, self) }
    public func tanh() -> Tensor { vectorTanh(self).recorded(.tanh, self) }
    public func squared() -> Tensor { mapKernel(self) { $0 * $0 }.recorded(.square, self) }

    /// Small integer exponents are products (no `powf` per element), others go through `pow`.
    public func pow(_ exponent: Float) -> Tensor {
        let out: Tensor = switch exponent {
        case 0: mapKernel(self) { _ in 1 }
        case 1: mapKernel(self) { $0 }
        case 2: mapKernel(self) { $0 * $0 }
        case 3: mapKernel(self) { $0 * $0 * $0 }
        case -1: mapKernel(self) { 1 / $0 }
        case -2: mapKernel(self) { 1 / ($0 * $0) }
        default: mapKernel(self) { Foundation.pow($0, exponent) }
        }
        return out.recorded(.pow(exponent), self)
    }

    /// 1 / (1 + e^-x), computed without overflow for large |x|.
    public func sigmoid() -> Tensor { vectorSigmoid(self).recorded(.sigmoid, self) }

    public func relu() -> Tensor { rectified(self, by: self, slope: 0).recorded(.relu, self) }

    public func leakyRelu(alpha: Float = 0.01) -> Tensor {
        rectified(self, by: self, slope: alpha).recorded(.leakyRelu(alpha), self)
    }

    /// log(1 + e^x), stable for large |x|.
    public func softplus() -> Tensor {
        mapKernel(self) { x in Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x))) }.recorded(.softplus, self)
    }

    /// Limits every element to [low, high]; the gradient passes only where no limit applied.
    public func clamped(_ low: Float, _ high: Float) -> Tensor {
        mapKernel(self) { Swift.min(Swift.max($0, low), high) }.recorded(.clamp(low, high), self)
    }
}
