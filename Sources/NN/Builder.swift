import Tensor
import Datasets
import TrialSpecs

/// Turns a model spec into layers for inputs of `inputShape` (one example, e.g. [1, 28, 28]).
public enum Builder {
    public static func model(_ spec: ModelSpec, inputShape: [Int], outputs: Int, seed: UInt64) throws -> Sequential {
        var g = SeededGenerator(seed: seed)
        var dropoutSeed = seed &* 0x9E37_79B9 &+ 1
        func dropout(_ layers: inout [any Layer]) {
            guard spec.dropout > 0 else { return }
            layers.append(Dropout(rate: spec.dropout, seed: dropoutSeed))
            dropoutSeed &+= 1
        }
        func dense(_ width: Int, _ out: Int) -> Dense {
            Dense(width, out, weightInit: spec.weightInit, biasInit: spec.biasInit, using: &g)
        }
        /// Dense hidden layers (each with activation, optional batch norm and dropout), then the output layer.
        func head(from inputs: Int, batchNorm: Bool, into layers: inout [any Layer]) {
            var width = inputs
            for h in spec.hidden {
                layers.append(dense(width, h))
                if batchNorm { layers.append(BatchNorm(h, channels: false)) }
                layers.append(ActivationLayer(spec.activation))
                dropout(&layers)
                width = h
            }
            layers.append(dense(width, outputs))
        }
        var layers: [any Layer] = []
        switch spec.kind {
        case .mlp:
            if inputShape.count > 1 { layers.append(Flatten()) }
            head(from: inputShape.reduce(1, *), batchNorm: spec.batchNorm, into: &layers)
        case .cnn:
            let (c0, h0, w0) = try image(inputShape, spec.kind)
            var (c, h, w) = (c0, h0, w0)
            for out in spec.channels {
                layers.append(Conv2D(c, out, kernel: spec.kernel, padding: spec.padding, bias: !spec.batchNorm,
                                     weightInit: spec.weightInit, biasInit: spec.biasInit, using: &g))
                if spec.batchNorm { layers.append(BatchNorm(out, channels: true)) }
                layers.append(ActivationLayer(spec.activation))
                h = h + 2 * spec.padding - spec.kernel + 1
                w = w + 2 * spec.padding - spec.kernel + 1
                guard h >= 2, w >= 2 else {
                    throw TensorError("model", "cnn with channels \(spec.channels) and kernel \(spec.kernel) shrinks a \(h0)×\(w0) input below 2×2: use fewer conv layers or padding 1")
                }
                layers.append(MaxPool2D(kernel: 2))
                (c, h, w) = (out, h / 2, w / 2)
            }
            layers.append(Flatten())
            head(from: c * h * w, batchNorm: false, into: &layers)
        case .resnet:
            let (c0, _, _) = try image(inputShape, spec.kind)
            let first = spec.channels.first ?? 16
            layers.append(Conv2D(c0, first, kernel: 3, padding: 1, bias: false, weightInit: spec.weightInit, using: &g))
            layers.append(BatchNorm(first, channels: true))
            layers.append(ActivationLayer(spec.activation))
            var c = first
            for (stage, out) in spec.channels.enumerated() {
                for block in 0..<spec.blocks {
                    let stride = stage > 0 && block == 0 ? 2 : 1
                    layers.append(ResidualBlock(c, out, stride: stride, activation: spec.activation, weightInit: spec.weightInit, using: &g))
                    c = out
                }
            }
            layers.append(GlobalAvgPool())
            dropout(&layers)
            layers.append(dense(c, outputs))
        case .rnn:
            let features = inputShape.last ?? 1
            guard inputShape.count == 2 || (inputShape.count == 3 && inputShape[0] == 1) else {
                throw TensorError("model", "rnn reads [steps, features] or one-channel images [1, rows, cols]; got \(inputShape)")
            }
            layers.append(SimpleRNN(features, spec.units, activation: spec.activation == .relu ? .tanh : spec.activation,
                                    weightInit: spec.weightInit, biasInit: spec.biasInit, using: &g))
            dropout(&layers)
            layers.append(dense(spec.units, outputs))
        }
        return Sequential(layers)
    }

    private static func image(_ shape: [Int], _ kind: ModelSpec.Kind) throws -> (Int, Int, Int) {
        guard shape.count == 3 else {
            throw TensorError("model", "\(kind.rawValue) needs image inputs [channels, height, width]; this dataset gives \(shape)")
        }
        return (shape[0], shape[1], shape[2])
    }
}
