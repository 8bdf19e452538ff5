import Foundation
import GRDB
import Testing
import Config
import Protocol
import Search
import Store
import TrialSpecs
@testable import Coordinator

@Suite("Coordinator startup")
struct StartupTests {
    @Test("a store with a gap in trial numbers and an unreadable study starts: the gap is recorded, the study is left alone, the rest serve")
    func damagedStore() throws {
        var h = try Harness(trials: 5, concurrent: 3)
        let w1 = Data("w1".utf8), w2 = Data("w2".utf8), w3 = Data("w3".utf8)
        for (peer, name) in [(w1, "w1"), (w2, "w2"), (w3, "w3")] { _ = h.coordinator.handle(worker: peer, frames: try h.hello(name), now: 0) }
        let spec = try Config.parse(yaml: "{study: other, trial: {data: {dataset: moons}}, space: {optimizer.lr: {low: 0.001, high: 0.1}}}", source: "t")
        _ = try h.coordinator.submit(StudySpec(config: spec, trials: TrialSpec.rules), config: spec)
        // What a crash or an older build may leave: trial 1 never stored, a study whose trial config is not JSON.
        let database = try DatabaseQueue(path: h.path)
        try database.write { db in
            try db.execute(sql: "DELETE FROM trials WHERE study = 's-000001' AND number = 1")
            try db.execute(sql: "INSERT INTO trials (study, number, config, state, updated_at) VALUES ('s-000002', 0, '', 'queued', 0)")
        }
        let restarted = try Coordinator(store: Store(path: h.path), trials: TrialSpec.rules, options: h.options)
        h.coordinator = restarted
        let study = try #require(restarted.studies["s-000001"])
        #expect(study.trials.map(\.number) == [0, 1, 2])
        #expect(study.trials[1].state == .cancelled)
        #expect(try restarted.store.stopReason(study: "s-000001", number: 1)?.detail.contains("no record of this trial survived") == true)
        #expect(restarted.studies["s-000002"] == nil && restarted.unreadable["s-000002"] != nil)
        // The readable study goes on: a worker that comes back empty-handed gets the next trial.
        let welcome = restarted.handle(worker: w1, frames: try h.hello("w1"), now: 1)
        #expect(types(welcome) == [.welcome, .assign] && study.trials.count == 4)
    }

    @Test("workers gone past the retention leave the list and the store's table")
    func retention() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("retention-\(UUID().uuidString).sqlite").path
        var options = Coordinator.Options()
        options.workerRetention = 5
        let c = try Coordinator(store: Store(path: path, clock: { 100 }), trials: TrialSpec.rules, options: options)
        let h = try Harness()
        for i in 0..<3 {
            let peer = Data("w\(i)".utf8)
            _ = c.handle(worker: peer, frames: try h.hello("w\(i)"), now: 100)
            _ = c.handle(worker: peer, frames: try h.frames(.bye, Body.Bye(reason: "shutdown")), now: 101)
        }
        func listed(_ now: Double) throws -> [Body.WorkerRow] {
            try body(c.handle(client: Data("cli".utf8), frames: try h.frames(.workers, Body.Empty()), now: now)[0], Body.WorkersReply.self).workers
        }
        _ = try c.tick(now: 103)
        #expect(try listed(103).map(\.state) == [.left, .left, .left] && c.store.workerCount() == 3)
        _ = try c.tick(now: 107)
        #expect(try listed(107).isEmpty, "gone from the list past the retention")
        _ = try c.tick(now: 170)
        #expect(try c.store.workerCount() == 0, "and from the store at its next trim (once a minute)")
    }
}
