import Foundation
import Tensor

/// Small generated datasets for tests and examples.
public enum Synthetic {
    /// `classes` interleaved spiral arms in the plane, `perClass` points each.
    public static func spirals(perClass: Int, classes: Int = 2, noise: Float = 0.1, seed: UInt64) -> Dataset {
        var g = SeededGenerator(seed: seed)
        var features: [Float] = [], labels: [Int] = []
        for c in 0..<classes {
            for i in 0..<perClass {
                let r = Float(i) / Float(perClass)
                let angle = Float(c) * 2 * .pi / Float(classes) + r * 3 * .pi + noise * g.nextGaussian()
                features += [r * cos(angle), r * sin(angle)]
                labels.append(c)
            }
        }
        return try! Dataset(shape: [labels.count, 2], features: features, targets: .classes(labels, count: classes))
    }

    /// Two interleaving half circles (binary classification).
    public static func moons(count: Int, noise: Float = 0.1, seed: UInt64) -> Dataset {
        var g = SeededGenerator(seed: seed)
        var features: [Float] = [], labels: [Int] = []
        for i in 0..<count {
            let upper = i % 2 == 0
            let t = Float.pi * g.nextUnitFloat()
            let x = upper ? cos(t) : 1 - cos(t), y = upper ? sin(t) : 0.5 - sin(t)
            features += [x + noise * g.nextGaussian(), y + noise * g.nextGaussian()]
            labels.append(upper ? 0 : 1)
        }
        return try! Dataset(shape: [count, 2], features: features, targets: .classes(labels, count: 2))
    }

    /// y = slope·x + intercept + noise, x uniform in [-1, 1] (regression).
    public static func line(count: Int, slope: Float = 2, intercept: Float = 1, noise: Float = 0.05, seed: UInt64) -> Dataset {
        var g = SeededGenerator(seed: seed)
        var xs: [Float] = [], ys: [Float] = []
        for _ in 0..<count {
            let x = 2 * g.nextUnitFloat() - 1
            xs.append(x)
            ys.append(slope * x + intercept + noise * g.nextGaussian())
        }
        return try! Dataset(shape: [count, 1], features: xs, targets: .values(ys, width: 1))
    }
}
