import Foundation
import Logging
import Testing
import Config
import LocalStudy
import NN
import TrialSpecs
import Protocol
import Search
import Store
@testable import Coordinator

import Runner

/// One spec through `sweep run` (LocalStudy) and through an in-process coordinator with one
/// worker running the worker's own trial runner: the same trials, seeds, reports and decisions.
@Suite("One study engine")
struct SameStudyTests {
    static let yaml = """
        study: same
        objective: {metric: validation_accuracy}
        trial: {data: {dataset: spirals, examples: 160, noise: 0.2}, model: {hidden: [8]}, epochs: 4, batch_size: 32}
        space:
          optimizer.lr: {low: 0.003, high: 3, log: true}
          model.activation: {values: [relu, tanh]}
        strategy: {name: tpe}
        budget: {max_trials: 6, max_concurrent: 1}
        stopper: {name: median, warmup: 1, min_trials: 2}
        seed: 11
        """

    /// What one trial did: the config it trained, the objective by epoch, every metric of its last
    /// epoch but the time, and how it ended.
    struct Run: Equatable {
        var config: Config
        var reports: [Int: Double] = [:]
        var last: [String: Double] = [:]
        var state: TrialState?
    }

    @Test("sweep run and the cluster suggest the same trials with the same seeds, and score and stop them alike")
    func same() throws {
        let config = try Config.parse(yaml: Self.yaml, source: "test")
        let spec = try StudySpec(config: config, trials: TrialSpec.rules)

        let local = try LocalStudy(spec: spec)
        local.run()
        let here = local.trials.map { t in
            Run(config: local.config(for: t.configuration, number: t.number), reports: t.reports,
                last: (local.details[t.number]?.metrics ?? [:]).filter { $0.key != "seconds" }, state: t.state)
        }
        let localTest = try #require(local.testScore())

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("same-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let coordinator = try Coordinator(store: Store(path: path), trials: TrialSpec.rules)
        let study = try coordinator.submit(spec, config: config)
        let peer = Data("w1".utf8)
        var seq = 0
        func send<B: MessageBody>(_ type: MessageType, _ body: B) -> [Coordinator.Outgoing] {
            coordinator.handle(worker: peer, frames: Envelope(type, id: UUID().uuidString, body: body).frames(), now: 0)
        }
        var out = send(.hello, Body.Hello(worker: "w1", bootID: "b", host: "h", cores: 1, threads: 1, version: "test", protoMin: 1, protoMax: 1, running: []))
        var there: [Int: Run] = [:]
        var testMetrics: [String: Double] = [:]
        while let message = out.first(where: { $0.envelope.header.type == .assign }) {
            let assign = try message.envelope.decode(Body.Assign.self)
            let number = try #require(assign.number)
            var run = Run(config: try #require(assign.config))
            var later: [Coordinator.Outgoing] = []
            let result = TrialRun(assign: assign, logger: Logger(label: "test")).run(shouldStop: { false }) { epoch, metrics in
                seq += 1
                let replies = send(.metric, Body.Metric(trial: assign.trial, attempt: assign.attempt, seq: seq, epoch: epoch, metrics: metrics))
                run.reports[epoch] = metrics[spec.metric]
                run.last = metrics.filter { $0.key != "seconds" }
                later += replies.filter { $0.envelope.header.type == .assign }
                let decision = replies.first { $0.envelope.header.type == .decision }.flatMap { try? $0.envelope.decode(Body.Decision.self) }
                return decision?.continue ?? true
            }
            seq += 1
            out = later + send(.done, Body.Done(trial: assign.trial, attempt: assign.attempt, seq: seq, status: result.status, metrics: result.metrics, error: result.error))
            if assign.test == true { testMetrics = result.metrics } else { there[number] = run }
        }
        let record = try #require(try coordinator.store.studies().first { $0.id == study })
        for trial in try coordinator.store.history(study: study, metric: spec.metric) { there[trial.number]?.state = trial.state }

        #expect(here.count == 6 && there.count == 6)
        for (number, run) in here.enumerated() {
            #expect(there[number] == run, "trial \(number) differs between sweep run and the cluster")
        }
        #expect(here.contains { $0.state == .pruned }, "the median rule stopped a trial in both: \(here.map { $0.state! })")
        #expect(record.state == .completed && record.test?[path: "trial"] == .number(Double(localTest.trial.number)))
        #expect(testMetrics["test_accuracy"] == localTest.metrics["test_accuracy"], "the final trial scores the same on the test split")
    }
}
