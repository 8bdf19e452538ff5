import Foundation
import Search
import Tensor

/// `make bench SUITES=constrained`: the best feasible objective after 30 and 60 trials on three
/// constrained problems, 10 seeds, Sweep's GP and TPE beside Optuna's GPSampler and TPESampler
/// with `constraints_func`, recorded by `anchors/optuna/con_bench.py` (every trial's objective and
/// violation, so both sides are scored by one piece of code). A value found is not a time: a
/// recorded run compares as well as one made now, and the seeded runs repeat.
enum ConstrainedBench {
    struct Problem: Sendable {
        let name: String
        let bounds: [(low: Double, high: Double)]
        /// The objective and the violation (≤ 0 feasible).
        let evaluate: @Sendable ([Double]) -> (Double, Double)

        var space: SearchSpace {
            SearchSpace(bounds.enumerated().map { Parameter("x\($0.offset)", .float(low: $0.element.low, high: $0.element.high, log: false, step: nil)) })
        }
    }

    /// The same definitions as `con_bench.py`.
    static let problems = [
        Problem(name: "gardner", bounds: [(0, 6), (0, 6)]) { x in
            (cos(2 * x[0]) * cos(x[1]) + sin(x[0]), cos(x[0]) * cos(x[1]) - sin(x[0]) * sin(x[1]) - 0.5)
        },
        Problem(name: "branin_disc", bounds: [(-5, 10), (0, 15)]) { x in
            (TestFunction.branin.evaluate(x), (x[0] - 2.5) * (x[0] - 2.5) + (x[1] - 7.5) * (x[1] - 7.5) - 50)
        },
        Problem(name: "hartmann6_ball", bounds: Array(repeating: (0, 1), count: 6)) { x in
            (TestFunction.hartmann6.evaluate(x), x.map { $0 * $0 }.reduce(0, +).squareRoot() - 1)
        },
    ]
    static let seeds = 10, trials = 60, checkpoints = [30, 60]

    static func run() async throws {
        print("Constrained: median best feasible objective [quartiles] over \(seeds) seeds (lower is better; inf: none feasible)")
        var report = Report(suite: "constrained")
        let optuna = load()
        var ahead: [Int: (won: Int, total: Int)] = [:]
        for problem in problems {
            var ours: [String: [[(Double, Double)]]] = [:]
            for seed in 0..<seeds {
                ours["gp", default: []].append(run(problem, GPSampler(seed: UInt64(seed)), seed: UInt64(seed)))
                ours["tpe", default: []].append(run(problem, TPESampler(seed: UInt64(seed)), seed: UInt64(seed)))
                ours["random", default: []].append(run(problem, RandomSampler(), seed: UInt64(seed)))
            }
            for n in checkpoints {
                var best: (name: String, values: [Double])?
                for (name, runs) in optuna.sorted(by: { $0.key < $1.key }) {
                    guard let recorded = runs[problem.name] else { continue }
                    let values = recorded.map { found(Array($0.prefix(n))) }
                    report.add("\(problem.name) optuna-\(name) @\(n)", median(values), "", note: spread(values))
                    if best.map({ median(values) < median($0.values) }) ?? true { best = ("optuna-\(name)", values) }
                }
                for name in ["gp", "tpe", "random"] {
                    let values = ours[name]!.map { found(Array($0.prefix(n))) }
                    var note = spread(values)
                    if let best {
                        note += String(format: "  win vs %@ %.2f", best.name, SearchBench.winRate(values, best.values))
                        if name != "random" { note += median(values) < median(best.values) ? " (ahead)" : " (behind)" }
                    }
                    report.add("\(problem.name) \(name) @\(n)", median(values), "", note: note)
                }
                if let best {
                    let top = ["gp", "tpe"].map { name in median(ours[name]!.map { found(Array($0.prefix(n))) }) }.min()!
                    ahead[n, default: (0, 0)].won += top < median(best.values) ? 1 : 0
                    ahead[n, default: (0, 0)].total += 1
                }
            }
        }
        for n in checkpoints {
            guard let a = ahead[n] else { continue }
            report.add("problems where Sweep's best median beats Optuna's best, @\(n)", Double(a.won), "of \(a.total)")
        }
        try report.write()
    }

    /// Every trial's (objective, violation), one sequential study.
    static func run(_ problem: Problem, _ sampler: any Sampler, seed: UInt64) -> [(Double, Double)] {
        var history: [Trial] = [], found: [(Double, Double)] = []
        while history.count < trials {
            var generator = SeededGenerator(seed: seed &* 1_000_003 &+ UInt64(history.count))
            let c = sampler.suggest(problem.space, history: history, direction: .minimize, using: &generator)!
            let x = problem.bounds.indices.map { i in if case let .number(v)? = c["x\(i)"] { v } else { Double.nan } }
            let (value, violation) = problem.evaluate(x)
            history.append(Trial(number: history.count, configuration: c, state: .completed, reports: [1: value], value: value, violations: [violation]))
            found.append((value, violation))
        }
        return found
    }

    /// The best feasible objective among the trials (∞ when none is feasible).
    static func found(_ trials: [(Double, Double)]) -> Double {
        trials.filter { $0.1 <= 0 }.map(\.0).min() ?? .infinity
    }

    static func median(_ values: [Double]) -> Double { quantile(values.sorted(), 0.5) }

    static func spread(_ values: [Double]) -> String {
        let sorted = values.sorted()
        return String(format: "[%.4g, %.4g]", quantile(sorted, 0.25), quantile(sorted, 0.75))
    }

    /// Optuna's recorded runs: anchors/optuna/con_<sampler>.json.
    static func load() -> [String: [String: [[(Double, Double)]]]] {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../anchors/optuna").standardized.path
        var runs: [String: [String: [[(Double, Double)]]]] = [:]
        for name in ["gp", "tpe"] {
            guard let data = FileManager.default.contents(atPath: "\(directory)/con_\(name).json"),
                  let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let problems = json["problems"] as? [String: [String: Any]] else { continue }
            runs[name] = problems.compactMapValues { ($0["runs"] as? [[[Double]]])?.map { $0.map { ($0[0], $0[1]) } } }
        }
        if runs.isEmpty { print("  (Optuna runs not found in \(directory): printing Sweep's figures only)") }
        return runs
    }
}
