import Testing
import Config
import TrialSpecs
import Search
@testable import LocalStudy

@Suite("Local studies")
struct LocalStudyTests {
    func study(_ yaml: String) throws -> StudySpec {
        try StudySpec(config: Config.parse(yaml: yaml, source: "test"), trials: TrialSpec.rules)
    }

    @Test("a study suggests, trains, stops, ranks and scores the best on the test split")
    func runs() throws {
        let local = try LocalStudy(spec: study("""
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
        var heard = 0
        try local.run { _ in heard += 1 }
        #expect(heard == 8 && local.trials.count == 8)
        #expect(local.trials.allSatisfy { $0.state.isFinished })
        #expect(local.trials.contains { $0.state == .pruned }, "ASHA stopped some trials: \(local.trials.map(\.state))")
        let pruned = local.trials.filter { $0.state == .pruned }
        #expect(pruned.allSatisfy { local.details[$0.number]?.reason?.rule == .asha })
        let best = try #require(local.best)
        #expect(local.trials.allSatisfy { ($0.value ?? 0) <= best.value! || $0.state == .diverged || $0.state == .failed })
        #expect(local.leaderboard().split(separator: "\n").count == 9)
        let scored = try #require(try local.testScore())
        #expect(scored.trial.number == best.number && scored.accuracy != nil)
        // Each trial carries its own seed unless the space sets one.
        #expect(local.config(for: best.configuration, number: 5)[path: "seed"] == .number(8))
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
        let local = try LocalStudy(spec: study("""
            study: missing-data
            trial: {data: {dataset: csv, path: /nonexistent/table.csv, target: y}, epochs: 1}
            space: {batch_size: {type: int, low: 8, high: 16}}
            budget: {max_trials: 10, fail_fast: 3}
            """))
        try local.run()
        let failed = local.trials.filter { $0.state == .failed }
        #expect(failed.count == 3 && local.trials.count == 3, "the first three failed alike: the study stops, not ten failures")
        #expect(local.failure?.detail.hasPrefix("the first 3 trials all failed: ") == true)
        #expect(local.details[failed[0].number]?.reason?.detail.contains("/nonexistent/table.csv") == true, "\(String(describing: local.details[0]?.reason))")
    }

    @Test("command studies are refused here, with the reason")
    func commands() throws {
        #expect(throws: SpecError.self) {
            _ = try LocalStudy(spec: study("study: c\ncommand: [python3, x.py]\nspace: {lr: {low: 0.1, high: 1}}"))
        }
    }
}
