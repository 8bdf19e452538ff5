import Foundation
import Synchronization
import Advisor
import Config
import LocalStudy
import Search
import Tensor
import TrialSpecs

/// Does "study, advise, next study" beat one study of the same total trial budget? Two
/// synthetic training problems (simulated per-epoch curves, so many seeds are cheap) and the
/// Fashion-MNIST MLP space of `examples/` (real training), each against the same spec run once
/// with the whole budget, the GP with the whole budget, and coarse-to-fine with the whole budget.
enum AdvisorBench {
    struct Problem: Sendable {
        let name: String
        let yaml: String
        let rules: TrialRules
        /// Per-epoch metrics of a configuration trained `epochs` epochs with `seed`.
        let simulate: @Sendable (Configuration, Int, UInt64) -> [Int: [String: Double]]
    }

    static func number(_ c: Configuration, _ key: String) -> Double { if case let .number(v)? = c[key] { v } else { .nan } }

    /// An MLP-like problem: the best learning rate (0.08) and width (96) lie above the first
    /// ranges, SGD is far behind, rates above 0.15 diverge, curves rise faster with the rate.
    static let mlp = Problem(name: "synthetic mlp", yaml: """
        study: synthetic-mlp
        objective: {metric: validation_accuracy, direction: maximize}
        trial: {epochs: 9}
        space:
          optimizer.lr: {type: float, low: 1e-4, high: 0.03, log: true}
          model.width: {type: int, low: 8, high: 48, log: true}
          optimizer.name: {type: choice, values: [sgd, adam, rmsprop]}
        strategy: {name: tpe}
        budget: {max_trials: 40}
        stopper: {name: asha, min_resource: 1, reduction_factor: 3}
        """, rules: TrialRules(keys: ["optimizer.lr", "model.width", "optimizer.name", "epochs", "model.dropout", "l2", "model.hidden"],
                              metrics: ["validation_accuracy", "train_accuracy"], defaults: ["epochs": .number(9)], check: { _ in [] })) { c, epochs, seed in
        var g = SeededGenerator(seed: seed)
        let lr = number(c, "optimizer.lr"), width = number(c, "model.width")
        let penalty = c["optimizer.name"] == .string("sgd") ? 0.08 : c["optimizer.name"] == .string("rmsprop") ? 0.01 : 0
        let final = 0.92 - 0.04 * pow(log10(lr / 0.08), 2) - 0.01 * pow(log2(width / 96), 2) - penalty
        let rate = min(2, 0.6 * pow(lr / 0.01, 0.25))
        var curve: [Int: [String: Double]] = [:]
        for e in 1...epochs {
            if lr > 0.15, e >= 2 { curve[e] = ["validation_accuracy": .nan, "train_accuracy": .nan]; break }
            let noise = Double.random(in: -0.003...0.003, using: &g)
            let valid = final - (final - 0.5) * exp(-Double(e) * rate) + noise
            curve[e] = ["validation_accuracy": valid, "train_accuracy": valid + 0.01]
        }
        return curve
    }

    /// A loss whose good region is a small part of a 4-D box: coarse to fine pays.
    static let narrow = Problem(name: "synthetic narrow", yaml: """
        study: synthetic-narrow
        objective: {metric: validation_loss, direction: minimize}
        trial: {epochs: 6}
        space:
          x0: {low: 0, high: 1}
          x1: {low: 0, high: 1}
          x2: {low: 0, high: 1}
          x3: {low: 0, high: 1}
        strategy: {name: tpe}
        budget: {max_trials: 40}
        stopper: {name: asha, min_resource: 1, reduction_factor: 3}
        """, rules: TrialRules(keys: ["x0", "x1", "x2", "x3", "epochs", "model.dropout", "l2"], metrics: ["validation_loss", "train_loss"],
                              defaults: ["epochs": .number(6)], check: { _ in [] })) { c, epochs, seed in
        var g = SeededGenerator(seed: seed)
        let centre = [0.21, 0.73, 0.45, 0.12], weight = [1.0, 1.0, 0.5, 0.25]
        let final = 0.05 + 2 * (0..<4).map { i in weight[i] * pow(number(c, "x\(i)") - centre[i], 2) }.reduce(0, +)
        var curve: [Int: [String: Double]] = [:]
        for e in 1...epochs {
            let valid = final + exp(-Double(e) / 0.5) * 0.5 + Double.random(in: 0...0.002, using: &g)
            curve[e] = ["validation_loss": valid, "train_loss": valid * 0.97]
        }
        return curve
    }

    /// One study on simulated trials, one at a time: what the advisor reads.
    static func study(_ spec: StudySpec, warm: [Trial], _ problem: Problem) -> [Observed] {
        let engine = StudyEngine(spec: spec, start: 0, warm: warm)
        var observed: [Observed] = []
        while let configuration = engine.suggest(now: 0, running: 0) {
            let n = engine.add(configuration)
            engine.set(n, .running)
            let full = problem.simulate(configuration, engine.epochs(n) ?? 9, engine.seed(n))
            var curve: [Int: [String: Double]] = [:], state = TrialState.completed, reason: StopReason?, value: Double?
            for e in full.keys.sorted() {
                curve[e] = full[e]
                let y = full[e]![spec.metric]!
                value = y
                if case let .stop(why) = engine.report(n, epoch: e, value: y) {
                    (state, reason) = (why.rule.state, why)
                    break
                }
            }
            if state == .completed, full.count < (engine.epochs(n) ?? 9) { (state, value) = (.diverged, nil) }
            engine.set(n, state, value: value.flatMap { $0.isFinite ? $0 : nil }, reason: reason)
            observed.append(Observed(number: n, state: state, values: configuration.values, value: value.flatMap { $0.isFinite ? $0 : nil },
                                     curve: curve, reason: reason))
        }
        return observed
    }

    /// Finished trials of round 1 that fit round 2's space, with the objective by epoch, as the
    /// coordinator's warm start takes them.
    static func warm(_ trials: [Observed], _ spec: StudySpec) -> [Trial] {
        trials.filter { [.completed, .pruned, .diverged].contains($0.state) }.compactMap { (t: Observed) -> Trial? in
            guard let (configuration, _) = try? spec.space.configuration(given: t.values, allowOutside: false, path: "") else { return nil }
            return Trial(number: 0, configuration: configuration, state: t.state, reports: t.curve.compactMapValues { $0[spec.metric] }, value: t.value)
        }.enumerated().map { i, t in Trial(number: -2 - i, configuration: t.configuration, state: t.state, reports: t.reports, value: t.value) }
    }

    static func best(_ trials: [Observed], _ direction: Direction) -> Double {
        trials.filter { $0.state == .completed }.compactMap(\.value).min { direction.loss($0) < direction.loss($1) } ?? .nan
    }

    /// The arms on one problem and seed: (advised in two rounds, the spec once, GP, coarse to fine), and what round 2 changed.
    static func arms(_ config: Config, seed: Int, rules: TrialRules, run: (StudySpec, [Trial]) throws -> [Observed]) throws -> ([String: Double], [Rule]) {
        var base = config.setting("seed", to: .number(Double(seed)))
        let budget = try StudySpec(config: base, trials: rules).budget.maxTrials
        let spec = try StudySpec(config: base, trials: rules)
        var result: [String: Double] = [:]
        // Two rounds of half the budget each.
        base = base.setting("budget.max_trials", to: .number(Double(budget / 2)))
        let first = try run(try StudySpec(config: base, trials: rules), [])
        let advice = Advisor(spec: try StudySpec(config: base, trials: rules), trials: first).advise()
        let written = advice.next(spec: base, study: "round-1")
        let next = try StudySpec(config: written.config, trials: rules)
        let second = try run(next, warm(first, next))
        // SWEEP_BENCH_ADVISOR_SHOW=SEED prints that seed's next spec and both rounds' best trials (diagnosis).
        if ProcessInfo.processInfo.environment["SWEEP_BENCH_ADVISOR_SHOW"] == String(seed) {
            print(written.yaml)
            for (round, trials) in [(1, first), (2, second)] {
                for t in trials.filter({ $0.value != nil }).sorted(by: { spec.direction.loss($0.value!) < spec.direction.loss($1.value!) }).prefix(5) {
                    print("  round \(round) trial \(t.number) \(t.state.rawValue) \(t.value!) \(t.values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.json)" }.joined(separator: " "))")
                }
            }
            fflush(nil)
        }
        result["advised"] = best(first + second, spec.direction)
        result["one study"] = best(try run(spec, []), spec.direction)
        for (arm, strategy) in [("gp", "gp"), ("coarse_to_fine", "coarse_to_fine")] {
            let alt = try StudySpec(config: config.setting("seed", to: .number(Double(seed))).setting("strategy", to: .object(["name": .string(strategy)])), trials: rules)
            result[arm] = best(try run(alt, []), spec.direction)
        }
        return (result, advice.findings.map(\.rule))
    }

    typealias Runner = @Sendable (StudySpec, [Trial]) throws -> [Observed]

    /// The arms of seeds first..<first + count, as many seeds at once as there are cores: a trial
    /// trains on one thread and a seed's studies run one trial at a time, so its figures do not
    /// depend on what runs beside it.
    static func everySeed(_ count: Int, from first: Int, _ config: Config, rules: TrialRules, run: @escaping Runner) throws -> [([String: Double], [Rule])] {
        let results = Mutex([Result<([String: Double], [Rule]), any Error>?](repeating: nil, count: count))
        let next = Atomic(0), done = DispatchSemaphore(value: 0)
        // Threads, not concurrentPerform: called from a task, that ran every iteration on one thread.
        let threads = max(1, min(count, ProcessInfo.processInfo.activeProcessorCount))
        for _ in 0..<threads {
            Thread {
                while case let i = next.add(1, ordering: .relaxed).oldValue, i < count {
                    let result = Result { try arms(config, seed: first + i, rules: rules, run: run) }
                    results.withLock { $0[i] = result }
                }
                done.signal()
            }.start()
        }
        for _ in 0..<threads { done.wait() }
        return try results.withLock { $0 }.map { try $0!.get() }
    }

    static func run() async throws {
        var report = Report(suite: "advisor")
        let seeds = Int(ProcessInfo.processInfo.environment["SWEEP_BENCH_ADVISOR_SEEDS"] ?? "") ?? 40
        // SWEEP_BENCH_ADVISOR_FIRST_SEED=10: seeds 10, 11, … — a check on seeds no change was chosen on.
        let first = Int(ProcessInfo.processInfo.environment["SWEEP_BENCH_ADVISOR_FIRST_SEED"] ?? "") ?? 0
        // SWEEP_BENCH_ADVISOR_VERBOSE=1 prints every seed's arms and round 1's findings.
        let verbose = ProcessInfo.processInfo.environment["SWEEP_BENCH_ADVISOR_VERBOSE"] == "1"
        var problems: [(String, Config, TrialRules, Direction, Int, Runner)] = []
        for p in [mlp, narrow] {
            let config = try Config.parse(yaml: p.yaml, source: p.name)
            problems.append((p.name, config, p.rules, try StudySpec(config: config, trials: p.rules).direction, seeds, { spec, warm in study(spec, warm: warm, p) }))
        }
        let validation = Double(ProcessInfo.processInfo.environment["SWEEP_BENCH_ADVISOR_FASHION_VALIDATION"] ?? "") ?? 6000
        if ProcessInfo.processInfo.environment["SWEEP_BENCH_ADVISOR_FASHION"] != "0" {
            let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples/fashion-mnist-mlp.yaml").path
            // 10,800 training examples: each arm of each seed trains its 24 trials in a few minutes.
            // 6,000 validation examples (SWEEP_BENCH_ADVISOR_FASHION_VALIDATION; 1,200 until
            // 2026-12-06): the arms are compared by their best validation accuracy, whose sampling
            // error on 1,200 examples (±0.01) was as large as any gap between them.
            let config = try Config.load(path: path).setting("budget.max_trials", to: .number(24)).setting("budget.max_concurrent", to: .number(1))
                .setting("trial.data.limit", to: .number(10800 + validation)).setting("trial.data.validation_fraction", to: .number(validation / (10800 + validation)))
            let fashionSeeds = Int(ProcessInfo.processInfo.environment["SWEEP_BENCH_ADVISOR_FASHION_SEEDS"] ?? "") ?? 20
            problems.append(("fashion-mnist", config, TrialSpec.rules, .maximize, fashionSeeds, fashion))
        }
        print("problems: synthetic mlp (lr, width, optimizer; the best lr and width above the first ranges, sgd far behind; 40 trials), "
              + "synthetic narrow (a small good region of a 4-D box; 40 trials), fashion-mnist (examples/fashion-mnist-mlp.yaml, 10,800 training and \(Int(validation)) validation examples, 24 trials)")
        print("Advisor: best objective after two rounds (study, advise, next study; half the trials each) against one study of the whole budget")
        for (name, config, rules, direction, count, runner) in problems {
            var arms: [String: [Double]] = [:], rules2: [Rule: Int] = [:]
            let sign = direction == .maximize ? -1.0 : 1.0
            let order = ["advised", "one study", "gp", "coarse_to_fine"]
            for (i, (values, found)) in try everySeed(count, from: first, config, rules: rules, run: runner).enumerated() {
                for (arm, v) in values { arms[arm, default: []].append(direction.loss(v)) }
                for r in found { rules2[r, default: 0] += 1 }
                if verbose {
                    print("    seed \(first + i): " + order.map { String(format: "%@ %.4f", $0, values[$0]!) }.joined(separator: ", ")
                          + "; round 1 found: " + found.map(\.rawValue).joined(separator: " "))
                    fflush(nil)
                }
            }
            print("  \(name), \(count) seeds from \(first); round 1 found: \(rules2.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) ×\($0.value)" }.joined(separator: ", "))")
            for arm in order {
                let values = arms[arm]!.map { sign * $0 }.sorted()
                let median = SearchBench.median(values)
                var line = "    " + arm.padding(toLength: 15, withPad: " ", startingAt: 0) + String(format: " median %.4f  min %.4f  max %.4f", median, values.first!, values.last!)
                if arm != "advised" {
                    // Arms of one seed share its data split (Fashion-MNIST's validation examples), so
                    // the paired comparison is free of the split's noise; P over all pairs is not.
                    let paired = zip(arms["advised"]!, arms[arm]!)
                    let won = paired.map { $0 < $1 ? 1.0 : $0 == $1 ? 0.5 : 0 }.reduce(0, +)
                    let gain = SearchBench.median(paired.map { $1 - $0 }.sorted())
                    line += String(format: "  P(advised better) %.2f; paired: better on %g of %d seeds, median gain %+.4f",
                                   SearchBench.winRate(arms["advised"]!, arms[arm]!), won, count, gain)
                }
                print(line)
                report.record("\(name): \(arm) median best", median, "", note: line.trimmingCharacters(in: .whitespaces))
            }
        }
        try importance(&report)
        try report.write()
    }

    /// Parameter importance (PED-ANOVA) over 10,000 trials of 8 parameters: the median of 5 timings.
    static func importance(_ report: inout Report) throws {
        let space = SearchSpace((0..<8).map { Parameter("x\($0)", .float(low: 0, high: 1, log: false, step: nil)) })
        var g = SeededGenerator(seed: 9)
        let trials = (0..<10_000).map { i in
            let c = space.configuration(at: (0..<8).map { _ in Double.random(in: 0..<1, using: &g) })
            return Trial(number: i, configuration: c, state: .completed, value: (0..<8).map { k in Double(8 - k) * number(c, "x\(k)") }.reduce(0, +))
        }
        var times: [Double] = []
        for _ in 0..<5 {
            let clock = ContinuousClock(), start = clock.now
            _ = Importance.of(space, trials: trials, direction: .minimize)
            times.append((clock.now - start).seconds)
        }
        times.sort()
        report.add("importance, 10,000 trials × 8 parameters", times[2] * 1000, "ms", note: String(format: "min %.1f max %.1f ms (5 runs)", times[0] * 1000, times[4] * 1000))
    }

    /// The Fashion-MNIST MLP study, trained for real here (one trial at a time).
    static func fashion(_ spec: StudySpec, _ warm: [Trial]) throws -> [Observed] {
        let local = LocalStudy(spec: spec, parallel: 1, warm: warm)
        let curves = Curves()
        local.run(onEpoch: { n, e, m in curves.add(n, e, m) })
        return local.trials.map { t in
            Observed(number: t.number, state: t.state, values: t.configuration.values, value: t.value, curve: curves.of(t.number), reason: t.reason)
        }
    }

    final class Curves: @unchecked Sendable {
        private let lock = NSLock()
        private var curves: [Int: [Int: [String: Double]]] = [:]
        func add(_ n: Int, _ e: Int, _ m: [String: Double]) { lock.withLock { curves[n, default: [:]][e] = m } }
        func of(_ n: Int) -> [Int: [String: Double]] { lock.withLock { curves[n] ?? [:] } }
    }
}
