import Foundation
import Synchronization
import Testing
import Config
import TrialSpecs
import Search
import Protocol
import Advisor
@testable import LocalStudy

@Suite("Local studies")
struct LocalStudyTests {
    func study(_ yaml: String) throws -> StudySpec {
        try StudySpec(config: Config.parse(yaml: yaml, source: "test"), trials: TrialSpec.rules)
    }

    @Test("a study suggests, trains, stops, ranks and scores the best on the test split")
    func runs() throws {
        let local = LocalStudy(spec: try study("""
            study: spirals
            objective: {metric: validation_accuracy}
            trial: {data: {dataset: spirals, examples: 300}, model: {hidden: [16]}, epochs: 9, batch_size: 32}
            space:
              optimizer.lr: {type: float, low: 1e-4, high: 30, log: true}
              model.activation: {values: [relu, tanh]}
            strategy: {name: random}
            budget: {max_trials: 8}
            stopper: {name: asha, min_resource: 1, reduction_factor: 3}
            seed: 3
            """))
        let heard = Mutex((trials: 0, epochs: 0))
        local.run(onEpoch: { _, _, _ in heard.withLock { $0.epochs += 1 } }, onTrial: { _ in heard.withLock { $0.trials += 1 } })
        #expect(heard.withLock { $0.trials } == 8 && local.trials.count == 8)
        #expect(heard.withLock { $0.epochs } == local.trials.map(\.reports.count).reduce(0, +), "a line for every epoch")
        #expect(local.trials.allSatisfy { $0.state.isFinished })
        #expect(local.trials.contains { $0.state == .pruned }, "ASHA stopped some trials: \(local.trials.map(\.state))")
        let pruned = local.trials.filter { $0.state == .pruned }
        #expect(pruned.allSatisfy { local.details[$0.number]?.reason?.rule == .asha })
        let best = try #require(local.best)
        #expect(local.trials.allSatisfy { ($0.value ?? 0) <= best.value! || $0.state == .diverged || $0.state == .failed })
        #expect(local.leaderboard().split(separator: "\n").count == 9)
        let scored = try #require(local.testScore())
        #expect(scored.trial.number == best.number && scored.metrics["test_accuracy"] != nil)
        // Each trial carries its own seed unless the space sets one.
        #expect(local.config(for: best.configuration, number: 5)[path: "seed"] == .number(8))
    }

    @Test("a study of two objectives (accuracy and model size) keeps both, ranks by Pareto front and retrains the front's most accurate")
    func severalObjectives() throws {
        let local = LocalStudy(spec: try study("""
            study: small-and-accurate
            objective: [{metric: validation_accuracy, direction: maximize}, {metric: parameters, direction: minimize}]
            trial: {data: {dataset: spirals, examples: 200}, epochs: 3, batch_size: 32}
            space:
              model.hidden: {values: [[2], [8], [32]]}
              optimizer.lr: {low: 0.01, high: 0.3, log: true}
            strategy: {name: nsga2}
            budget: {max_trials: 6}
            stopper: {name: median, warmup: 1, min_trials: 2}
            seed: 4
            """))
        local.run(onEpoch: { _, _, _ in }, onTrial: { _ in })
        let finished = local.trials.filter { $0.state == .completed || $0.state == .pruned }
        #expect(finished.count >= 4)
        for t in finished {
            #expect(t.values.count == 2 && t.values[0] == t.value, "the first objective is the trial's value")
            #expect(t.values[1] == local.details[t.number]!.metrics["parameters"], "the size is the trial's own parameter count")
            #expect(t.stepValues.count == t.reports.count)
        }
        let standings = local.standings
        #expect(Set(standings.keys) == Set(finished.map(\.number)))
        for t in finished {
            let dominating = finished.filter { o in o.values[0] >= t.values[0] && o.values[1] <= t.values[1] && o.values != t.values }
            #expect(standings[t.number]!.dominated == dominating.count)
            #expect((standings[t.number]!.front == 1) == dominating.isEmpty)
        }
        let best = try #require(local.best)
        #expect(standings[best.number]!.front == 1)
        #expect(finished.filter { standings[$0.number]!.front == 1 }.allSatisfy { $0.values[0] <= best.values[0] })
        let lines = local.leaderboard().split(separator: "\n")
        #expect(lines[0].hasPrefix("rank  trial  status") && lines[0].contains("validation_accuracy") && lines[0].contains("parameters") && lines[0].contains("front  dominated"))
        let columns = lines[0].split(separator: " ")
        #expect(Set(columns).count == columns.count, "one header per column, the objective `parameters` included: \(lines[0])")
        #expect(lines[1].split(separator: " ")[1] == "\(best.number)", "the front's most accurate heads the board: \(lines[1])")
    }

    @Test("a spec whose trials cannot train is refused before any runs; a failure only a run can find is the trial's, with its reason")
    func failures() throws {
        let refused = #expect(throws: SpecError.self) {
            try study("""
                study: bad
                trial: {data: {dataset: spirals, examples: 100}, epochs: 1}
                space: {batch_size: {type: int, low: 0, high: 4}}
                """)
        }
        #expect(refused?.problems.map(\.description) == ["space.batch_size.low gives a trial spec that does not train: batch_size must be ≥ 1 (got 0)"])
        let local = LocalStudy(spec: try study("""
            study: missing-data
            trial: {data: {dataset: csv, path: /nonexistent/table.csv, target: y}, epochs: 1}
            space: {batch_size: {type: int, low: 8, high: 16}}
            budget: {max_trials: 10, fail_fast: 3}
            """))
        local.run()
        let failed = local.trials.filter { $0.state == .failed }
        #expect(failed.count == 3 && local.trials.count == 3, "the first three failed alike: the study stops, not ten failures")
        #expect(local.failure?.detail.hasPrefix("the first 3 trials all failed: ") == true)
        #expect(local.details[failed[0].number]?.reason?.detail.contains("/nonexistent/table.csv") == true, "\(String(describing: local.details[0]?.reason))")
    }

    @Test("command trials run here too, several at once")
    func commands() throws {
        let local = LocalStudy(spec: try study("""
            study: quadratic
            objective: {metric: loss}
            command: [python3, -c, "import json,sys; x=float(sys.argv[1]); [print(json.dumps({'epoch':e,'loss':(x-0.3)**2+1/e})) for e in (1,2,3)]", '{x}']
            space: {x: {low: 0, high: 1}}
            strategy: {name: sobol}
            budget: {max_trials: 6, max_concurrent: 3}
            """), parallel: 3)
        local.run()
        #expect(local.trials.count == 6 && local.trials.allSatisfy { $0.state == .completed }, "\(local.trials.map(\.state)) \(local.details.mapValues(\.reason))")
        for t in local.trials {
            guard case let .number(x)? = t.configuration["x"] else { Issue.record("no x"); continue }
            #expect(abs((t.value ?? .nan) - ((x - 0.3) * (x - 0.3) + 1.0 / 3)) < 1e-6)
        }
    }

    @Test("a local trial past budget.trial_timeout is stopped and failed by timeout")
    func timeout() throws {
        let local = LocalStudy(spec: try study("""
            study: slow
            objective: {metric: loss}
            command: [python3, -c, "import json,time; [print(json.dumps({'epoch':e,'loss':1.0}), flush=True) or time.sleep(0.1) for e in range(1,100)]", '{x}']
            space: {x: {low: 0, high: 1}}
            budget: {max_trials: 1, trial_timeout: 1}
            """))
        local.run()
        #expect(local.trials.first?.state == .failed && local.trials.first?.reason?.rule == .timeout, "\(local.trials)")
    }

    @Test("stop() ends a running study: running trials stop, no more start, what ran is kept")
    func stopping() throws {
        let local = LocalStudy(spec: try study("""
            study: slow
            objective: {metric: loss}
            command: [python3, -c, "import json,time; [print(json.dumps({'epoch':e,'loss':1.0}), flush=True) or time.sleep(0.05) for e in range(1,101)]", '{x}']
            space: {x: {low: 0, high: 1}}
            budget: {max_trials: 50, max_concurrent: 2}
            """), parallel: 2)
        let started = DispatchSemaphore(value: 0), finished = DispatchSemaphore(value: 0)
        let thread = Thread {
            local.run(onEpoch: { _, epoch, _ in if epoch == 3 { started.signal() } })
            finished.signal()
        }
        thread.start()
        started.wait()
        local.stop()
        #expect(finished.wait(timeout: .now() + 10) == .success, "run returns once its trials have stopped")
        #expect(local.stopped && local.trials.count <= 3)
        #expect(local.trials.allSatisfy { $0.state == .cancelled }, "\(local.trials.map(\.state))")
        #expect(local.trials.contains { !$0.reports.isEmpty }, "what ran is kept")
    }

    @Test("a local study exports as a coordinator's: every epoch's metrics and stop reason for the advisor, and a next study warm-starts from it")
    func exportAndWarmStart() throws {
        let yaml = """
            study: spirals
            objective: {metric: validation_accuracy}
            trial: {data: {dataset: spirals, examples: 300}, model: {hidden: [16]}, epochs: 6, batch_size: 32}
            space:
              optimizer.lr: {type: float, low: 1e-4, high: 1, log: true}
            strategy: {name: random}
            budget: {max_trials: 8}
            stopper: {name: asha, min_resource: 1, reduction_factor: 3}
            seed: 5
            """
        let config = try Config.parse(yaml: yaml, source: "test")
        let local = LocalStudy(spec: try study(yaml))
        local.run()
        // Through the wire's encoding, as --export writes it and sweep advise reads it.
        let body = Envelope(.exported, id: "local", body: local.exported(study: "local", spec: config)).body
        let exported = try Envelope(header: Header(type: .exported, id: "file"), body: body).decode(Body.Exported.self)
        #expect(exported.spec == config && exported.metric == "validation_accuracy" && exported.trials.count == 8)
        let observed = exported.trials.compactMap(Observed.init(export:))
        #expect(observed.count == 8)
        for (t, o) in zip(local.trials, observed.sorted { $0.number < $1.number }) {
            #expect(o.number == t.number && o.state == t.state && o.value == t.value)
            #expect(o.curve.keys.sorted() == t.reports.keys.sorted(), "every epoch")
            #expect(o.curve.values.allSatisfy { $0["train_accuracy"] != nil && $0["validation_loss"] != nil }, "every metric, not only the objective")
            let reason = local.details[t.number]?.reason
            #expect(o.reason?.rule == reason?.rule && o.reason?.detail == reason?.detail, "why it stopped")
        }
        #expect(observed.contains { $0.state == .pruned && $0.reason?.rule == .asha }, "\(observed.map(\.state))")
        // A next study of half the range takes the trials inside it, with the objective by epoch.
        let half = try study(yaml.replacingOccurrences(of: "high: 1, log", with: "high: 0.01, log"))
        let (warm, skipped) = WarmTrials.take(WarmTrials.candidates(exported.trials, metric: half.metric), space: half.space, objectives: [half.metric])
        let inside = local.trials.filter { t in
            guard case let .number(lr)? = t.configuration["optimizer.lr"] else { return false }
            return lr <= 0.01 && [.completed, .pruned, .diverged].contains(t.state)
        }
        #expect(warm.count == inside.count && warm.allSatisfy { $0.number < -1 })
        #expect(warm.map(\.reports) == inside.map(\.reports))
        #expect(skipped.map(\.count).reduce(0, +) == 8 - inside.count)
        let next = LocalStudy(spec: half, warm: warm)
        #expect(next.engine.warm.count == inside.count)
    }
}
