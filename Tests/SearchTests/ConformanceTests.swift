import Foundation
import Testing
import Config
@testable import Search

/// A space with every kind of domain and a conditional parameter.
let mixedSpace = SearchSpace([
    Parameter("optimizer.lr", .float(low: 1e-5, high: 1, log: true, step: nil)),
    Parameter("model.dropout", .float(low: 0, high: 0.5, log: false, step: 0.1)),
    Parameter("batch_size", .int(low: 16, high: 256, log: true, step: 1)),
    Parameter("epochs", .int(low: 2, high: 20, log: false, step: 3)),
    Parameter("optimizer.name", .choice([.string("sgd"), .string("adam")])),
    Parameter("optimizer.momentum", .float(low: 0.5, high: 0.99, log: false, step: nil), when: Condition("optimizer.name", in: [.string("sgd")])),
    Parameter("model.batch_norm", .choice([.bool(true), .bool(false)])),
    Parameter("seed", .fixed(.number(7))),
])

/// A deterministic objective on the mixed space (lower is better).
func objective(_ c: Configuration) -> Double {
    guard case let .number(lr)? = c["optimizer.lr"] else { return .nan }
    return abs(log10(lr) + 2) + (c["optimizer.name"] == .string("adam") ? 0 : 0.5)
}

/// Runs a sampler sequentially for `count` trials, completing each with `value`.
func run(_ sampler: any Sampler, _ space: SearchSpace, count: Int, seed: UInt64, value: (Configuration) -> Double = objective) -> [Trial] {
    var history: [Trial] = []
    for n in 0..<count {
        var generator = SeededGenerator64(seed: seed &+ UInt64(n))
        guard let c = sampler.suggest(space, history: history, direction: .minimize, using: &generator) else { break }
        history.append(Trial(number: n, configuration: c, state: .completed, value: value(c)))
    }
    return history
}

/// The tests' seeded generator.
typealias SeededGenerator64 = SplitMix64

let samplers: [(String, any Sampler)] = [
    ("random", RandomSampler()),
    ("grid", GridSampler(points: 3)),
    ("sobol", SobolSampler(seed: 5)),
    ("coarse-to-fine", CoarseToFineSampler(startup: 5)),
    ("gp", GPSampler(seed: 2, startup: 6)),
    ("tpe", TPESampler(seed: 2, startup: 6)),
]

@Suite("Sampler conformance")
struct SamplerConformanceTests {
    @Test("values are in their domains, steps and log scales respected, conditions honoured", arguments: samplers.map(\.0))
    func valid(name: String) {
        let sampler = samplers.first { $0.0 == name }!.1
        for trial in run(sampler, mixedSpace, count: 60, seed: 1) {
            let c = trial.configuration
            for p in mixedSpace.parameters {
                let active = mixedSpace.isActive(p, in: c.values)
                #expect((c[p.name] != nil) == active, "\(name): \(p.name) present=\(c[p.name] != nil) active=\(active) in \(c)")
                if let v = c[p.name] { #expect(p.domain.contains(v), "\(name): \(p.name)=\(v) outside its domain") }
            }
        }
    }

    @Test("the same seed and history give the same suggestions", arguments: samplers.map(\.0))
    func deterministic(name: String) {
        let sampler = samplers.first { $0.0 == name }!.1
        let a = run(sampler, mixedSpace, count: 30, seed: 9).map(\.configuration)
        let b = run(sampler, mixedSpace, count: 30, seed: 9).map(\.configuration)
        #expect(a == b)
    }

    @Test("an empty history works, and NaN or failed trials in the history do not crash", arguments: samplers.map(\.0))
    func robust(name: String) {
        let sampler = samplers.first { $0.0 == name }!.1
        var generator = SeededGenerator64(seed: 3)
        #expect(sampler.suggest(mixedSpace, history: [], direction: .maximize, using: &generator) != nil)
        var history = run(sampler, mixedSpace, count: 12, seed: 4) { _ in .nan }
        history += run(RandomSampler(), mixedSpace, count: 6, seed: 5).map {
            Trial(number: $0.number + 100, configuration: $0.configuration, state: .failed)
        }
        history.append(Trial(number: 200, configuration: history[0].configuration, state: .running))
        #expect(sampler.suggest(mixedSpace, history: history, direction: .minimize, using: &generator) != nil || name == "grid")
    }

    @Test("log scales spread draws evenly over orders of magnitude")
    func logScale() {
        let space = SearchSpace([Parameter("lr", .float(low: 1e-6, high: 1, log: true, step: nil))])
        let values = run(RandomSampler(), space, count: 600, seed: 2).map { trial -> Double in
            guard case let .number(x)? = trial.configuration["lr"] else { return .nan }
            return log10(x)
        }
        let below = values.filter { $0 < -3 }.count
        #expect(abs(Double(below) / 600 - 0.5) < 0.07, "half the draws below 1e-3 on a log scale (got \(below)/600)")
    }

    @Test("an exhausted grid returns nil, after every combination exactly once")
    func grid() {
        let space = SearchSpace([
            Parameter("a", .choice([.string("x"), .string("y")])),
            Parameter("b", .float(low: 0, high: 1, log: false, step: nil)),
            Parameter("c", .int(low: 1, high: 2, log: false, step: 1), when: Condition("a", in: [.string("x")])),
        ])
        let sampler = GridSampler(points: 3)
        let trials = run(sampler, space, count: 100, seed: 1)
        // a = x: 3 values of b × 2 of c; a = y: 3 values of b (c inactive).
        #expect(trials.count == 9)
        #expect(Set(trials.map(\.configuration)).count == 9)
        var generator = SeededGenerator64(seed: 0)
        #expect(sampler.suggest(space, history: trials, direction: .minimize, using: &generator) == nil)
        let bs = Set(trials.compactMap { $0.configuration["b"] })
        #expect(bs == [.number(0), .number(0.5), .number(1)])
    }

    @Test("Sobol points match SciPy's unscrambled sequence")
    func sobolReference() {
        // scipy.stats.qmc.Sobol(d=4, scramble=False).random(8)
        let reference: [[Double]] = [[0, 0, 0, 0], [0.5, 0.5, 0.5, 0.5], [0.75, 0.25, 0.25, 0.25], [0.25, 0.75, 0.75, 0.75],
                                     [0.375, 0.375, 0.625, 0.875], [0.875, 0.875, 0.125, 0.375], [0.625, 0.125, 0.875, 0.625], [0.125, 0.625, 0.375, 0.125]]
        for (i, row) in reference.enumerated() {
            #expect(SobolSampler.point(i, dimensions: 4).map { Double($0) / 4_294_967_296 } == row)
        }
        // Every dimension of the table gives 2^k distinct values in each dyadic block.
        let first = (0..<64).map { SobolSampler.point($0, dimensions: SobolSampler.maximumDimensions) }
        for j in 0..<SobolSampler.maximumDimensions {
            #expect(Set(first.map { $0[j] >> 26 }).count == 64, "dimension \(j) is not a (0,6)-stratification")
        }
    }

    @Test("coarse-to-fine concentrates around the best region")
    func coarseToFine() {
        let space = SearchSpace([Parameter("x", .float(low: 0, high: 1, log: false, step: nil))])
        let value: (Configuration) -> Double = { c in
            guard case let .number(x)? = c["x"] else { return .nan }
            return abs(x - 0.3)
        }
        let refined = run(CoarseToFineSampler(startup: 10), space, count: 80, seed: 4, value: value)
        let late = refined.suffix(30).filter { ($0.value ?? 1) < 0.05 }.count
        let random = run(RandomSampler(), space, count: 80, seed: 4, value: value).suffix(30).filter { ($0.value ?? 1) < 0.05 }.count
        #expect(late > 2 * random, "late coarse-to-fine draws near the optimum: \(late) vs random \(random)")
    }
}

@Suite("No repeats")
struct NoRepeatTests {
    static let space = SearchSpace([
        Parameter("n", .int(low: 0, high: 3, log: false, step: 1)), Parameter("m", .int(low: 0, high: 3, log: false, step: 1)),
        Parameter("c", .choice([.string("a"), .string("b"), .string("c")])),
    ])

    @Test("no sampler suggests a configuration the study already has while the space has unvisited cells",
          arguments: ["random", "sobol", "gp", "tpe", "coarse_to_fine"])
    func unique(_ strategy: String) throws {
        let spec = try StudySpec(config: Config.parse(yaml: """
            {study: s, objective: {metric: loss}, runner: external, space: {n: {type: int, low: 0, high: 3}, m: {type: int, low: 0, high: 3},
             c: {values: [a, b, c]}}, strategy: {name: \(strategy)}, budget: {max_trials: 48, max_concurrent: 1}, seed: 4}
            """, source: "t"), trials: TrialRules(keys: [], metrics: nil, check: { _ in [] }))
        let engine = StudyEngine(spec: spec, start: 0)
        var seen = Set<Configuration>()
        for _ in 0..<40 {
            let c = try #require(engine.suggest(now: 0, running: 0))
            #expect(seen.insert(c).inserted, "\(strategy) repeated \(c) after \(seen.count) of 48 cells")
            let n = engine.add(c)
            func x(_ k: String) -> Double { if case let .number(v)? = c[k] { v } else { 0 } }
            engine.set(n, .completed, value: x("n") + 2 * x("m") + (c["c"] == .string("b") ? 1 : 0))
        }
    }
}
