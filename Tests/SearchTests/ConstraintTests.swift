import Testing
import Config
@testable import Search

/// Minimize (x − 0.2)² + (y − 0.2)² subject to x + y ≥ 1: the unconstrained optimum is
/// infeasible, the constrained one is (0.5, 0.5) with loss 0.18.
@Suite("Constraints")
struct ConstraintTests {
    struct Run {
        let feasibleShare: Double
        let best: Double?
    }

    /// `trials` suggestions of `strategy` on the problem, told the bound or not; the share of
    /// the last half that kept it, and the best feasible loss.
    func run(_ strategy: String, constrained: Bool, trials: Int = 30, seed: Int = 1, objectives: String = "{metric: loss}") throws -> Run {
        let spec = try StudySpec(config: Config.parse(yaml: """
            {study: s, objective: \(objectives), runner: external, space: {x: {low: 0, high: 1}, y: {low: 0, high: 1}},
             constraints: \(constrained ? "[{metric: sum, min: 1}]" : "[]"),
             strategy: {name: \(strategy)}, budget: {max_trials: \(trials), max_concurrent: 1}, seed: \(seed)}
            """, source: "t"), trials: TrialRules(keys: [], metrics: nil, check: { _ in [] }))
        let engine = StudyEngine(spec: spec, start: 0)
        var feasible: [Bool] = [], best: Double?
        for _ in 0..<trials {
            let c = try #require(engine.suggest(now: 0, running: 0))
            let n = engine.add(c)
            func v(_ k: String) -> Double { if case let .number(v)? = c[k] { v } else { .nan } }
            let loss = (v("x") - 0.2) * (v("x") - 0.2) + (v("y") - 0.2) * (v("y") - 0.2)
            let metrics = ["loss": loss, "size": v("x"), "sum": v("x") + v("y")]
            let (value, values, violations) = engine.finals(n, metrics)
            engine.set(n, .completed, value: value, values: values, violations: violations)
            let ok = v("x") + v("y") >= 1
            feasible.append(ok)
            if ok { best = min(best ?? .infinity, loss) }
        }
        let late = feasible.suffix(trials / 2)
        return Run(feasibleShare: Double(late.count { $0 }) / Double(late.count), best: best)
    }

    @Test("the GP weighs improvement by the chance of feasibility: it searches along the bound, where the unconstrained GP chases the infeasible optimum")
    func gaussianProcess() throws {
        let told = try run("gp", constrained: true), blind = try run("gp", constrained: false)
        #expect(told.feasibleShare >= 0.6, "\(told.feasibleShare) of the late suggestions kept the bound")
        #expect(blind.feasibleShare <= 0.3, "the problem is a real test: unconstrained, \(blind.feasibleShare) kept it")
        #expect(try #require(told.best) < 0.2, "the best feasible loss \(told.best!) is near the constrained optimum 0.18")
    }

    @Test("TPE ranks infeasible trials after feasible ones, so it samples where the bound holds")
    func parzen() throws {
        let told = try run("tpe", constrained: true, trials: 60), blind = try run("tpe", constrained: false, trials: 60)
        #expect(told.feasibleShare > blind.feasibleShare + 0.2, "told \(told.feasibleShare), blind \(blind.feasibleShare)")
    }

    @Test("NSGA-II's constrained domination keeps feasible parents, on two objectives")
    func nsga2() throws {
        let two = "[{metric: loss}, {metric: size, direction: maximize}]"
        let told = try run("nsga2", constrained: true, trials: 120, objectives: two)
        let blind = try run("nsga2", constrained: false, trials: 120, objectives: two)
        #expect(told.feasibleShare > blind.feasibleShare + 0.2, "told \(told.feasibleShare), blind \(blind.feasibleShare)")
    }

    @Test("the best trial, the front and the standings leave infeasible trials out, however good")
    func bestIsFeasible() throws {
        let spec = try StudySpec(config: Config.parse(yaml: """
            {study: s, objective: [{metric: loss}, {metric: size}], runner: external, space: {x: {low: 0, high: 1}},
             constraints: [{metric: size, max: 5}], strategy: {name: random}}
            """, source: "t"), trials: TrialRules(keys: [], metrics: nil, check: { _ in [] }))
        let engine = StudyEngine(spec: spec, start: 0)
        for (loss, size) in [(0.1, 9.0), (0.5, 2.0), (0.3, 4.0), (0.9, 1.0)] {
            let n = engine.add(Configuration(["x": .number(loss)]))
            let (value, values, violations) = engine.finals(n, ["loss": loss, "size": size])
            engine.set(n, .completed, value: value, values: values, violations: violations)
        }
        #expect(engine.trials.map(\.feasible) == [false, true, true, true])
        #expect(engine.best()?.number == 2, "trial 0 has the lowest loss and is over the bound")
        #expect(engine.standings()[0] == nil && engine.standings().keys.sorted() == [1, 2, 3])
        #expect(StudyEngine.front(engine.trials, spec.objectives).map(\.number) == [1, 2, 3])
        // A trial that never reported the constrained metric is not feasible.
        let n = engine.add(Configuration(["x": .number(0.01)]))
        let (value, values, violations) = engine.finals(n, ["loss": 0.01])
        engine.set(n, .completed, value: value, values: values, violations: violations)
        #expect(violations.count == 1 && violations[0].isNaN && !engine.trials[n].feasible && engine.best()?.number == 2)
    }

    @Test("ASHA and the median rule rank a trial past a constraint at the rung behind every trial within it, however good its value")
    func stoppersRankByConstraints() throws {
        let spec = try StudySpec(config: Config.parse(yaml: """
            {study: s, objective: {metric: loss}, runner: external, space: {x: {low: 0, high: 1}},
             constraints: [{metric: size, max: 5}], strategy: {name: random}, stopper: {name: asha, min_resource: 1, reduction_factor: 3}}
            """, source: "t"), trials: TrialRules(keys: [], metrics: nil, check: { _ in [] }))
        let engine = StudyEngine(spec: spec, start: 0)
        // Three trials reach rung 1: the best loss is over the size bound; the top third (one) goes on.
        var decisions: [StopDecision] = []
        for (loss, size) in [(0.5, 2.0), (0.1, 9.0), (0.7, 3.0)] {
            let n = engine.add(Configuration(["x": .number(loss)]))
            engine.set(n, .running)
            let metrics = ["loss": loss, "size": size]
            decisions.append(engine.report(n, epoch: 1, value: loss, violations: engine.violations(metrics, of: n)))
        }
        #expect(decisions[0] == .continue, "the best within the bound continues")
        guard case let .stop(reason) = decisions[1] else { Issue.record("the trial over the bound went on"); return }
        #expect(reason.rule == .asha && reason.detail.contains("past a constraint") && reason.numbers["rank"] == 2, "behind the one within the bound that reached the rung first")
        // Without the constraint the same losses keep the trial with the best loss.
        let plain = ASHA(minimumResource: 1, reductionFactor: 3)
        let trials = engine.trials.map { t -> Trial in var t = t; t.stepViolations = [:]; return t }
        #expect(plain.decide(trials[1], step: 1, history: trials, direction: .minimize) == .continue)

        // The median rule: four completed trials within the bound; a running one with the best value so far but past it stops.
        let rule = MedianRule(warmup: 1, minimumTrials: 3)
        let within = (0..<4).map { n in Trial(number: n, configuration: Configuration(["x": .number(0)]), state: .completed, reports: [1: 0.5 + 0.1 * Double(n)],
                                             value: 0.5 + 0.1 * Double(n), stepViolations: [1: [-1]]) }
        let over = Trial(number: 4, configuration: Configuration(["x": .number(0)]), state: .running, reports: [1: 0.2], stepViolations: [1: [4]])
        guard case let .stop(why) = rule.decide(over, step: 1, history: within + [over], direction: .minimize) else { Issue.record("not stopped"); return }
        #expect(why.rule == .median && why.numbers["better"] == 4)
        var inside = over
        inside.stepViolations = [1: [-2]]
        #expect(rule.decide(inside, step: 1, history: within + [inside], direction: .minimize) == .continue, "within the bound, the best value goes on")
    }

}
