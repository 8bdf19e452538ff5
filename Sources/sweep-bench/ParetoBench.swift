import Foundation
import Search
import Tensor

/// `make bench SUITES=pareto`: hypervolume after 100 and 200 trials on ZDT1–3 and DTLZ2, 10
/// seeds, Sweep's samplers for several objectives beside Optuna's NSGA-II, TPE, GP and random
/// sampler runs recorded by `anchors/optuna/mo_bench.py` (every trial's values, so both sides are
/// scored by `Pareto.hypervolume` against the same reference point). Hypervolume is not a time:
/// a run recorded on another machine compares as well as one made now, and the seeded runs repeat.
enum ParetoBench {
    static let seeds = 10
    static let trials = 200
    static let checkpoints = [100, 200]

    static func samplers(seed: UInt64) -> [(String, any ParetoSampler)] {
        let all: [(String, any ParetoSampler)] = [
            ("nsga2", NSGA2Sampler(seed: seed)), ("gp", Scalarized(GPSampler(seed: seed))),
            ("tpe", Scalarized(TPESampler(seed: seed))), ("random", Scalarized(RandomSampler())),
        ]
        return narrowed(all, by: "SWEEP_BENCH_SAMPLERS") { $0.0 }
    }

    /// SWEEP_BENCH_FUNCTIONS=dtlz2,zdt3 narrows the run to those problems, as in the search suite.
    static var problems: [ParetoProblem] {
        narrowed(ParetoProblem.all, by: "SWEEP_BENCH_FUNCTIONS", name: \.name)
    }

    static func run() async throws {
        print("Pareto: median hypervolume [quartiles] over \(seeds) seeds (higher is better); reference ZDT (11, 11), DTLZ2 1.1³")
        let environment = ProcessInfo.processInfo.environment
        var report = Report(suite: environment["SWEEP_BENCH_SAMPLERS"] == nil && environment["SWEEP_BENCH_FUNCTIONS"] == nil ? "pareto" : "pareto-partial")
        let optuna = OptunaParetoRuns.load()
        // A run narrowed to some problems skips the latency row.
        if environment["SWEEP_BENCH_FUNCTIONS"] == nil { latency(&report) }
        // SWEEP_BENCH_PARETO=latency: the latency alone (a minute, not the hypervolume runs).
        if environment["SWEEP_BENCH_PARETO"] == "latency" { return try report.write() }
        var ahead: [Int: (won: Int, total: Int)] = [:]
        for problem in problems {
            var ours: [String: [[[Double]]]] = [:], seconds: [String: Double] = [:]
            for seed in 0..<seeds {
                for (name, sampler) in samplers(seed: UInt64(seed)) {
                    let start = ContinuousClock.now
                    ours[name, default: []].append(run(problem, sampler, seed: UInt64(seed)))
                    seconds[name, default: 0] += (ContinuousClock.now - start).seconds
                }
            }
            // Optuna's best sampler on this problem, by median hypervolume at each checkpoint.
            var best: [Int: (name: String, volumes: [Double])] = [:]
            for (name, runs) in optuna.sorted(by: { $0.key < $1.key }) {
                guard let values = runs[problem.name] else { continue }
                for n in checkpoints {
                    let volumes = values.map { volume(Array($0.prefix(n)), problem) }
                    if best[n].map({ median(volumes) > median($0.volumes) }) ?? true { best[n] = ("optuna-\(name)", volumes) }
                    report.add("\(problem.name) optuna-\(name) hypervolume @\(n)", median(volumes), "", note: spread(volumes))
                }
            }
            for (name, _) in samplers(seed: 0) {
                for n in checkpoints {
                    let volumes = ours[name]!.map { volume(Array($0.prefix(n)), problem) }
                    var note = spread(volumes)
                    if let (anchor, theirs) = best[n] {
                        note += String(format: "  win vs %@ %.2f", anchor, SearchBench.winRate(volumes.map { -$0 }, theirs.map { -$0 }))
                        if name == "nsga2" || name == "gp" || name == "tpe" {
                            // The target: Sweep's best sampler here ahead of Optuna's best.
                            note += median(volumes) > median(theirs) ? " (ahead)" : " (behind)"
                        }
                    }
                    if n == trials { note += String(format: "; %.1f ms per suggestion", seconds[name]! / Double(seeds * trials) * 1e3) }
                    report.add("\(problem.name) \(name) hypervolume @\(n)", median(volumes), "", note: note)
                }
            }
            for n in checkpoints {
                guard let theirs = best[n] else { continue }
                let top = samplers(seed: 0).map(\.0).filter { ["nsga2", "gp", "tpe"].contains($0) }
                    .map { name in median(ours[name]!.map { volume(Array($0.prefix(n)), problem) }) }.max() ?? 0
                ahead[n, default: (0, 0)].won += top > median(theirs.volumes) ? 1 : 0
                ahead[n, default: (0, 0)].total += 1
            }
        }
        for n in checkpoints {
            guard let a = ahead[n] else { continue }
            report.add("problems where Sweep's best median beats Optuna's best, @\(n)", Double(a.won), "of \(a.total)")
        }
        try report.write()
    }

    /// Suggestion latency of the scalarized GP with 1,000 finished ZDT1 trials and 32 running, as
    /// `SearchBench.latency` measures the one-objective GP: a first call, then 30 as the study
    /// goes on, 5 runs.
    static func latency(_ report: inout Report) {
        guard samplers(seed: 0).contains(where: { $0.0 == "gp" }) else { return }
        let problem = ParetoProblem.zdt1
        let studies = SearchBench.growing(finished: 1000, calls: 30) { c, n in
            let v = problem(c)
            return Trial(number: n, configuration: c, state: .completed, reports: [1: v[0]], value: v[0], stepValues: [1: v], values: v)
        } random: { g in RandomSampler().suggest(problem.space, history: [], direction: .minimize, using: &g)! }
        let (p50s, p99s, colds) = SearchBench.timed(runs: 5, studies) { sampler, history, generator in
            _ = sampler.suggest(problem.space, history: history, directions: [.minimize, .minimize], using: &generator)
        } fresh: { Scalarized(GPSampler(seed: 1)) }
        report.add("latency gp (ParEGO), 1000 finished + 32 running", SearchBench.median(p50s), "ms p50",
                   note: String(format: "p99 %.1f ms (runs %.1f–%.1f); first call (model fit) %.1f ms (ZDT1, median of 5 runs of 30 calls, one more trial finished before each)",
                                SearchBench.median(p99s), p99s.min()!, p99s.max()!, SearchBench.median(colds)))
    }

    /// Every trial's objective values, one sequential study.
    static func run(_ problem: ParetoProblem, _ sampler: any ParetoSampler, seed: UInt64) -> [[Double]] {
        let directions = Array(repeating: Direction.minimize, count: problem.objectives)
        var history: [Trial] = []
        while history.count < trials {
            var generator = SeededGenerator(seed: seed &* 1_000_003 &+ UInt64(history.count))
            let c = sampler.suggest(problem.space, history: history, directions: directions, using: &generator)
                ?? RandomSampler().suggest(problem.space, history: [], direction: .minimize, using: &generator)!
            let values = problem(c)
            history.append(Trial(number: history.count, configuration: c, state: .completed, reports: [1: values[0]], value: values[0],
                                 stepValues: [1: values], values: values))
        }
        return history.map(\.values)
    }

    static func volume(_ points: [[Double]], _ problem: ParetoProblem) -> Double {
        Pareto.hypervolume(points.filter { $0.allSatisfy(\.isFinite) }, reference: problem.reference)
    }

    static func median(_ values: [Double]) -> Double { quantile(values.sorted(), 0.5) }

    static func spread(_ values: [Double]) -> String {
        let sorted = values.sorted()
        return String(format: "[%.4g, %.4g]", quantile(sorted, 0.25), quantile(sorted, 0.75))
    }
}

/// Optuna's recorded runs of several objectives: anchors/optuna/mo_<sampler>.json, each trial's
/// values by problem and seed.
enum OptunaParetoRuns {
    static func load() -> [String: [String: [[[Double]]]]] {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../anchors/optuna").standardized.path
        var runs: [String: [String: [[[Double]]]]] = [:]
        for name in ["nsga2", "tpe", "gp", "random"] {
            guard let data = FileManager.default.contents(atPath: "\(directory)/mo_\(name).json"),
                  let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let problems = json["problems"] as? [String: [String: Any]] else { continue }
            runs[name] = problems.compactMapValues { $0["runs"] as? [[[Double]]] }
        }
        if runs.isEmpty { print("  (Optuna runs not found in \(directory): printing Sweep's figures only)") }
        return runs
    }
}
