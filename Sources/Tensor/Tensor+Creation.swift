extension Tensor {
    public static func zeros(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, storage: Storage(zeros: shape.reduce(1, *)))
    }

    public static func ones(_ shape: [Int]) -> Tensor { full(1, shape) }

    public static func full(_ value: Float, _ shape: [Int]) -> Tensor {
        let t = Tensor(uninitialized: shape)
        t.storage.pointer.update(repeating: value, count: t.count)
        return t
    }

    /// `start, start + step, …` below `end`, as a 1-D tensor.
    public static func arange(_ start: Float, _ end: Float, step: Float = 1) throws -> Tensor {
        guard step != 0, (end - start) / step >= 0 else {
            throw TensorError("arange", "step \(step) never gets from \(start) to \(end)")
        }
        let n = Int(((end - start) / step).rounded(.up))
        let t = Tensor(uninitialized: [n])
        for i in 0..<n { t.storage.pointer[i] = start + Float(i) * step }
        return t
    }

    /// Uniform draws in [low, high).
    public static func uniform<G: RandomNumberGenerator>(_ shape: [Int], low: Float = 0, high: Float = 1, using generator: inout G) -> Tensor {
        let t = Tensor(uninitialized: shape)
        let p = t.storage.pointer
        for i in 0..<t.count { p[i] = low + (high - low) * generator.nextUnitFloat() }
        return t
    }

    /// Normal draws with the given mean and standard deviation.
    public static func normal<G: RandomNumberGenerator>(_ shape: [Int], mean: Float = 0, std: Float = 1, using generator: inout G) -> Tensor {
        let t = Tensor(uninitialized: shape)
        let p = t.storage.pointer
        for i in 0..<t.count { p[i] = mean + std * generator.nextGaussian() }
        return t
    }

    /// Normal draws redrawn until within two standard deviations of the mean.
    public static func truncatedNormal<G: RandomNumberGenerator>(_ shape: [Int], mean: Float = 0, std: Float = 1, using generator: inout G) -> Tensor {
        let t = Tensor(uninitialized: shape)
        let p = t.storage.pointer
        for i in 0..<t.count {
            var z = generator.nextGaussian()
            while Swift.abs(z) > 2 { z = generator.nextGaussian() }
            p[i] = mean + std * z
        }
        return t
    }

    /// Rows of the identity matrix picked by `labels`: shape [labels.count, classes].
    public static func oneHot(_ labels: [Int], classes: Int) throws -> Tensor {
        let t = zeros([labels.count, classes])
        for (row, label) in labels.enumerated() {
            guard label >= 0 && label < classes else {
                throw TensorError("oneHot", "label \(label) at row \(row) is outside 0..<\(classes)")
            }
            t.storage.pointer[row * classes + label] = 1
        }
        return t
    }
}
