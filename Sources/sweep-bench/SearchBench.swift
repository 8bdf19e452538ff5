import Foundation
import Search
import Tensor

/// Sampler quality on synthetic functions (median simple regret over seeds, sequential and with
/// 8 trials in flight) next to Optuna 5.0's recorded runs, and suggestion latency.
enum SearchBench {
    static let seeds = 20
    static let trials = 100
    static let checkpoints = [25, 50, 100]

    static func samplers(seed: UInt64) -> [(String, any Sampler)] {
        let all: [(String, any Sampler)] = [("random", RandomSampler()), ("sobol", SobolSampler(seed: seed)), ("coarse_to_fine", CoarseToFineSampler())]
            + extraSamplers(seed: seed)
        // SWEEP_BENCH_SAMPLERS=gp,tpe narrows the run (while tuning a sampler), and can name samplers run only when named.
        guard ProcessInfo.processInfo.environment["SWEEP_BENCH_SAMPLERS"] != nil else { return all }
        return narrowed(all + namedSamplers(seed: seed), by: "SWEEP_BENCH_SAMPLERS") { $0.0 }
    }

    /// How trials are in flight: one at a time; in synchronous batches (ask k, then tell them,
    /// as Optuna's recorded batched runs do); or asynchronously, as a cluster runs them (k running,
    /// the oldest finishes and a new one is asked with the other k − 1 still running).
    enum Flight: Equatable {
        case sequential, batches(Int), asynchronous(Int)

        /// "1", "8" (batches of 8), "a8" (8 asynchronously).
        init?(_ token: Substring) {
            if token.hasPrefix("a"), let k = Int(token.dropFirst()), k > 1 { self = .asynchronous(k) }
            else if let k = Int(token), k >= 1 { self = k == 1 ? .sequential : .batches(k) }
            else { return nil }
        }

        var size: Int { switch self { case .sequential: 1; case let .batches(k), let .asynchronous(k): k } }
        /// The report's name: b1, b8, a8.
        var label: String { if case let .asynchronous(k) = self { "a\(k)" } else { "b\(size)" } }
        var title: String {
            switch self {
            case .sequential: "sequential"
            case let .batches(k): "\(k) trials in flight (ask \(k), then tell them)"
            case let .asynchronous(k): "\(k) trials in flight asynchronously (the oldest finishes, a new one is asked)"
            }
        }
        /// Optuna's recorded runs to compare with (synchronous only).
        var anchors: [String] {
            switch self {
            case .sequential: ["gp", "tpe"]
            case let .batches(k): ["gp_b\(k)", "tpe_b\(k)"]
            case .asynchronous: []
            }
        }
    }

    /// SWEEP_BENCH_BATCHES=1 runs only the sequential part; `a8` is 8 in flight asynchronously.
    static var flights: [Flight] {
        ProcessInfo.processInfo.environment["SWEEP_BENCH_BATCHES"]?.split(separator: ",").compactMap(Flight.init)
            ?? [.sequential, .batches(8), .batches(32), .asynchronous(8), .asynchronous(32)]
    }

    /// SWEEP_BENCH_FUNCTIONS=hartmann6,branin narrows the run to those functions.
    static var functions: [TestFunction] {
        narrowed(TestFunction.all, by: "SWEEP_BENCH_FUNCTIONS", name: \.name)
    }

    static func run() async throws {
        print("Search: median simple regret (quartiles) over \(seeds) seeds")
        let environment = ProcessInfo.processInfo.environment
        let whole = environment["SWEEP_BENCH_SAMPLERS"] == nil && environment["SWEEP_BENCH_FUNCTIONS"] == nil
        var report = Report(suite: whole ? "search" : "search-partial")
        let optuna = OptunaRuns.load()
        var sequential: [String: [String: [Double]]] = [:]   // function → sampler → regret at 100, one per seed
        for flight in flights {
            print("  " + flight.title)
            var wins: [String: (won: Int, total: Int)] = [:]
            for function in functions {
                var ours: [String: [[Double]]] = [:]
                for seed in 0..<seeds {
                    for (name, sampler) in samplers(seed: UInt64(seed)) {
                        ours[name, default: []].append(regretCurve(function, sampler, seed: UInt64(seed), flight: flight))
                    }
                }
                for (name, _) in samplers(seed: 0) {
                    let curves = ours[name]!
                    let cells = checkpoints.map { summary(curves.map { $0[$0.count >= $0.count ? $0.count - 1 : 0] }, at: $0, curves) }
                    var note = cells.joined(separator: "  ")
                    if flight == .sequential { sequential[function.name, default: [:]][name] = curves.map { $0[trials - 1] } }
                    if flight != .sequential, let alone = sequential[function.name]?[name] {
                        let p = winRate(curves.map { $0[trials - 1] }, alone)
                        note += String(format: "  win@100 vs sequential %.2f", p)
                        let key = "\(name) \(flight.label) vs sequential (win ≥ 0.4)"
                        wins[key, default: (0, 0)].won += p >= 0.4 ? 1 : 0
                        wins[key, default: (0, 0)].total += 1
                    }
                    // Sequential runs are compared at 50 trials; batched ones at 100 (at 50, 32 in flight have had one guided batch).
                    let at = flight == .sequential ? 50 : trials
                    for anchor in flight.anchors {
                        guard let theirs = optuna[anchor]?[function.name] else { continue }
                        let p = winRate(curves.map { $0[at - 1] }, theirs.map { $0[at - 1] })
                        note += String(format: "  win@%d vs optuna-%@ %.2f", at, anchor, p)
                        if name == "gp" || name == "tpe" { wins["\(name) vs \(anchor)", default: (0, 0)].won += p > 0.5 ? 1 : 0; wins["\(name) vs \(anchor)", default: (0, 0)].total += 1 }
                    }
                    report.add("\(function.name) \(name) \(flight.label) median regret @50", median(curves.map { $0[49] }), "", note: note)
                }
                for anchor in flight == .sequential ? ["gp", "tpe", "random"] : flight.anchors {
                    guard let theirs = optuna[anchor]?[function.name] else { continue }
                    let note = checkpoints.map { summary([], at: $0, theirs) }.joined(separator: "  ")
                    report.add("\(function.name) optuna-\(anchor) median regret @50", median(theirs.map { $0[49] }), "", note: note)
                }
            }
            for (pair, w) in wins.sorted(by: { $0.key < $1.key }) {
                report.add("functions won (\(pair)), \(flight.label)", Double(w.won), "of \(w.total)")
            }
        }
        if whole { try latency(&report) }
        try report.write()
    }

    /// Best-so-far regret after each trial. Up to `flight.size` trials run at once; they take
    /// equal time, so synchronous batches finish together, and asynchronously the oldest running
    /// trial finishes and its worker asks for a new one with the others still running.
    static func regretCurve(_ f: TestFunction, _ sampler: any Sampler, seed: UInt64, flight: Flight) -> [Double] {
        var history: [Trial] = [], running: [Trial] = [], curve: [Double] = [], best = Double.infinity
        while history.count < trials {
            while running.count < flight.size, history.count + running.count < trials {
                let n = history.count + running.count
                var generator = SeededGenerator(seed: seed &* 1_000_003 &+ UInt64(n))
                let c = sampler.suggest(f.space, history: history + running, direction: .minimize, using: &generator)
                    ?? RandomSampler().suggest(f.space, history: [], direction: .minimize, using: &generator)!
                running.append(Trial(number: n, configuration: c, state: .running))
            }
            let finishing = if case .asynchronous = flight { 1 } else { running.count }
            for var t in running.prefix(finishing) {
                let y = f(t.configuration)
                (t.state, t.value, t.reports) = (.completed, y, [1: y])
                history.append(t)
                best = min(best, y)
                curve.append(max(best - f.optimum, 0))
            }
            running.removeFirst(finishing)
        }
        return curve
    }

    static func median(_ values: [Double]) -> Double { quantile(values.sorted(), 0.5) }

    static func summary(_ unused: [Double], at n: Int, _ curves: [[Double]]) -> String {
        let values = curves.map { $0[min(n, $0.count) - 1] }.sorted()
        return String(format: "@%d %.3g [%.3g, %.3g]", n, quantile(values, 0.5), quantile(values, 0.25), quantile(values, 0.75))
    }

    /// P(ours < theirs) over all seed pairs, ties counting half.
    static func winRate(_ ours: [Double], _ theirs: [Double]) -> Double {
        var score = 0.0
        for a in ours { for b in theirs { score += a < b ? 1 : (a == b ? 0.5 : 0) } }
        return score / Double(ours.count * theirs.count)
    }

    /// `make bench SUITES=latency`: suggestion latency alone (a minute, not the regret runs).
    static func latencyOnly() async throws {
        var report = Report(suite: "latency")
        try latency(&report)
        try report.write()
    }

    /// Suggestion latency with many finished and 32 running trials (Hartmann6): a first call
    /// (which fits hyperparameters: a fresh sampler, as after a coordinator restart), then 30
    /// calls as the study goes on, one more trial finished before each (and one more started),
    /// so the calls cross a checkpoint as a live study does; `runs` times over with a fresh
    /// sampler. The figures are the medians of the runs' p50 and p99, with the p99s' range (this
    /// machine's spread).
    static func latency(_ report: inout Report, runs: Int = 5) throws {
        print("  suggestion latency, Hartmann6, 32 running; median of \(runs) runs of 30 calls, one more trial finished before each (p99 range over the runs)")
        let f = TestFunction.hartmann6
        for (name, _) in samplers(seed: 1) {
            for finished in [100, 500, 1000] {
                let studies = growing(finished: finished, calls: 30) { c, n in
                    Trial(number: n, configuration: c, state: .completed, reports: [1: f(c)], value: f(c))
                } random: { g in RandomSampler().suggest(f.space, history: [], direction: .minimize, using: &g)! }
                let (p50s, p99s, colds) = timed(runs: runs, studies) { sampler, history, generator in
                    _ = sampler.suggest(f.space, history: history, direction: .minimize, using: &generator)
                } fresh: { samplers(seed: 1).first { $0.0 == name }!.1 }
                report.add("latency \(name), \(finished) finished + 32 running", median(p50s), "ms p50",
                           note: String(format: "p99 %.3f ms (runs %.3f–%.3f); first call (model fit) %.1f ms", median(p99s), p99s.min()!, p99s.max()!, median(colds)))
            }
        }
    }

    /// The histories a latency run asks with: `finished` completed and 32 running trials, then
    /// `calls` more, each with the oldest running trial finished and a new one started.
    static func growing(finished: Int, calls: Int, _ complete: (Configuration, Int) -> Trial,
                        random: (inout SeededGenerator) -> Configuration) -> [[Trial]] {
        var g = SeededGenerator(seed: 3)
        let configurations = (0..<(finished + 32 + calls)).map { _ in random(&g) }
        let done = configurations.enumerated().map { complete($1, $0) }
        return (0...calls).map { k in
            (0..<(finished + k + 32)).map { n in n < finished + k ? done[n] : Trial(number: n, configuration: configurations[n], state: .running) }
        }
    }

    /// Times `ask` on `studies` (the first untimed for p50/p99: it is the fresh sampler's fit),
    /// `runs` times with a fresh sampler: each run's p50 and p99 in ms, and the first calls.
    static func timed<S>(runs: Int, _ studies: [[Trial]], _ ask: (S, [Trial], inout SeededGenerator) -> Void,
                         fresh: () -> S) -> (p50s: [Double], p99s: [Double], colds: [Double]) {
        var p50s: [Double] = [], p99s: [Double] = [], colds: [Double] = []
        let clock = ContinuousClock()
        for _ in 0..<runs {
            let sampler = fresh()
            var times: [Double] = []
            for (k, history) in studies.enumerated() {
                var generator = SeededGenerator(seed: UInt64(k))
                let start = clock.now
                ask(sampler, history, &generator)
                let ms = (clock.now - start).seconds * 1e3
                if k == 0 { colds.append(ms) } else { times.append(ms) }
            }
            times.sort()
            p50s.append(quantile(times, 0.5))
            p99s.append(quantile(times, 0.99))
        }
        return (p50s, p99s, colds)
    }
}

/// Optuna 5.0's recorded regret curves: shared/anchors/optuna/res_*.json, and the runs this
/// repository recorded with the same script (anchors/optuna: 32 in flight, and the GP with
/// 8 in flight on all seven functions), which take precedence.
enum OptunaRuns {
    static func load() -> [String: [String: [[Double]]]] {
        let shared = ProcessInfo.processInfo.environment["ANCHORS_DIR"].map { $0 + "/optuna" }
            ?? ((FileManager.default.currentDirectoryPath as NSString).deletingLastPathComponent + "/shared/anchors/optuna")
        let ours = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../anchors/optuna").standardized.path
        var runs: [String: [String: [[Double]]]] = [:]
        for name in ["gp", "tpe", "random", "gp_b8", "tpe_b8", "gp_b32", "tpe_b32"] {
            for directory in [ours, shared] {
                guard let data = FileManager.default.contents(atPath: "\(directory)/res_\(name).json"),
                      let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                      let results = json["results"] as? [String: [[String: Any]]] else { continue }
                runs[name] = results.mapValues { $0.compactMap { $0["regret"] as? [Double] } }
                break
            }
        }
        if runs.isEmpty { print("  (Optuna runs not found in \(shared) or \(ours): printing Sweep's figures only)") }
        return runs
    }
}
