import Tensor

/// Whether a forward pass trains (batch statistics, dropout) or evaluates.
public enum Mode: Sendable { case training, evaluation }

/// A piece of a model: a function of its input with trainable parameters.
public protocol Layer: AnyObject {
    func forward(_ x: Tensor, mode: Mode) throws -> Tensor
    /// Trainable tensors, in a fixed order.
    var parameters: [Tensor] { get }
    /// State that is not trained but belongs to the model (batch norm's running statistics).
    var buffers: [Tensor] { get }
    /// The parameters L1/L2 penalties apply to: weight matrices and kernels, not biases or
    /// batch-norm scales.
    var weights: [Tensor] { get }
}

extension Layer {
    public var parameters: [Tensor] { [] }
    public var buffers: [Tensor] { [] }
    public var weights: [Tensor] { [] }
}

/// Layers applied in order.
public final class Sequential: Layer {
    public let layers: [any Layer]

    public init(_ layers: [any Layer]) { self.layers = layers }

    public func forward(_ x: Tensor, mode: Mode) throws -> Tensor {
        var h = x
        for layer in layers { h = try layer.forward(h, mode: mode) }
        return h
    }

    public var parameters: [Tensor] { layers.flatMap(\.parameters) }
    public var buffers: [Tensor] { layers.flatMap(\.buffers) }
    public var weights: [Tensor] { layers.flatMap(\.weights) }

    /// Number of trainable scalars.
    public var parameterCount: Int { parameters.map(\.count).reduce(0, +) }
}

/// A copy of a model's parameters and buffers, to restore the best weights.
public struct Snapshot {
    let values: [[Float]]

    public init(of model: any Layer) {
        values = (model.parameters + model.buffers).map(\.scalars)
    }

    public func restore(into model: any Layer) {
        for (tensor, saved) in zip(model.parameters + model.buffers, values) {
            tensor.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: saved) }
        }
    }
}
