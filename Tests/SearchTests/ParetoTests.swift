import Foundation
import Testing
import Config
@testable import Search

/// ZDT1 (Zitzler, Deb & Thiele 2000) on x ∈ [0, 1]^n: a convex front at g = 1.
func zdt1(_ x: [Double]) -> [Double] {
    let g = 1 + 9 * x.dropFirst().reduce(0, +) / Double(x.count - 1)
    return [x[0], g * (1 - (x[0] / g).squareRoot())]
}

/// Runs a several-objective sampler for `trials` sequential trials on ZDT1 in `dimensions`.
func paretoRun(_ sampler: any ParetoSampler, trials: Int, dimensions: Int = 4, seed: UInt64 = 1) -> [Trial] {
    let space = SearchSpace((0..<dimensions).map { Parameter("x\($0)", .float(low: 0, high: 1, log: false, step: nil)) })
    var history: [Trial] = []
    for n in 0..<trials {
        var generator = SplitMix64(seed: seed &+ UInt64(n))
        let c = sampler.suggest(space, history: history, directions: [.minimize, .minimize], using: &generator)!
        let values = zdt1((0..<dimensions).map { if case let .number(v) = c["x\($0)"]! { v } else { .nan } })
        history.append(Trial(number: n, configuration: c, state: .completed, value: values[0], values: values))
    }
    return history
}

@Suite("Pareto fronts")
struct ParetoTests {
    @Test("non-dominated sorting puts each point in its front and counts who dominates it")
    func fronts() {
        let points: [[Double]] = [[1, 4], [2, 2], [4, 1], [3, 3], [4, 4], [2, 2], [5, 5]]
        #expect(Pareto.fronts(points) == [0, 0, 0, 1, 2, 0, 3], "equal points share a front")
        #expect(Pareto.dominatedCounts(points) == [0, 0, 0, 2, 5, 0, 6])
        #expect(Pareto.better(than: 3, among: points) == 4)
        #expect(Pareto.losses([0.9, 3], [.maximize, .minimize]) == [-0.9, 3])
        let crowding = Pareto.crowding([[1, 4], [2, 2], [4, 1]])
        #expect(crowding[0].isInfinite && crowding[2].isInfinite && abs(crowding[1] - 2) < 1e-12, "(4 − 1)/3 + (4 − 1)/3")
    }

    @Test("hypervolume is exact in two and three objectives, and ignores points beyond the reference")
    func hypervolume() {
        // Two boxes of 3×1 and 1×3 overlapping in 1×1: 5.
        #expect(Pareto.hypervolume([[1, 3], [3, 1], [5, 0]], reference: [4, 4]) == 5)
        #expect(Pareto.hypervolume([[1, 3], [3, 1], [2, 3.5]], reference: [4, 4]) == 5, "a dominated point adds nothing")
        // Three unit-corner boxes: inclusion–exclusion.
        let p: [[Double]] = [[0, 1, 1], [1, 0, 1], [1, 1, 0]]
        let box = { (a: [Double]) in a.map { 2 - $0 }.reduce(1, *) }
        let pair = { (a: [Double], b: [Double]) in zip(a, b).map { 2 - Swift.max($0, $1) }.reduce(1, *) }
        let exact = p.map(box).reduce(0, +) - pair(p[0], p[1]) - pair(p[0], p[2]) - pair(p[1], p[2]) + 1
        #expect(abs(Pareto.hypervolume(p, reference: [2, 2, 2]) - exact) < 1e-12)
        #expect(Pareto.hypervolume([[0.5, 0.5, 0.5]], reference: [1, 1, 1]) == 0.125)
    }

    @Test("NSGA-II repeats itself, stays in the space and finds more of ZDT1's front than random draws")
    func nsga2() {
        let space = SearchSpace([Parameter("x", .float(low: 0, high: 1, log: false, step: nil)), Parameter("k", .choice([.string("a"), .string("b")])),
                                 Parameter("n", .int(low: 1, high: 4, log: false, step: 1))])
        let history = (0..<60).map { n -> Trial in
            let c = space.configuration(at: [Double(n % 7) / 7, Double(n % 2), Double(n % 4) / 4])
            return Trial(number: n, configuration: c, state: .completed, value: Double(n % 7), values: [Double(n % 7), Double(n % 5)])
        }
        var a = SplitMix64(seed: 9), b = SplitMix64(seed: 9)
        let first = NSGA2Sampler().suggest(space, history: history, directions: [.minimize, .maximize], using: &a)
        #expect(first == NSGA2Sampler().suggest(space, history: history, directions: [.minimize, .maximize], using: &b))
        #expect(first.map { c in space.parameters.allSatisfy { p in c[p.name].map(p.domain.contains) ?? false } } == true)
        let reference: [Double] = [1.1, 11]
        func volume(_ t: [Trial]) -> Double { Pareto.hypervolume(t.map(\.values), reference: reference) }
        let nsga = volume(paretoRun(NSGA2Sampler(population: 20), trials: 120)), random = volume(paretoRun(Scalarized(RandomSampler()), trials: 120))
        #expect(nsga > random, "NSGA-II \(nsga), random \(random)")
    }

    @Test("a scalarized sampler sees the dominating trial as the best and trials without every value as failed")
    func scalarized() {
        final class Seen: Sampler, @unchecked Sendable {
            var history: [Trial] = []
            func suggest<G: RandomNumberGenerator>(_ space: SearchSpace, history: [Trial], direction: Direction, using generator: inout G) -> Configuration? {
                self.history = history
                return space.configuration(at: [0.5])
            }
        }
        let space = SearchSpace([Parameter("x", .float(low: 0, high: 1, log: false, step: nil))])
        let c = space.configuration(at: [0.5])
        let history = [Trial(number: 0, configuration: c, state: .completed, value: 0.9, values: [0.9, 10]),
                       Trial(number: 1, configuration: c, state: .completed, value: 0.8, values: [0.8, 20]),
                       Trial(number: 2, configuration: c, state: .completed, value: 0.95, values: [0.95, 5]),
                       Trial(number: 3, configuration: c, state: .completed, value: 0.7, values: [0.7, .nan]),
                       Trial(number: 4, configuration: c, state: .running)]
        for seed in 0..<5 as Range<UInt64> {
            let seen = Seen()
            var generator = SplitMix64(seed: seed)
            _ = Scalarized(seen).suggest(space, history: history, directions: [.maximize, .minimize], using: &generator)
            let values = seen.history.map(\.value)
            #expect(values[2]! < values[0]! && values[0]! < values[1]!, "trial 2 is better on both: \(values)")
            #expect(seen.history[3].state == .failed && values[3] == nil && seen.history[4].state == .running)
        }
    }

    @Test("ParEGO's weights reach the ends of a two-objective front and keep off the simplex's edges from three objectives on")
    func weights() {
        var generator = SplitMix64(seed: 5)
        let two = (0..<400).map { _ in Scalarized.weights(2, using: &generator) }
        let three = (0..<400).map { _ in Scalarized.weights(3, using: &generator) }
        #expect((two + three).allSatisfy { abs($0.reduce(0, +) - 1) < 1e-12 })
        #expect(two.contains { $0.min()! < 0.02 }, "two objectives: the uniform draw, both ends of the front aimed at")
        let floor = Scalarized.shrinkage / 3
        #expect(three.allSatisfy { $0.min()! >= floor - 1e-12 }, "no weight near 0, where a face of the space scores the same whatever its other coordinates")
        #expect(three.contains { $0.max()! > 0.6 }, "still far from equal weights: the front is spread over")
    }

    @Test("the GP under ParEGO fits once per checkpoint, whatever the weights drawn, and its suggestions depend on the history alone")
    func fitsPerCheckpoint() {
        let history = paretoRun(Scalarized(RandomSampler()), trials: 16)
        let space = SearchSpace((0..<4).map { Parameter("x\($0)", .float(low: 0, high: 1, log: false, step: nil)) })
        func suggest(_ gp: GPSampler, _ seed: UInt64) -> Configuration? {
            var generator = SplitMix64(seed: seed)
            return Scalarized(gp).suggest(space, history: history, directions: [.minimize, .minimize], using: &generator)
        }
        let used = GPSampler(seed: 3)
        let first = (0..<5 as Range<UInt64>).map { suggest(used, $0) }
        #expect(Set(first.compactMap { $0 }).count > 1, "the draws' weights differ, and so do the suggestions")
        #expect(used.fits.count == 1, "five draws, one fit")
        // A sampler that served other draws first suggests what a fresh one does (a restarted coordinator's).
        #expect(suggest(used, 4) == suggest(GPSampler(seed: 3), 4))
    }

    @Test("ASHA and the median rule rank a rung by Pareto front with several objectives")
    func stoppers() {
        func at(_ number: Int, _ step: Int, _ values: [Double], state: TrialState = .completed) -> Trial {
            Trial(number: number, configuration: Configuration(["n": .number(Double(number))]), state: state, reports: [step: values[0]],
                  value: state == .completed ? values[0] : nil, stepValues: [step: values], values: state == .completed ? values : [])
        }
        // Maximize accuracy, minimize size: the first four form the front.
        let rung = [at(0, 1, [0.9, 100]), at(1, 1, [0.8, 50]), at(2, 1, [0.7, 10]), at(3, 1, [0.95, 400]), at(4, 1, [0.6, 300])]
        let asha = ASHA(minimumResource: 1, reductionFactor: 2, directions: [.maximize, .minimize])
        let dominated = at(5, 1, [0.5, 500], state: .running), onFront = at(6, 1, [0.85, 60], state: .running)
        guard case let .stop(reason) = asha.decide(dominated, step: 1, history: rung + [dominated], direction: .maximize) else {
            Issue.record("a trial every other one dominates went on"); return
        }
        #expect(reason.rule == .asha && reason.detail.contains("Pareto front"))
        #expect(asha.decide(onFront, step: 1, history: rung + [onFront], direction: .maximize) == .continue)
        let median = MedianRule(warmup: 1, minimumTrials: 3, directions: [.maximize, .minimize])
        #expect(median.decide(onFront, step: 1, history: rung + [onFront], direction: .maximize) == .continue)
        guard case .stop = median.decide(dominated, step: 1, history: rung + [dominated], direction: .maximize) else {
            Issue.record("the median rule let a dominated trial go on"); return
        }
        // With one objective the same rules rank by the first value alone.
        #expect(ASHA(minimumResource: 1, reductionFactor: 2).decide(onFront, step: 1, history: rung + [onFront], direction: .maximize) == .continue)
    }
}
