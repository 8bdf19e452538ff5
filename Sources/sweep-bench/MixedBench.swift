import Foundation
import Config
import Search
import Tensor

/// Samplers on a mixed space as real studies have: four floats, two integers and a category
/// (Hartmann-6 with its last two coordinates on a 0.1 grid, plus an offset per category),
/// next to Optuna's GP and TPE on the same function in the same run (`scripts/optuna_mixed.py`).
/// Reported: the median best value after 30 and 60 trials, and how often a sampler suggests a
/// near-repeat of a trial it already has (same integers and category, floats within 0.01).
enum MixedBench {
    static let seeds = 10
    static let trials = 60
    static let offsets = [0.0, 0.4, 0.8]

    static let space = SearchSpace([
        Parameter("x0", .float(low: 0, high: 1, log: false, step: nil)), Parameter("x1", .float(low: 0, high: 1, log: false, step: nil)),
        Parameter("x2", .float(low: 0, high: 1, log: false, step: nil)), Parameter("x3", .float(low: 0, high: 1, log: false, step: nil)),
        Parameter("n4", .int(low: 0, high: 10, log: false, step: 1)), Parameter("n5", .int(low: 0, high: 10, log: false, step: 1)),
        Parameter("c", .choice([.string("a"), .string("b"), .string("c")])),
    ])

    static func value(_ c: Configuration) -> Double {
        func number(_ key: String) -> Double { if case let .number(v)? = c[key] { v } else { .nan } }
        let x = [number("x0"), number("x1"), number("x2"), number("x3"), number("n4") / 10, number("n5") / 10]
        let category = ["a", "b", "c"].firstIndex { c["c"] == .string($0) } ?? 0
        return TestFunction.hartmann6.evaluate(x) + offsets[category]
    }

    static func run() async throws {
        print("Mixed space (4 floats, 2 integers, 1 category): median best value over \(seeds) seeds (lower is better)")
        var report = Report(suite: "mixed")
        var ours: [String: (best: [[Double]], repeats: Double)] = [:]
        for (name, make) in [("gp", { (s: UInt64) -> any Sampler in GPSampler(seed: s) }), ("tpe", { TPESampler(seed: $0) }), ("random", { _ in RandomSampler() })] {
            var curves: [[Double]] = [], repeats = 0, asked = 0
            for seed in 0..<seeds {
                let sampler = make(UInt64(seed))
                var history: [Trial] = [], best = Double.infinity, curve: [Double] = []
                while history.count < trials {
                    var generator = SeededGenerator(seed: UInt64(seed) &* 1_000_003 &+ UInt64(history.count))
                    let c = sampler.suggest(space, history: history, direction: .minimize, using: &generator)
                        ?? RandomSampler().suggest(space, history: [], direction: .minimize, using: &generator)!
                    if history.count >= 10 { asked += 1; if history.contains(where: { near($0.configuration, c) }) { repeats += 1 } }
                    let y = value(c)
                    history.append(Trial(number: history.count, configuration: c, state: .completed, value: y))
                    best = min(best, y)
                    curve.append(best)
                }
                curves.append(curve)
            }
            ours[name] = (curves, Double(repeats) / Double(max(asked, 1)))
        }
        let theirs = optuna()
        for (name, run) in ours.sorted(by: { $0.key < $1.key }) {
            var note = String(format: "@30 %.4f  near-repeats %.0f%%", SearchBench.median(run.best.map { $0[29] }), 100 * run.repeats)
            for anchor in ["gp", "tpe"] {
                guard let other = theirs[anchor] else { continue }
                note += String(format: "  win@60 vs optuna-%@ %.2f", anchor, SearchBench.winRate(run.best.map { $0[59] }, other.map { $0[59] }))
            }
            report.add("mixed \(name) median best @60", SearchBench.median(run.best.map { $0[59] }), "", note: note)
        }
        for (anchor, curves) in theirs.sorted(by: { $0.key < $1.key }) {
            report.add("mixed optuna-\(anchor) median best @60", SearchBench.median(curves.map { $0[59] }), "",
                       note: String(format: "@30 %.4f", SearchBench.median(curves.map { $0[29] })))
        }
        try report.write()
    }

    /// The same cells and floats within 0.01: a trial that teaches the model nothing new.
    static func near(_ a: Configuration, _ b: Configuration) -> Bool {
        space.parameters.allSatisfy { p in
            if case .float = p.domain, case let .number(x)? = a[p.name], case let .number(y)? = b[p.name] { return abs(x - y) <= 0.01 }
            return a[p.name] == b[p.name]
        }
    }

    /// Optuna's GP and TPE on the same function, run now (best-so-far curves by sampler).
    static func optuna() -> [String: [[Double]]] {
        let script = FileManager.default.currentDirectoryPath + "/scripts/optuna_mixed.py"
        guard let lines = Anchor.lines(script, [String(seeds), String(trials)]), let text = lines.first(where: { $0.hasPrefix("{") }),
              let parsed = try? JSONDecoder().decode([String: [[Double]]].self, from: Data(text.utf8)) else { return [:] }
        return parsed
    }
}
