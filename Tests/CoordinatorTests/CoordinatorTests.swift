import Foundation
import Testing
import Config
import TrialSpecs
import Search
import Protocol
import Store
import TestSupport
@testable import Coordinator

/// A coordinator on a temporary store, and helpers to talk to it as workers do.
struct Harness {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("coord-\(UUID().uuidString).sqlite").path
    var coordinator: Coordinator
    var options = Coordinator.Options()

    init(trials: Int = 3, concurrent: Int = 2, stopper: String = "none", objective: String = "{metric: validation_loss}", constraints: String = "[]") throws {
        options.heartbeat = 1
        options.liveness = 3
        options.leaseGrace = 10
        coordinator = try Coordinator(store: Store(path: path), trials: TrialSpec.rules, options: options)
        let config = try Config.parse(yaml: """
            study: test
            objective: \(objective)
            constraints: \(constraints)
            trial: {data: {dataset: spirals}, epochs: 3}
            space: {optimizer.lr: {low: 0.001, high: 0.1, log: true}}
            strategy: {name: random}
            budget: {max_trials: \(trials), max_concurrent: \(concurrent)}
            stopper: {name: \(stopper), min_resource: 1, reduction_factor: 2}
            """, source: "test")
        _ = try coordinator.submit(StudySpec(config: config, trials: TrialSpec.rules), config: config)
    }

    func frames<B: MessageBody>(_ type: MessageType, _ body: B, id: String = UUID().uuidString) throws -> [Data] {
        Envelope(type, id: id, body: body).frames()
    }

    func hello(_ worker: String, running: [Body.Running] = []) throws -> [Data] {
        try frames(.hello, Body.Hello(worker: worker, bootID: "b", host: "h", cores: 2, threads: 1, version: "test",
                                      protoMin: 1, protoMax: 1, running: running))
    }

    /// Workers named `names` (routing ids the same) say HELLO at time 0; the trial each is given.
    func join(_ names: [String]) throws -> [Data: Body.Assign] {
        var assigns: [Data: Body.Assign] = [:]
        for name in names {
            let peer = Data(name.utf8)
            assigns[peer] = try body(coordinator.handle(worker: peer, frames: try hello(name), now: 0)[1], Body.Assign.self)
        }
        return assigns
    }

    func metric(_ trial: Int, attempt: Int = 1, seq: Int, epoch: Int, loss: Double) throws -> [Data] {
        try frames(.metric, Body.Metric(trial: trial, attempt: attempt, seq: seq, epoch: epoch, metrics: ["validation_loss": loss]))
    }
}

/// The types of the messages sent, each checked against its schema in Protocols/schemas.
func types(_ out: [Coordinator.Outgoing]) -> [MessageType] {
    out.forEach(conforms)
    return out.map(\.envelope.header.type)
}

func body<B: MessageBody>(_ out: Coordinator.Outgoing, _ type: B.Type) throws -> B {
    conforms(out)
    return try out.envelope.decode(type)
}

/// Every body the coordinator produces meets the schema clients and workers are written against.
func conforms(_ out: Coordinator.Outgoing) {
    let type = out.envelope.header.type.rawValue
    #expect(violations(type: type, body: out.envelope.body) == [], "\(type) breaks Protocols/schemas/\(type).json")
}

@Suite("Coordinator logic")
struct CoordinatorTests {
    let w1 = Data("w1".utf8), w2 = Data("w2".utf8)

    @Test("a worker says hello, gets a trial, reports, is acknowledged and answered, and finishes")
    func lifecycle() throws {
        let h = try Harness(trials: 2, concurrent: 1)
        let c = h.coordinator
        let welcome = c.handle(worker: w1, frames: try h.hello("w1"), now: 0)
        #expect(types(welcome) == [.welcome, .assign])
        let assign = try body(welcome[1], Body.Assign.self)
        #expect(assign.attempt == 1 && assign.kind == .builtin && assign.config?[path: "epochs"] == .number(3))
        #expect(assign.config?[path: "optimizer.lr"] != nil)
        // A second worker waits: the study allows one trial at a time.
        #expect(types(c.handle(worker: w2, frames: try h.hello("w2"), now: 0)) == [.welcome])

        let report = c.handle(worker: w1, frames: try h.metric(assign.trial, seq: 1, epoch: 1, loss: 0.5), now: 1)
        #expect(types(report) == [.ack, .decision])
        #expect(try body(report[1], Body.Decision.self).continue)
        // A resend is acknowledged again and changes nothing.
        #expect(types(c.handle(worker: w1, frames: try h.metric(assign.trial, seq: 1, epoch: 1, loss: 0.5), now: 1)) == [.ack])

        let done = c.handle(worker: w1, frames: try h.frames(.done, Body.Done(trial: assign.trial, attempt: 1, seq: 2, status: .completed,
                                                                            metrics: ["validation_loss": 0.4], error: nil)), now: 2)
        #expect(types(done).prefix(2) == [.ack, .assign], "the next trial goes to an idle worker")
        let history = try c.store.history(study: "s-000001", metric: "validation_loss")
        #expect(history[0].state == .completed && history[0].value == 0.4 && history[0].reports == [1: 0.5])
    }

    @Test("a silent worker is lost; after the grace its trial runs again elsewhere as the next attempt, and the old attempt is fenced")
    func lostWorker() throws {
        let h = try Harness(trials: 1, concurrent: 1)
        let c = h.coordinator
        let assign = try body(c.handle(worker: w1, frames: try h.hello("w1"), now: 0)[1], Body.Assign.self)
        _ = c.handle(worker: w2, frames: try h.hello("w2"), now: 0)
        // w2 keeps talking; w1 goes silent past 3 × 1 s, then the 10 s grace passes.
        var reassigned: Body.Assign?
        for t in stride(from: 1.0, through: 16, by: 1) {
            _ = c.handle(worker: w2, frames: try h.frames(.heartbeat, Body.Empty()), now: t)
            for out in try c.tick(now: t) where out.envelope.header.type == .assign {
                #expect(out.peer == w2)
                reassigned = try body(out, Body.Assign.self)
            }
        }
        let again = try #require(reassigned)
        #expect(again.trial == assign.trial && again.attempt == 2)
        // w1 comes back and reports on the old attempt: stale, nothing stored.
        let stale = c.handle(worker: w1, frames: try h.hello("w1", running: [Body.Running(trial: assign.trial, attempt: 1, lastSeq: 0)]), now: 17)
        let welcome = try body(stale[0], Body.Welcome.self)
        #expect(welcome.stop.map(\.attempt) == [1] && welcome.adopt.isEmpty)
        let late = c.handle(worker: w1, frames: try h.metric(assign.trial, attempt: 1, seq: 1, epoch: 1, loss: 0.1), now: 17)
        #expect(try body(late[0], ProtocolError.Body.self).code == .staleAttempt)
    }

    @Test("after a restart, a worker that reports its running trial keeps it")
    func restart() throws {
        let h = try Harness(trials: 1, concurrent: 1)
        let assign = try body(h.coordinator.handle(worker: w1, frames: try h.hello("w1"), now: 0)[1], Body.Assign.self)
        _ = h.coordinator.handle(worker: w1, frames: try h.metric(assign.trial, seq: 1, epoch: 1, loss: 0.7), now: 1)
        let restarted = try Coordinator(store: Store(path: h.path), trials: TrialSpec.rules, options: h.options)
        #expect(restarted.session != h.coordinator.session)
        // Before HELLO the new coordinator does not know the peer.
        let unknown = restarted.handle(worker: w1, frames: try h.metric(assign.trial, seq: 2, epoch: 2, loss: 0.6), now: 2)
        #expect(try body(unknown[0], ProtocolError.Body.self).code == .unknownPeer)
        let welcome = restarted.handle(worker: w1, frames: try h.hello("w1", running: [Body.Running(trial: assign.trial, attempt: 1, lastSeq: 1)]), now: 2)
        #expect(types(welcome) == [.welcome], "adopted: no new assignment")
        #expect(try body(welcome[0], Body.Welcome.self).adopt.map(\.trial) == [assign.trial])
        #expect(types(restarted.handle(worker: w1, frames: try h.metric(assign.trial, seq: 2, epoch: 2, loss: 0.6), now: 3)) == [.ack, .decision])
        #expect(try restarted.store.history(study: "s-000001", metric: "validation_loss")[0].reports == [1: 0.7, 2: 0.6])
    }

    @Test("the stopper's decision reaches the worker with its reason, and the trial is recorded as pruned")
    func stopping() throws {
        let h = try Harness(trials: 3, concurrent: 3, stopper: "asha")
        let c = h.coordinator
        var assigns: [(Data, Body.Assign)] = []
        for (peer, name) in [(w1, "w1"), (w2, "w2"), (Data("w3".utf8), "w3")] {
            let out = c.handle(worker: peer, frames: try h.hello(name), now: 0)
            assigns.append((peer, try body(out[1], Body.Assign.self)))
        }
        var decisions: [Body.Decision] = []
        for ((peer, assign), loss) in zip(assigns, [0.3, 0.9, 0.5]) {
            let out = c.handle(worker: peer, frames: try h.metric(assign.trial, seq: 1, epoch: 1, loss: loss), now: 1)
            decisions.append(try body(out[1], Body.Decision.self))
        }
        // Rung 1, factor 2: of the three, the top one continues once all three reported.
        #expect(decisions[1].continue == false && decisions[1].reason?.rule == .asha)
        let history = try c.store.history(study: "s-000001", metric: "validation_loss")
        #expect(history.first { $0.number == 1 }?.state == .pruned)
        #expect(try c.store.stopReason(study: "s-000001", number: 1)?.rule == .asha)
    }

    @Test("after every kind of transition the study in memory is the study the store holds")
    func memoryIsStore() throws {
        let h = try Harness(trials: 3, concurrent: 3, stopper: "asha")
        let c = h.coordinator
        let w3 = Data("w3".utf8)
        let assigns = try h.join(["w1", "w2", "w3"])
        for (peer, loss) in [(w1, 0.3), (w2, 0.9)] {
            _ = types(c.handle(worker: peer, frames: try h.metric(assigns[peer]!.trial, seq: 1, epoch: 1, loss: loss), now: 1))
        }
        _ = types(c.handle(worker: w1, frames: try h.frames(.done, Body.Done(trial: assigns[w1]!.trial, attempt: 1, seq: 2, status: .completed,
                                                                             metrics: ["validation_loss": 0.25])), now: 2))
        _ = types(c.handle(worker: w3, frames: try h.metric(assigns[w3]!.trial, seq: 1, epoch: 1, loss: 0.1), now: 2))
        _ = types(c.handle(worker: w3, frames: try h.frames(.bye, Body.Bye(reason: "shutdown")), now: 2))
        let restarted = try Coordinator(store: Store(path: h.path), trials: TrialSpec.rules, options: h.options)
        let live = c.studies["s-000001"]!, stored = restarted.studies["s-000001"]!
        #expect(live.state == stored.state && live.trials == stored.trials && live.attempts == stored.attempts && live.workers == stored.workers)
        #expect(c.status(live, now: 3) == restarted.status(stored, now: 3))
        let rows = c.leaderboard(live, top: 10, now: 3), again = restarted.leaderboard(stored, top: 10, now: 3)
        #expect(rows.count == again.count && zip(rows, again).allSatisfy { $0.same(as: $1) })
        #expect(c.studies["s-000001"]!.trials.map(\.state) == [.completed, .pruned, .queued], "done, stopped by ASHA, given back by BYE")
    }

    @Test("only the worker holding an attempt may report on it; a report on an ended trial is not stored, and a stop is said again")
    func ownership() throws {
        let h = try Harness(trials: 3, concurrent: 3, stopper: "asha")
        let c = h.coordinator
        let w3 = Data("w3".utf8)
        let assigns = try h.join(["w1", "w2", "w3"])
        let theirs = assigns[w1]!
        let forged = c.handle(worker: w2, frames: try h.frames(.done, Body.Done(trial: theirs.trial, attempt: 1, seq: 9, status: .completed,
                                                                                metrics: ["validation_loss": -999])), now: 1)
        #expect(try body(forged[0], ProtocolError.Body.self).code == .staleAttempt)
        let report = c.handle(worker: w2, frames: try h.metric(theirs.trial, seq: 1, epoch: 1, loss: -999), now: 1)
        #expect(try body(report[0], ProtocolError.Body.self).code == .staleAttempt)
        #expect(c.studies["s-000001"]!.trials[0].state == .running && c.studies["s-000001"]!.trials[0].reports.isEmpty)
        // ASHA stops w2's trial; its next report (it had not heard) is acknowledged, not stored, and told to stop again.
        _ = types(c.handle(worker: w1, frames: try h.metric(assigns[w1]!.trial, seq: 1, epoch: 1, loss: 0.3), now: 2))
        let stop = c.handle(worker: w2, frames: try h.metric(assigns[w2]!.trial, seq: 1, epoch: 1, loss: 0.9), now: 2)
        #expect(try types(stop) == [.ack, .decision] && !body(stop[1], Body.Decision.self).continue)
        let late = c.handle(worker: w2, frames: try h.metric(assigns[w2]!.trial, seq: 2, epoch: 2, loss: 0.8), now: 3)
        #expect(types(late) == [.ack, .decision])
        let again = try body(late[1], Body.Decision.self)
        #expect(!again.continue && again.reason?.rule == .asha && again.epoch == 2)
        #expect(try c.store.history(study: "s-000001", metric: "validation_loss")[1].reports == [1: 0.9], "the late report is not stored")
        // A worker that says BYE is listed as left, and busy workers by study and trial number.
        _ = types(c.handle(worker: w3, frames: try h.frames(.bye, Body.Bye(reason: "shutdown")), now: 4))
        let listed = try body(c.handle(client: Data("cli".utf8), frames: try h.frames(.workers, Body.Empty()), now: 4)[0], Body.WorkersReply.self)
        #expect(listed.workers.map(\.state) == [.busy, .busy, .left])
        #expect(listed.workers[0].study == "s-000001" && listed.workers[0].number == 0)
    }

    /// A coordinator serving one study of command trials, and four workers holding its first trials.
    func commandStudy() throws -> (Harness, Coordinator, String, [(Data, Body.Assign)]) {
        let h = try Harness(trials: 1, concurrent: 1)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("command-\(UUID().uuidString).sqlite").path
        let c = try Coordinator(store: Store(path: path), trials: TrialSpec.rules, options: h.options)
        let spec = try Config.parse(yaml: "{study: broken, objective: {metric: loss}, command: [train.py, '{x}'], space: {x: {low: 0, high: 1}}, budget: {max_trials: 10, max_concurrent: 4}}", source: "t")
        let id = try c.submit(StudySpec(config: spec, trials: TrialSpec.rules), config: spec)
        let held = try (1...4).map { i -> (Data, Body.Assign) in
            let peer = Data("w\(i)".utf8)
            return (peer, try body(c.handle(worker: peer, frames: try h.hello("w\(i)"), now: 0)[1], Body.Assign.self))
        }
        return (h, c, id, held)
    }

    /// Four workers join and each runs a trial: every one reports (loss + 0.1, seconds / 2) at
    /// epoch 1, and all but the last then finish on (loss, seconds). The assignments, by worker.
    func play(_ h: Harness, _ results: [(Double, Double)]) throws -> [Body.Assign] {
        let c = h.coordinator
        let assigns = try (1...results.count).map { i in try body(c.handle(worker: Data("w\(i)".utf8), frames: try h.hello("w\(i)"), now: 0)[1], Body.Assign.self) }
        for (i, a) in assigns.enumerated() {
            let metrics = ["validation_loss": results[i].0 + 0.1, "seconds": results[i].1 / 2]
            _ = types(c.handle(worker: Data("w\(i + 1)".utf8), frames: try h.frames(.metric, Body.Metric(trial: a.trial, attempt: 1, seq: 1, epoch: 1, metrics: metrics)), now: 1))
        }
        for (i, a) in assigns.dropLast().enumerated() {
            let done = Body.Done(trial: a.trial, attempt: 1, seq: 2, status: .completed, metrics: ["validation_loss": results[i].0, "seconds": results[i].1])
            _ = types(c.handle(worker: Data("w\(i + 1)".utf8), frames: try h.frames(.done, done), now: 2))
        }
        return assigns
    }

    /// The first study's leaderboard, as a follower first sees it.
    func follow(_ h: Harness, _ c: Coordinator) throws -> Body.Rows {
        try body(c.handle(client: Data("cli".utf8), frames: try h.frames(.follow, Body.Follow(study: "s-000001")), now: 3)[0], Body.Rows.self)
    }

    @Test("several objectives: every one is kept per report and at the end, the leaderboard and status show the Pareto front, and a restart rebuilds it")
    func severalObjectives() throws {
        let h = try Harness(trials: 4, concurrent: 4, objective: "[{metric: validation_loss}, {metric: seconds}]")
        let c = h.coordinator
        // (loss, seconds): trials 0 and 1 trade one for the other, 2 is dominated by 0, 3 reports once and runs on.
        let assigns = try play(h, [(0.2, 5), (0.5, 1), (0.3, 6), (0.9, 9)])
        let rows = try follow(h, c)
        let number = { (a: Body.Assign) in a.number! }
        #expect(rows.rows.map(\.trial) == [number(assigns[0]), number(assigns[1]), number(assigns[2]), number(assigns[3])], "by front, then the first objective; the running trial last")
        #expect(rows.rows.map(\.front) == [1, 1, 2, nil] && rows.rows.map(\.dominated) == [0, 0, 1, nil])
        #expect(rows.rows[0].values == [0.2, 5] && rows.rows[3].values == [1.0, 4.5], "a running trial shows its latest report")
        #expect(rows.status.objectives == ["validation_loss minimize", "seconds minimize"] && rows.status.front == 2)
        #expect(rows.status.best == number(assigns[0]) && rows.status.objective == 0.2)
        let history = try c.store.history(study: "s-000001", metrics: ["validation_loss", "seconds"])
        #expect(history.first { $0.number == number(assigns[1]) }?.values == [0.5, 1])
        let exported = try body(c.handle(client: Data("cli".utf8), frames: try h.frames(.export, Body.Export(study: "s-000001")), now: 3)[0], Body.Exported.self)
        let second = try #require(exported.trials.first { $0[path: "trial"] == .number(Double(number(assigns[2]))) })
        #expect(second[path: "values"] == .array([.number(0.3), .number(6)]) && second[path: "front"] == .number(2) && second[path: "dominated"] == .number(1))
        #expect(exported.trials.first { $0[path: "trial"] == .number(Double(number(assigns[3]))) }?[path: "front"] == nil, "a running trial has no place yet")

        let restarted = try Coordinator(store: Store(path: h.path), trials: TrialSpec.rules, options: h.options)
        let again = try follow(h, restarted)
        #expect(again.rows.map(\.trial) == rows.rows.map(\.trial) && again.rows.map(\.front) == rows.rows.map(\.front))
        #expect(again.rows.map(\.values) == rows.rows.map(\.values), "every objective's values come back from the store")
    }

    @Test("with a constraint, infeasible trials are kept and shown after feasible ones, and the best is the best feasible, after a restart too")
    func constraints() throws {
        let h = try Harness(trials: 4, concurrent: 4, constraints: "[{metric: seconds, max: 3}]")
        let c = h.coordinator
        // (loss, seconds): 0 has the lowest loss but ends over the bound (within it at epoch 1);
        // 1 and 2 keep it; 3 reports once, over it, and runs on.
        let assigns = try play(h, [(0.2, 5), (0.5, 1), (0.3, 2), (0.9, 9)])
        let number = { (i: Int) in assigns[i].number! }
        let rows = try follow(h, c)
        #expect(rows.rows.map(\.trial) == [number(2), number(1), number(0), number(3)], "feasible by loss, then infeasible by loss")
        #expect(rows.rows.map(\.feasible) == [true, true, false, false])
        #expect(rows.rows.map(\.violations) == [[-1], [-2], [2], [1.5]], "how far past the bound: final, else the latest report's")
        #expect(rows.status.best == number(2) && rows.status.objective == 0.3, "the best feasible, not the lowest loss")
        #expect(rows.status.constraints == ["seconds ≤ 3"] && rows.status.feasible == 2)
        let exported = try body(c.handle(client: Data("cli".utf8), frames: try h.frames(.export, Body.Export(study: "s-000001")), now: 3)[0], Body.Exported.self)
        let first = try #require(exported.trials.first { $0[path: "trial"] == .number(Double(number(0))) })
        #expect(first[path: "feasible"] == .bool(false) && first[path: "violations"] == .array([.number(2)]))

        let restarted = try Coordinator(store: Store(path: h.path), trials: TrialSpec.rules, options: h.options)
        let again = try follow(h, restarted)
        #expect(again.rows.map(\.trial) == rows.rows.map(\.trial) && again.rows.map(\.violations) == rows.rows.map(\.violations))
        #expect(again.status.best == number(2) && again.status.feasible == 2)
    }

    @Test("a trial that never reports the objective failed, and its reason says what it did report")
    func noObjective() throws {
        let (h, c, id, held) = try commandStudy()
        let (peer, a) = held[0]
        _ = types(c.handle(worker: peer, frames: try h.frames(.metric, Body.Metric(trial: a.trial, attempt: 1, seq: 1, epoch: 1, metrics: ["los": 0.5])), now: 1))
        _ = types(c.handle(worker: peer, frames: try h.frames(.done, Body.Done(trial: a.trial, attempt: 1, seq: 2, status: .completed, metrics: ["los": 0.5])), now: 1))
        let study = c.studies[id]!
        #expect(study.trials[0].state == .failed)
        #expect(study.trials[0].reason?.detail == "the trial ended without reporting 'loss' (did you mean 'los'?); it reported los")
        let rows = try body(c.handle(client: Data("cli".utf8), frames: try h.frames(.follow, Body.Follow(study: id)), now: 2)[0], Body.Rows.self)
        #expect(rows.rows.contains { $0.trial == 0 && $0.reason?.hasPrefix("error: the trial ended without reporting 'loss'") == true })
        #expect(study.state == .running, "one failure is not a pattern")
    }

    @Test("a study whose first trials all fail alike fails with that reason, stops its running trials and starts no more")
    func failFast() throws {
        let (h, c, id, held) = try commandStudy()
        var out: [Coordinator.Outgoing] = []
        for (peer, t) in held.prefix(3) {
            out = c.handle(worker: peer, frames: try h.frames(.done, Body.Done(trial: t.trial, attempt: 1, seq: 1, status: .failed, error: "No such file: data.csv")), now: 1)
        }
        let study = c.studies[id]!
        #expect(study.state == .failed && study.reason == "the first 3 trials all failed: No such file: data.csv")
        // Trials 4 and 5 started on the workers the first two failures freed; all three still running are stopped.
        #expect(study.trials.count == 6)
        #expect(types(out).filter { $0 == .stop }.count == 3 && !types(out).contains(.assign), "every running trial is stopped; nothing new is assigned")
        #expect(out.contains { $0.envelope.header.type == .stop && $0.peer == held[3].0 })
        let status = try body(c.handle(client: Data("cli".utf8), frames: try h.frames(.status, Body.StudyRef(study: id)), now: 2)[0], Body.StatusReply.self)
        #expect(status.studies[0].state == .failed && status.studies[0].reason == study.reason)
        #expect(try c.store.studies().first { $0.id == id }?.reason == study.reason, "stored, so a restart shows it too")
    }

    @Test("studies share workers: round-robin, or by priority; a later study does not wait for an earlier one's budget")
    func fairShare() throws {
        func shares(priority: Double) throws -> [String: Int] {
            let h = try Harness(trials: 1, concurrent: 1)
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("fair-\(UUID().uuidString).sqlite").path
            let c = try Coordinator(store: Store(path: path), trials: TrialSpec.rules, options: h.options)
            for (name, share) in [("first", 1.0), ("second", priority)] {
                let spec = try Config.parse(yaml: "{study: \(name), objective: {metric: loss}, command: [t, '{x}'], space: {x: {low: 0, high: 1}}, budget: {max_trials: 50, max_concurrent: 10}, priority: \(share)}", source: "t")
                _ = try c.submit(StudySpec(config: spec, trials: TrialSpec.rules), config: spec)
            }
            var running: [String: Int] = [:]
            for i in 0..<6 {
                let assign = try body(c.handle(worker: Data("w\(i)".utf8), frames: try h.hello("w\(i)"), now: 0)[1], Body.Assign.self)
                running[assign.study, default: 0] += 1
            }
            return running
        }
        #expect(try shares(priority: 1) == ["s-000001": 3, "s-000002": 3])
        #expect(try shares(priority: 2) == ["s-000001": 2, "s-000002": 4])
    }

    @Test("a trial's output is kept at the coordinator, the newest lines only, and read back by study and trial number")
    func output() throws {
        var h = try Harness(trials: 2, concurrent: 2)
        h.coordinator = try Coordinator(store: Store(path: h.path), trials: TrialSpec.rules, options: {
            var options = h.options
            options.outputLines = 3
            return options
        }())
        let c = h.coordinator
        let a = try body(c.handle(worker: w1, frames: try h.hello("w1"), now: 0)[1], Body.Assign.self)
        let b = try body(c.handle(worker: w2, frames: try h.hello("w2"), now: 0)[1], Body.Assign.self)
        let lines = (1...5).map { Body.Line($0 == 5 ? .stderr : .stdout, "line \($0)") }
        #expect(types(c.handle(worker: w1, frames: try h.frames(.log, Body.Log(trial: a.trial, attempt: 1, lines: lines)), now: 1)).isEmpty)
        let forged = c.handle(worker: w2, frames: try h.frames(.log, Body.Log(trial: a.trial, attempt: 1, lines: [Body.Line(.stdout, "forged")])), now: 1)
        #expect(try body(forged[0], ProtocolError.Body.self).code == .staleAttempt)
        _ = b
        func read(_ after: Int) throws -> Body.LogsReply {
            try body(c.handle(client: Data("cli".utf8), frames: try h.frames(.logs, Body.Logs(study: "s-000001", trial: a.number!, after: after)), now: 2)[0], Body.LogsReply.self)
        }
        let first = try read(0)
        #expect(first.lines == Array(lines.suffix(3)) && first.running, "the newest three lines, and the trial still runs")
        _ = c.handle(worker: w1, frames: try h.frames(.log, Body.Log(trial: a.trial, attempt: 1, lines: [Body.Line(.stderr, "line 6")])), now: 3)
        #expect(try read(first.next).lines == [Body.Line(.stderr, "line 6")], "--follow asks for what came after")
        let missing = c.handle(client: Data("cli".utf8), frames: try h.frames(.logs, Body.Logs(study: "s-000001", trial: 9)), now: 3)
        #expect(try body(missing[0], ProtocolError.Body.self).message.contains("has no trial 9"))
    }

    @Test("a trial past budget.trial_timeout is stopped and recorded as failed by timeout; its late DONE changes nothing")
    func trialTimeout() throws {
        let h = try Harness(trials: 1, concurrent: 1)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("timeout-\(UUID().uuidString).sqlite").path
        let c = try Coordinator(store: Store(path: path), trials: TrialSpec.rules, options: h.options)
        let spec = try Config.parse(yaml: "{study: slow, objective: {metric: loss}, command: [t, '{x}'], space: {x: {low: 0, high: 1}}, budget: {max_trials: 3, max_concurrent: 1, trial_timeout: 5}}", source: "t")
        let id = try c.submit(StudySpec(config: spec, trials: TrialSpec.rules), config: spec)
        let a = try body(c.handle(worker: w1, frames: try h.hello("w1"), now: 100)[1], Body.Assign.self)
        for t in [102.0, 104] { _ = c.handle(worker: w1, frames: try h.frames(.heartbeat, Body.Empty()), now: t) }
        #expect(try c.tick(now: 104).allSatisfy { $0.envelope.header.type != .stop }, "within its time")
        _ = c.handle(worker: w1, frames: try h.frames(.heartbeat, Body.Empty()), now: 105.5)
        let out = try c.tick(now: 105.5)
        let stop = try body(try #require(out.first { $0.envelope.header.type == .stop }), Body.Stop.self)
        #expect(stop.trial == a.trial && stop.reason == .timeout)
        let trial = c.studies[id]!.trials[0]
        #expect(trial.state == .failed && trial.reason?.rule == .timeout)
        let done = c.handle(worker: w1, frames: try h.frames(.done, Body.Done(trial: a.trial, attempt: 1, seq: 1, status: .stopped)), now: 106)
        #expect(types(done) == [.ack, .assign], "acknowledged, still failed; the worker gets the next trial")
        #expect(c.studies[id]!.trials[0].state == .failed)
    }

    @Test("malformed frames, wrong versions and unknown types get an error reply; the coordinator goes on")
    func badMessages() throws {
        let h = try Harness()
        let c = h.coordinator
        #expect(try body(c.handle(worker: w1, frames: [Data("junk".utf8)], now: 0)[0], ProtocolError.Body.self).code == .badRequest)
        #expect(try body(c.handle(worker: w1, frames: [Data("SWEEP/9".utf8), Data("{}".utf8), Data("{}".utf8)], now: 0)[0], ProtocolError.Body.self).code == .unsupportedProtocol)
        let unknown = [Data("SWEEP/1".utf8), Data(#"{"type":"DANCE","id":"x"}"#.utf8), Data("{}".utf8)]
        #expect(try body(c.handle(worker: w1, frames: unknown, now: 0)[0], ProtocolError.Body.self).code == .unknownType)
        let badHello = [Data("SWEEP/1".utf8), Data(#"{"type":"HELLO","id":"y"}"#.utf8), Data(#"{"worker":3}"#.utf8)]
        #expect(try body(c.handle(worker: w1, frames: badHello, now: 0)[0], ProtocolError.Body.self).code == .badRequest)
        #expect(types(c.handle(worker: w1, frames: try h.hello("w1"), now: 0)).first == .welcome, "still serving")
    }

    @Test("when the budget is spent, the best configuration is retrained as the final trial and its test score completes the study")
    func completion() throws {
        let h = try Harness(trials: 2, concurrent: 1)
        let c = h.coordinator
        var next = c.handle(worker: w1, frames: try h.hello("w1"), now: 0).first { $0.envelope.header.type == .assign }
        var assigns: [Body.Assign] = []
        while let out = next {
            let assign = try body(out, Body.Assign.self)
            assigns.append(assign)
            let metrics: [String: Double] = assign.test == true ? ["validation_loss": 0.2, "test_accuracy": 0.9]
                : ["validation_loss": assigns.count == 1 ? 0.2 : 0.6]
            next = c.handle(worker: w1, frames: try h.frames(.done, Body.Done(trial: assign.trial, attempt: 1, seq: 1, status: .completed,
                                                                            metrics: metrics, error: nil)), now: 1)
                .first { $0.envelope.header.type == .assign }
        }
        #expect(assigns.map { $0.test == true } == [false, false, true])
        // The final trial is trial 0 (the better one) again, with its seed: the same model, retrained.
        #expect(assigns[2].config == assigns[0].config && assigns[2].seed == assigns[0].seed)
        let record = try #require(try c.store.studies().first)
        #expect(record.state == .completed)
        #expect(record.test?[path: "test_accuracy"] == .number(0.9) && record.test?[path: "trial"] == .number(0))
        #expect(try c.store.history(study: "s-000001", metric: "validation_loss").count == 2, "samplers never see the final trial")
    }

    @Test("a worker that says BYE gives its trial back at once")
    func bye() throws {
        let h = try Harness(trials: 1, concurrent: 1)
        let c = h.coordinator
        let assign = try body(c.handle(worker: w1, frames: try h.hello("w1"), now: 0)[1], Body.Assign.self)
        _ = c.handle(worker: w1, frames: try h.frames(.bye, Body.Bye(reason: "shutdown")), now: 1)
        let again = c.handle(worker: w2, frames: try h.hello("w2"), now: 2)
        #expect(types(again) == [.welcome, .assign])
        let second = try body(again[1], Body.Assign.self)
        #expect(second.trial == assign.trial && second.attempt == 2)
    }

    @Test("after a restart, a running trial whose worker never returns runs again after the grace")
    func orphan() throws {
        let h = try Harness(trials: 1, concurrent: 1)
        let assign = try body(h.coordinator.handle(worker: w1, frames: try h.hello("w1"), now: 0)[1], Body.Assign.self)
        let restarted = try Coordinator(store: Store(path: h.path), trials: TrialSpec.rules, options: h.options)
        #expect(types(restarted.handle(worker: w2, frames: try h.hello("w2"), now: 0)) == [.welcome], "still leased to w1")
        var reassigned: Body.Assign?
        for t in stride(from: 0.0, through: 12, by: 1) {
            _ = restarted.handle(worker: w2, frames: try h.frames(.heartbeat, Body.Empty()), now: t)
            if let out = try restarted.tick(now: t).first(where: { $0.envelope.header.type == .assign }) { reassigned = try body(out, Body.Assign.self) }
        }
        #expect(reassigned?.trial == assign.trial && reassigned?.attempt == 2)
    }
}

@Suite("Coordinator client messages")
struct ClientTests {
    let client = Data("cli".utf8), w1 = Data("w1".utf8)

    @Test("an invalid spec is refused with every problem's path and nothing is stored")
    func invalidSubmit() throws {
        let h = try Harness()
        let spec = try Config.parse(yaml: "{study: x, space: {optimizer.lr: {low: 0, high: 1, log: true}}, budgett: 1}", source: "t")
        let out = h.coordinator.handle(client: client, frames: try h.frames(.submit, Body.Submit(spec: spec)), now: 0)
        let error = try body(out[0], ProtocolError.Body.self)
        #expect(error.code == .invalidSpec)
        #expect(Set(error.problems?.map(\.path) ?? []) == ["budgett", "space.optimizer.lr.low"])
        #expect(try h.coordinator.store.studies().count == 1, "only the harness's own study")
    }

    @Test("submit, status, follow and cancel")
    func flow() throws {
        let h = try Harness()
        let c = h.coordinator
        let spec = try Config.parse(yaml: """
            {study: second, trial: {data: {dataset: moons}}, space: {optimizer.lr: {low: 0.001, high: 0.1, log: true}},
             strategy: {name: sobol}, budget: {max_trials: 2}}
            """, source: "t")
        let submitted = c.handle(client: client, frames: try h.frames(.submit, Body.Submit(spec: spec)), now: 0)
        #expect(try body(submitted[0], Body.Submitted.self).study == "s-000002")
        #expect(submitted[0].audience == .client)
        _ = c.handle(worker: w1, frames: try h.hello("w1"), now: 0)
        let status = try body(c.handle(client: client, frames: try h.frames(.status, Body.Empty()), now: 1)[0], Body.StatusReply.self)
        #expect(status.studies.map(\.study) == ["s-000001", "s-000002"])
        #expect(status.studies.map(\.running).reduce(0, +) == 1)
        let snapshot = try body(c.handle(client: client, frames: try h.frames(.follow, Body.Follow(study: "s-000001")), now: 1)[0], Body.Rows.self)
        #expect(snapshot.rows.count == 1 && snapshot.rows[0].status == .running)
        let cancelled = c.handle(client: client, frames: try h.frames(.cancel, Body.StudyRef(study: "s-000001")), now: 2)
        #expect(types(cancelled) == [.stop, .ok], "the running trial is told to stop now")
        #expect(cancelled[0].peer == w1 && cancelled[0].audience == .worker)
        #expect(try c.store.studies()[0].state == .cancelled)
        let missing = c.handle(client: client, frames: try h.frames(.follow, Body.Follow(study: "s-000404")), now: 2)
        #expect(try body(missing[0], ProtocolError.Body.self).code == .unknownStudy)
    }
}

@Suite("Coordinator leaderboards")
struct FollowTests {
    let client = Data("cli".utf8), w1 = Data("w1".utf8), w2 = Data("w2".utf8)

    @Test("a follower gets a snapshot, then an UPDATE with only the changed rows after each change, and none without one")
    func updates() throws {
        let h = try Harness(trials: 2, concurrent: 2)
        let c = h.coordinator
        let a1 = try body(c.handle(worker: w1, frames: try h.hello("w1"), now: 0)[1], Body.Assign.self)
        let a2 = try body(c.handle(worker: w2, frames: try h.hello("w2"), now: 0)[1], Body.Assign.self)
        let snapshot = try body(c.handle(client: client, frames: try h.frames(.follow, Body.Follow(study: "s-000001", top: 5)), now: 0)[0],
                                Body.Rows.self)
        #expect(snapshot.seq == 0 && snapshot.count == 2 && snapshot.status.running == 2)
        #expect(c.updates(now: 0).isEmpty, "nothing changed")
        _ = c.handle(worker: w2, frames: try h.metric(a2.trial, seq: 1, epoch: 1, loss: 0.3), now: 1)
        var update = try body(try #require(c.updates(now: 0).first), Body.Rows.self)
        #expect(update.seq == 1 && update.rows.map(\.trial) == [1, 0], "trial 1 reported first: it leads, trial 0 moves down")
        #expect(update.rows[0].objective == 0.3 && update.rows[0].worker == "w2" && update.rows[0].epoch == 1)
        _ = c.handle(worker: w1, frames: try h.metric(a1.trial, seq: 1, epoch: 1, loss: 0.1), now: 2)
        update = try body(try #require(c.updates(now: 0).first), Body.Rows.self)
        #expect(update.seq == 2 && update.rows.map(\.trial) == [0, 1], "trial 0 moved to the top: both ranks changed")
        // A silent follower is dropped.
        _ = try c.tick(now: 40)
        _ = c.handle(worker: w1, frames: try h.metric(a1.trial, seq: 2, epoch: 2, loss: 0.05), now: 40)
        #expect(c.updates(now: 0).isEmpty)
    }

    @Test("a watcher gets every trial with the spec, then pushes of only the trials that changed, each with its curve, worker and times")
    func watch() throws {
        let h = try Harness(trials: 3, concurrent: 2)
        let c = h.coordinator
        let a1 = try body(c.handle(worker: w1, frames: try h.hello("w1"), now: 0)[1], Body.Assign.self)
        let a2 = try body(c.handle(worker: w2, frames: try h.hello("w2"), now: 0)[1], Body.Assign.self)
        let full = try body(c.handle(client: client, frames: try h.frames(.watch, Body.StudyRef(study: "s-000001")), now: 1)[0], Body.Trials.self)
        #expect(full.full && full.seq == 0 && full.spec != nil)
        #expect(full.trials.map(\.trial) == [0, 1] && full.trials.allSatisfy { $0.status == .running && $0.started == 0 })
        #expect(Set(full.trials.compactMap(\.worker)) == ["w1", "w2"])
        #expect(c.updates(now: 1).isEmpty, "nothing changed")
        _ = c.handle(worker: w1, frames: try h.metric(a1.trial, seq: 1, epoch: 1, loss: 0.4), now: 2)
        _ = c.handle(worker: w1, frames: try h.metric(a1.trial, seq: 2, epoch: 2, loss: 0.3), now: 3)
        let push = try body(try #require(c.updates(now: 3).first), Body.Trials.self)
        #expect(!push.full && push.seq == 1 && push.spec == nil)
        #expect(push.trials.map(\.trial) == [0], "only the trial that reported, not the one that did not")
        #expect(push.trials[0].epochs == [1, 2] && push.trials[0].values == [0.4, 0.3])
        // Export can name one trial.
        let one = try body(c.handle(client: Data("other".utf8), frames: try h.frames(.export, Body.Export(study: "s-000001", trials: [0])), now: 3)[0],
                           Body.Exported.self)
        #expect(one.trials.count == 1 && one.trials[0][path: "trial"] == .number(0))
        // The service makes export replies beside its loop: the message gets none at once, then one read.
        c.detachReads = true
        #expect(c.handle(client: Data("other".utf8), frames: try h.frames(.export, Body.Export(study: "s-000001")), now: 3).isEmpty)
        let reads = c.takeDetached()
        #expect(reads.count == 1 && c.takeDetached().isEmpty)
        #expect(try body(reads[0].make(), Body.Exported.self).trials.count == 2)
        // So is the full TRIALS of a watch; its pushes wait until it is sent, then carry every change since.
        let watcher = Data("watcher".utf8)
        #expect(c.handle(client: watcher, frames: try h.frames(.watch, Body.StudyRef(study: "s-000001")), now: 3).isEmpty)
        let watched = c.takeDetached()
        let sent = try #require(watched.first?.sent)
        _ = c.handle(worker: w2, frames: try h.metric(a2.trial, seq: 1, epoch: 1, loss: 0.6), now: 3)
        #expect(c.updates(now: 3).allSatisfy { $0.peer != watcher }, "no push before the full reply is on its way")
        let late = try body(watched[0].make(), Body.Trials.self)
        #expect(late.full && late.seq == 0 && late.trials.first { $0.worker == "w2" }?.values == [])
        sent.set()
        let caught = try body(try #require(c.updates(now: 3).first { $0.peer == watcher }), Body.Trials.self)
        #expect(caught.seq == 1 && caught.trials.map(\.worker) == ["w2"] && caught.trials[0].values == [0.6])
        c.detachReads = false
        // Unfollowing stops the pushes.
        for peer in [client, watcher] { _ = c.handle(client: peer, frames: try h.frames(.unfollow, Body.StudyRef(study: "s-000001")), now: 4) }
        _ = c.handle(worker: w1, frames: try h.metric(a1.trial, seq: 3, epoch: 3, loss: 0.2), now: 4)
        #expect(c.updates(now: 4).isEmpty)
        let unknown = c.handle(client: client, frames: try h.frames(.watch, Body.StudyRef(study: "s-000404")), now: 4)
        #expect(try body(unknown[0], ProtocolError.Body.self).code == .unknownStudy)
    }

    @Test("export lists every trial with its parameters, status, stop reason and per-epoch metrics; workers lists the workers")
    func exportAndWorkers() throws {
        let h = try Harness(trials: 1, concurrent: 1)
        let c = h.coordinator
        let a = try body(c.handle(worker: w1, frames: try h.hello("w1"), now: 0)[1], Body.Assign.self)
        _ = c.handle(worker: w1, frames: try h.metric(a.trial, seq: 1, epoch: 1, loss: 0.5), now: 1)
        _ = c.handle(worker: w1, frames: try h.metric(a.trial, seq: 2, epoch: 2, loss: 0.4), now: 1)
        let exported = try body(c.handle(client: client, frames: try h.frames(.export, Body.StudyRef(study: "s-000001")), now: 2)[0], Body.Exported.self)
        #expect(exported.trials.count == 1)
        let trial = exported.trials[0]
        #expect(trial[path: "status"] == .string("running") && trial[path: "worker"] == .string("w1"))
        guard case let .object(params)? = trial[path: "config"] else { Issue.record("no config"); return }
        #expect(params["optimizer.lr"] == a.config?[path: "optimizer.lr"])
        guard case let .array(epochs)? = trial[path: "metrics"] else { Issue.record("no metrics"); return }
        #expect(epochs.map { $0[path: "validation_loss"] } == [.number(0.5), .number(0.4)] && epochs.map { $0[path: "epoch"] } == [.number(1), .number(2)])
        let listed = try body(c.handle(client: client, frames: try h.frames(.workers, Body.Empty()), now: 3)[0], Body.WorkersReply.self)
        #expect(listed.workers.map(\.worker) == ["w1"] && listed.workers[0].state == .busy && listed.workers[0].trial == a.trial)
    }
}
