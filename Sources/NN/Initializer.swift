import Foundation
import Tensor
import TrialSpecs

extension Initializer {
    public func make<G: RandomNumberGenerator>(_ shape: [Int], fanIn: Int, fanOut: Int, using generator: inout G) -> Tensor {
        let fi = Float(Swift.max(fanIn, 1)), fo = Float(Swift.max(fanOut, 1))
        switch self {
        case .zeros: return Tensor.zeros(shape)
        case .constant(let v): return Tensor.full(v, shape)
        case let .normal(mean, std): return Tensor.normal(shape, mean: mean, std: std, using: &generator)
        case let .uniform(low, high): return Tensor.uniform(shape, low: low, high: high, using: &generator)
        case .glorotUniform:
            let limit = (6 / (fi + fo)).squareRoot()
            return Tensor.uniform(shape, low: -limit, high: limit, using: &generator)
        case .glorotNormal: return Tensor.normal(shape, std: (2 / (fi + fo)).squareRoot(), using: &generator)
        case .heUniform:
            let limit = (6 / fi).squareRoot()
            return Tensor.uniform(shape, low: -limit, high: limit, using: &generator)
        case .heNormal: return Tensor.normal(shape, std: (2 / fi).squareRoot(), using: &generator)
        case .lecunNormal: return Tensor.normal(shape, std: (1 / fi).squareRoot(), using: &generator)
        }
    }
}
