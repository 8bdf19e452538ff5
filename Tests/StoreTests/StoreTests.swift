import Foundation
import Testing
import Config
import Search
@testable import Store

/// A store in a fresh temporary file.
func temporaryStore() throws -> (Store, String) {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-\(UUID().uuidString).sqlite").path
    return (try Store(path: path), path)
}

@Suite("Store")
struct StoreTests {
    let configuration = Configuration(["optimizer.lr": .number(0.01), "model.hidden": .array([.number(64)])])

    @Test("an empty (0-byte) store file is refused with what to do, not read as an empty store")
    func emptyFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-\(UUID().uuidString).sqlite").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        let error = #expect(throws: StoreError.self) { try Store(path: path) }
        #expect(error?.description.contains("is an empty file (0 bytes): restore it from a backup, or delete it to start a new store") == true)
        try FileManager.default.removeItem(atPath: path)
        _ = try Store(path: path)
        _ = try Store(path: path)
    }

    @Test("WAL mode, and everything survives closing and reopening the file")
    func durable() throws {
        let (store, path) = try temporaryStore()
        #expect(try store.journalMode() == "wal")
        let study = try store.createStudy(name: "s", spec: .object(["study": .string("s")]), seed: 9)
        #expect(study == "s-000001")
        try store.addTrial(study: study, number: 0, configuration: configuration)
        let attempt = try store.assign(study: study, number: 0, worker: "w1/boot")
        #expect(attempt == 1)
        #expect(try store.record(study: study, number: 0, attempt: 1, seq: 1, epoch: 1, metrics: ["validation_loss": 0.5]) == .stored)
        let reason = StopReason(rule: .asha, detail: "ranked 3 of 3", numbers: ["rank": 3])
        #expect(try store.finish(study: study, number: 0, attempt: 1, state: .pruned, value: 0.5, reason: reason))

        let reopened = try Store(path: path)
        let studies = try reopened.studies()
        #expect(studies.map(\.id) == [study] && studies[0].seed == 9 && studies[0].spec[path: "study"] == .string("s"))
        let history = try reopened.history(study: study, metric: "validation_loss")
        #expect(history.count == 1)
        #expect(history[0].configuration == configuration)
        #expect(history[0].state == .pruned && history[0].value == 0.5 && history[0].reports == [1: 0.5])
        #expect(try reopened.stopReason(study: study, number: 0) == reason)
        #expect(try reopened.eventCount(kind: "assigned") == 1)
    }

    @Test("a resent report is stored once; a superseded attempt changes nothing")
    func idempotent() throws {
        let (store, _) = try temporaryStore()
        let study = try store.createStudy(name: "s", spec: .object([:]), seed: 0)
        try store.addTrial(study: study, number: 0, configuration: configuration)
        _ = try store.assign(study: study, number: 0, worker: "w1")
        #expect(try store.record(study: study, number: 0, attempt: 1, seq: 1, epoch: 1, metrics: ["acc": 0.7]) == .stored)
        #expect(try store.record(study: study, number: 0, attempt: 1, seq: 1, epoch: 1, metrics: ["acc": 0.7]) == .duplicate)
        // The worker is lost: the trial goes back to the queue and runs again as attempt 2.
        try store.requeue(study: study, number: 0, why: StopReason(rule: .cancelled, detail: "w1 was lost"))
        #expect(try store.history(study: study, metric: "acc")[0].state == .queued)
        #expect(try store.assign(study: study, number: 0, worker: "w2") == 2)
        #expect(try store.record(study: study, number: 0, attempt: 1, seq: 2, epoch: 2, metrics: ["acc": 0.8]) == .stale(current: 2))
        #expect(!(try store.finish(study: study, number: 0, attempt: 1, state: .completed, value: 0.9, reason: nil)))
        #expect(try store.record(study: study, number: 0, attempt: 2, seq: 1, epoch: 1, metrics: ["acc": 0.75, "loss": .nan]) == .stored)
        let trial = try store.history(study: study, metric: "acc")[0]
        #expect(trial.reports == [1: 0.75], "only the current attempt's reports count")
        #expect(trial.state == .running)
        #expect(try store.history(study: study, metric: "loss")[0].reports[1]!.isNaN)
    }

    @Test("with several objectives every one's value per epoch and final survives a reopen, reaches the export, and a retry clears it")
    func severalObjectives() throws {
        let (store, path) = try temporaryStore()
        let study = try store.createStudy(name: "s", spec: .object([:]), seed: 0)
        try store.addTrial(study: study, number: 0, configuration: configuration)
        _ = try store.assign(study: study, number: 0, worker: "w1")
        #expect(try store.record(study: study, number: 0, attempt: 1, seq: 1, epoch: 1, metrics: ["loss": 0.5, "seconds": 2]) == .stored)
        #expect(try store.record(study: study, number: 0, attempt: 1, seq: 2, epoch: 2, metrics: ["loss": 0.4]) == .stored)
        #expect(try store.finish(study: study, number: 0, attempt: 1, state: .completed, value: 0.4, values: [0.4, 3.5], reason: nil))

        let trial = try Store(path: path).history(study: study, metrics: ["loss", "seconds"])[0]
        #expect(trial.values == [0.4, 3.5] && trial.value == 0.4)
        #expect(trial.stepValues[1] == [0.5, 2] && trial.stepValues[2]![0] == 0.4 && trial.stepValues[2]![1].isNaN, "an objective not reported at an epoch is NaN")
        let single = try store.history(study: study, metric: "loss")[0]
        #expect(single.values.isEmpty && single.stepValues.isEmpty, "one objective reads as before")
        #expect(try store.export(study: study)[0][path: "values"] == .array([.number(0.4), .number(3.5)]))

        try store.retry(study: study, numbers: [0])
        let retried = try store.history(study: study, metrics: ["loss", "seconds"])[0]
        #expect(retried.state == .queued && retried.values.isEmpty && retried.stepValues.isEmpty)
    }

    @Test("with constraints a running trial's violations come from its latest reports, a finished one's from its finish; both survive a reopen and reach the export")
    func constraints() throws {
        let (store, path) = try temporaryStore()
        let study = try store.createStudy(name: "s", spec: .object([:]), seed: 0)
        let bounds = [Constraint("seconds", .max(3)), Constraint("accuracy", .min(0.8))]
        for number in 0...1 {
            try store.addTrial(study: study, number: number, configuration: configuration)
            _ = try store.assign(study: study, number: number, worker: "w\(number)")
            #expect(try store.record(study: study, number: number, attempt: 1, seq: 1, epoch: 1, metrics: ["loss": 0.5, "seconds": 2, "accuracy": 0.7]) == .stored)
            #expect(try store.record(study: study, number: number, attempt: 1, seq: 2, epoch: 2, metrics: ["loss": 0.4, "seconds": 4]) == .stored)
        }
        #expect(try store.finish(study: study, number: 1, attempt: 1, state: .completed, value: 0.4, violations: [-1, .nan], reason: nil))

        let trials = try Store(path: path).history(study: study, metrics: ["loss"], constraints: bounds)
        #expect(trials[0].violations[0] == 1 && abs(trials[0].violations[1] - 0.1) < 1e-12, "the latest seconds, and the accuracy of the last report that had one")
        #expect(trials[1].violations[0] == -1 && trials[1].violations[1].isNaN && !trials[1].feasible, "a metric never reported is not within its bound")
        #expect(trials[0].stepViolations[1]![0] == -1 && trials[0].stepViolations[2]![0] == 1 && abs(trials[0].stepViolations[2]![1] - 0.1) < 1e-12,
                "each epoch's violations, a metric left out keeping its earlier value (what the stoppers rank a rung by)")
        #expect(try store.history(study: study, metric: "loss")[1].violations.isEmpty, "without constraints there is nothing to keep")
        let exported = try store.export(study: study)
        #expect(exported[1][path: "violations"] == .array([.number(-1), .null]) && exported[1][path: "feasible"] == .bool(false))
        #expect(exported[0][path: "feasible"] == nil, "a running trial is not judged yet")

        try store.retry(study: study, numbers: [1])
        #expect(try store.history(study: study, metrics: ["loss"], constraints: bounds)[1].violations.isEmpty, "a retry forgets the last attempt's")
    }

    @Test("unknown trials are errors, not silent no-ops")
    func unknown() throws {
        let (store, _) = try temporaryStore()
        let study = try store.createStudy(name: "s", spec: .object([:]), seed: 0)
        #expect(throws: StoreError.self) { _ = try store.assign(study: study, number: 7, worker: "w") }
        #expect(throws: StoreError.self) { _ = try store.record(study: study, number: 7, attempt: 1, seq: 1, epoch: 1, metrics: [:]) }
    }
}
