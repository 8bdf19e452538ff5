import Foundation
import Search

/// Standard test problems of several objectives (all minimized, every variable in [0, 1]): ZDT1–3
/// (two objectives; convex, concave and disconnected fronts) and DTLZ2 (three, a spherical
/// front). The same definitions as `anchors/optuna/mo_bench.py`, so Optuna's recorded runs and
/// Sweep's are scored by one hypervolume against one reference point.
struct ParetoProblem: Sendable {
    let name: String
    let variables: Int
    let objectives: Int
    /// BoTorch's reference points: (11, 11) for ZDT, 1.1 on every axis for DTLZ2.
    let reference: [Double]
    let evaluate: @Sendable ([Double]) -> [Double]

    var space: SearchSpace {
        SearchSpace((0..<variables).map { Parameter("x\($0)", .float(low: 0, high: 1, log: false, step: nil)) })
    }

    func callAsFunction(_ configuration: Configuration) -> [Double] {
        evaluate((0..<variables).map { i in if case let .number(x)? = configuration["x\(i)"] { x } else { .nan } })
    }

    static let all = [zdt1, zdt2, zdt3, dtlz2]

    static func g(_ x: [Double]) -> Double { 1 + 9 * x.dropFirst().reduce(0, +) / Double(x.count - 1) }

    static let zdt1 = ParetoProblem(name: "zdt1", variables: 10, objectives: 2, reference: [11, 11]) { x in
        let g = g(x)
        return [x[0], g * (1 - (x[0] / g).squareRoot())]
    }

    static let zdt2 = ParetoProblem(name: "zdt2", variables: 10, objectives: 2, reference: [11, 11]) { x in
        let g = g(x)
        return [x[0], g * (1 - (x[0] / g) * (x[0] / g))]
    }

    static let zdt3 = ParetoProblem(name: "zdt3", variables: 10, objectives: 2, reference: [11, 11]) { x in
        let g = g(x)
        return [x[0], g * (1 - (x[0] / g).squareRoot() - x[0] / g * sin(10 * .pi * x[0]))]
    }

    static let dtlz2 = ParetoProblem(name: "dtlz2", variables: 8, objectives: 3, reference: [1.1, 1.1, 1.1]) { x in
        let m = 3
        let g = x[(m - 1)...].reduce(0) { $0 + ($1 - 0.5) * ($1 - 0.5) }
        return (0..<m).map { i in
            var v = 1 + g
            for j in 0..<(m - 1 - i) { v *= cos(x[j] * .pi / 2) }
            if i > 0 { v *= sin(x[m - 1 - i] * .pi / 2) }
            return v
        }
    }
}
