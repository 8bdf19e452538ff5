import Foundation
import Search

/// Standard synthetic objectives for benchmarking samplers (minimize; bounds per dimension;
/// the known optimum). The same definitions as the Optuna anchor script
/// (shared/anchors/optuna/bench.py), so regrets compare directly.
struct TestFunction: Sendable {
    let name: String
    let bounds: [(low: Double, high: Double)]
    let optimum: Double
    let evaluate: @Sendable ([Double]) -> Double

    /// The search space x0…x(d−1) over the bounds.
    var space: SearchSpace {
        SearchSpace(bounds.enumerated().map { Parameter("x\($0.offset)", .float(low: $0.element.low, high: $0.element.high, log: false, step: nil)) })
    }

    func callAsFunction(_ configuration: Configuration) -> Double {
        evaluate(bounds.indices.map { i in
            if case let .number(x)? = configuration["x\(i)"] { x } else { .nan }
        })
    }

    static let all: [TestFunction] = [branin, hartmann3, hartmann6, ackley5, rosenbrock4, levy5, styblinskiTang5, hartmann6in20]

    static let branin = TestFunction(name: "branin", bounds: [(-5, 10), (0, 15)], optimum: 0.397887) { x in
        let pi = Double.pi
        let a: Double = x[1] - 5.1 / (4 * pi * pi) * x[0] * x[0] + 5 / pi * x[0] - 6
        return a * a + 10 * (1 - 1 / (8 * pi)) * cos(x[0]) + 10
    }

    static let alpha = [1.0, 1.2, 3.0, 3.2]
    static func hartmann(_ x: [Double], _ a: [[Double]], _ p: [[Double]]) -> Double {
        var total = 0.0
        for i in 0..<4 {
            var inner = 0.0
            for j in x.indices {
                let d = x[j] - p[i][j]
                inner += a[i][j] * d * d
            }
            total += alpha[i] * exp(-inner)
        }
        return -total
    }

    static let hartmann3 = TestFunction(name: "hartmann3", bounds: Array(repeating: (0, 1), count: 3), optimum: -3.86278) { x in
        hartmann(x, [[3, 10, 30], [0.1, 10, 35], [3, 10, 30], [0.1, 10, 35]],
                 [[0.3689, 0.1170, 0.2673], [0.4699, 0.4387, 0.7470], [0.1091, 0.8732, 0.5547], [0.0381, 0.5743, 0.8828]])
    }

    static let hartmann6 = TestFunction(name: "hartmann6", bounds: Array(repeating: (0, 1), count: 6), optimum: -3.32237) { x in
        hartmann(x, [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]],
                 [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886], [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
                  [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650], [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]])
    }

    /// Hartmann-6 read from 6 of 20 coordinates, the other 14 ignored: does the model learn which
    /// dimensions matter before it has the data to (no Optuna run recorded on it).
    static let active20 = [0, 3, 7, 11, 14, 18]
    static let hartmann6in20 = TestFunction(name: "hartmann6_in_20d", bounds: Array(repeating: (0, 1), count: 20), optimum: -3.32237) { x in
        hartmann6.evaluate(active20.map { x[$0] })
    }

    static let ackley5 = TestFunction(name: "ackley5", bounds: Array(repeating: (-32.768, 32.768), count: 5), optimum: 0) { x in
        let d = Double(x.count)
        var squares = 0.0, cosines = 0.0
        for v in x {
            squares += v * v
            cosines += cos(2 * Double.pi * v)
        }
        return -20 * exp(-0.2 * (squares / d).squareRoot()) - exp(cosines / d) + 20 + M_E
    }

    static let rosenbrock4 = TestFunction(name: "rosenbrock4", bounds: Array(repeating: (-5, 10), count: 4), optimum: 0) { x in
        var total = 0.0
        for i in 0..<(x.count - 1) {
            let a: Double = x[i + 1] - x[i] * x[i], b: Double = x[i] - 1
            total += 100 * a * a + b * b
        }
        return total
    }

    static let levy5 = TestFunction(name: "levy5", bounds: Array(repeating: (-10, 10), count: 5), optimum: 0) { x in
        let w: [Double] = x.map { 1 + ($0 - 1) / 4 }
        let first: Double = sin(Double.pi * w[0])
        var total: Double = first * first
        for i in 0..<(w.count - 1) {
            let s: Double = sin(Double.pi * w[i] + 1)
            total += (w[i] - 1) * (w[i] - 1) * (1 + 10 * s * s)
        }
        let last: Double = w[w.count - 1], t: Double = sin(2 * Double.pi * last)
        return total + (last - 1) * (last - 1) * (1 + t * t)
    }

    static let styblinskiTang5 = TestFunction(name: "styblinski_tang5", bounds: Array(repeating: (-5, 5), count: 5), optimum: -39.166166 * 5) { x in
        var total = 0.0
        for v in x { total += v * v * v * v - 16 * v * v + 5 * v }
        return 0.5 * total
    }
}
