import Foundation
import Testing
import Config
import TrialSpecs
import Search
import Protocol
import Store
@testable import Coordinator

/// A coordinator with one study of `yaml` (its id `s-000001`), spoken to as workers and a client do.
struct Lab {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("life-\(UUID().uuidString).sqlite").path
    var options = Coordinator.Options()
    var c: Coordinator
    let client = Data("cli".utf8)
    static let base = """
        study: life
        objective: {metric: validation_loss}
        trial: {data: {dataset: spirals}, epochs: 2}
        space: {optimizer.lr: {low: 0.001, high: 0.1, log: true}, model.activation: {values: [relu, tanh]}}
        strategy: {name: random}
        """

    init(_ extra: String = "budget: {max_trials: 3, max_concurrent: 2}", options: Coordinator.Options = Coordinator.Options()) throws {
        self.options = options
        self.options.heartbeat = 1
        self.options.liveness = 3
        self.options.leaseGrace = 10
        c = try Coordinator(store: Store(path: path), trials: TrialSpec.rules, options: self.options)
        try submit(Self.base + "\n" + extra)
    }

    @discardableResult
    func submit(_ yaml: String, warm: Body.WarmStart? = nil) throws -> Body.Submitted {
        let spec = try Config.parse(yaml: yaml, source: "test")
        return try body(c.handle(client: client, frames: frames(.submit, Body.Submit(spec: spec, warmStart: warm)), now: 0)[0], Body.Submitted.self)
    }

    func frames<B: MessageBody>(_ type: MessageType, _ body: B) -> [Data] { Envelope(type, id: UUID().uuidString, body: body).frames() }

    func ask<B: MessageBody>(_ type: MessageType, _ request: B, now: Double = 1) -> [Coordinator.Outgoing] {
        let out = c.handle(client: client, frames: frames(type, request), now: now)
        out.forEach(conforms)
        return out
    }

    func error<B: MessageBody>(_ type: MessageType, _ request: B) throws -> ProtocolError.Body {
        try body(ask(type, request)[0], ProtocolError.Body.self)
    }

    /// A worker says HELLO (as process `boot`); the trial it is given, if any.
    @discardableResult
    func hello(_ name: String, boot: String = "b", now: Double = 0) throws -> Body.Assign? {
        let out = c.handle(worker: Data(name.utf8), frames: frames(.hello, Body.Hello(worker: name, bootID: boot, host: "h", cores: 2, threads: 1,
                                                                                        version: "test", protoMin: 1, protoMax: 1, running: [])), now: now)
        return try out.first { $0.envelope.header.type == .assign }.map { try body($0, Body.Assign.self) }
    }

    /// A worker ends its trial; the next trial it is given, if any.
    @discardableResult
    func done(_ name: String, _ a: Body.Assign, _ status: RunStatus = .completed, loss: Double = 0.5, error: String? = nil,
              cause: FailureCause? = nil, now: Double = 1) throws -> Body.Assign? {
        let peer = Data(name.utf8)
        let metrics = status == .completed ? ["validation_loss": loss, "test_accuracy": 0.8] : [:]
        if status == .completed {
            _ = c.handle(worker: peer, frames: frames(.metric, Body.Metric(trial: a.trial, attempt: a.attempt, seq: 1, epoch: 2, metrics: ["validation_loss": loss])), now: now)
        }
        let out = c.handle(worker: peer, frames: frames(.done, Body.Done(trial: a.trial, attempt: a.attempt, seq: 2, status: status, metrics: metrics,
                                                                         error: error, cause: cause)), now: now)
        out.forEach(conforms)
        return try out.first { $0.envelope.header.type == .assign && $0.peer == peer }.map { try body($0, Body.Assign.self) }
    }

    var study: Study { c.studies["s-000001"]! }

    func status(_ id: String = "s-000001") throws -> Body.StudyStatus {
        try body(ask(.status, Body.StudyRef(study: id))[0], Body.StatusReply.self).studies[0]
    }

    func exported(_ id: String = "s-000001") throws -> [Config] {
        try body(ask(.export, Body.StudyRef(study: id))[0], Body.Exported.self).trials
    }

    /// Runs every trial a worker `w` is given to completion, losses from `losses` in turn.
    func drain(_ name: String, first: Body.Assign?, losses: [Double] = [0.5, 0.4, 0.3, 0.6, 0.2, 0.7, 0.9, 0.8]) throws {
        var next = first, i = 0
        while let a = next {
            next = try done(name, a, loss: losses[i % losses.count])
            i += 1
        }
    }
}

@Suite("Steering a study")
struct SteeringTests {
    @Test("enqueued configurations run next, before suggestions, checked against the space; a bad one is refused whole")
    func enqueue() throws {
        let lab = try Lab("budget: {max_trials: 4, max_concurrent: 1}")
        let outside = try lab.error(.enqueue, Body.Enqueue(study: "s-000001", trials: [
            .object(["optimizer.lr": .number(0.01), "model.activation": .string("relu")]),
            .object(["optimizer.lr": .number(0.5), "model.activation": .string("gelu"), "model.depth": .number(2)]),
        ]))
        #expect(outside.code == .invalidSpec)
        #expect(Set(outside.problems?.map(\.path) ?? []) == ["trials[1].optimizer.lr", "trials[1].model.activation", "trials[1].model.depth"])
        #expect(outside.problems?.first { $0.path == "trials[1].optimizer.lr" }?.message.contains("[0.001, 0.1] (log)") == true)
        #expect(lab.study.trials.isEmpty, "nothing was queued")
        let missing = try lab.error(.enqueue, Body.Enqueue(study: "s-000001", trials: [.object(["optimizer.lr": .number(0.01)])]))
        #expect(missing.problems?.map(\.path) == ["trials[0].model.activation"])

        let queued = try body(lab.ask(.enqueue, Body.Enqueue(study: "s-000001", trials: [
            .object(["optimizer.lr": .number(0.02), "model.activation": .string("tanh")]),
            .object(["optimizer.lr": .number(0.5), "model.activation": .string("relu")]),
        ], allowOutside: true))[0], Body.Queued.self)
        #expect(queued.trials == [0, 1])
        let first = try #require(try lab.hello("w1"))
        #expect(first.config?[path: "optimizer.lr"] == .number(0.02) && first.config?[path: "model.activation"] == .string("tanh"))
        let second = try #require(try lab.done("w1", first))
        #expect(second.config?[path: "optimizer.lr"] == .number(0.5), "the enqueued trial before any suggestion")
        let third = try #require(try lab.done("w1", second))
        #expect(third.number == 2 && lab.study.origins[2] == nil, "then the sampler's")
        let origins = try lab.exported().prefix(3).map { $0[path: "origin"] }
        #expect(origins == [.string("enqueued"), .string("outside"), .string("suggested")])
    }

    @Test("an enqueued value that the space allows but a trial cannot train on is refused at enqueue, not on a worker")
    func enqueueTrains() throws {
        let lab = try Lab()
        let bad = try lab.error(.enqueue, Body.Enqueue(study: "s-000001", trials: [.object(["optimizer.lr": .number(-1), "model.activation": .string("relu")])],
                                                       allowOutside: true))
        #expect(bad.code == .invalidSpec && bad.problems?.first?.message.contains("does not train") == true)
    }

    @Test("a completed study extended gets more trials from its whole history, then its best is retrained and scored again")
    func extend() throws {
        let lab = try Lab("budget: {max_trials: 2, max_concurrent: 1}")
        try lab.drain("w1", first: try lab.hello("w1"))
        #expect(lab.study.state == .completed && lab.study.test != nil)
        #expect(try lab.error(.extend, Body.Extend(study: "s-000001", trials: nil, wallTime: 60)).message.contains("used its trial budget"))

        let out = lab.ask(.extend, Body.Extend(study: "s-000001", trials: 2, wallTime: nil), now: 5)
        #expect(types(out) == [.ok, .assign], "the idle worker gets the next trial at once")
        #expect(lab.study.state == .running && lab.study.test == nil && lab.study.spec.budget.maxTrials == 4)
        #expect(try lab.status().budget == 4)
        try lab.drain("w1", first: try body(out[1], Body.Assign.self), losses: [0.1, 0.3])
        #expect(lab.study.trials.count == 4 && lab.study.state == .completed)
        let final = try #require(try lab.exported().first { $0[path: "final"] == .bool(true) })
        #expect(final[path: "attempt"] == .number(2), "the final trial retrained as its next attempt")
        #expect(lab.study.test?[path: "trial"] == .number(2), "the new best (loss 0.1) was scored")
        if case let .array(attempts)? = final[path: "attempts"] { #expect(attempts.count == 2) } else { Issue.record("no attempts") }
    }

    @Test("retry runs failed trials again as their next attempt; the failed attempt is kept")
    func retry() throws {
        let lab = try Lab("budget: {max_trials: 2, max_concurrent: 1, fail_fast: 0}")
        let a = try #require(try lab.hello("w1"))
        let b = try #require(try lab.done("w1", a, .failed, error: "CUDA error"))
        try lab.drain("w1", first: b)
        #expect(lab.study.state == .completed && lab.study.trials[0].state == .failed)
        #expect(try lab.error(.retry, Body.Retry(study: "s-000001", trials: [7])).message.contains("no trial 7"))

        let retried = lab.ask(.retry, Body.Retry(study: "s-000001", failed: true))
        #expect(try body(retried[0], Body.Queued.self).trials == [0] && lab.study.state == .running)
        let again = try body(retried[1], Body.Assign.self)
        #expect(again.trial == a.trial && again.attempt == 2)
        try lab.drain("w1", first: again, losses: [0.05])
        #expect(lab.study.trials[0].state == .completed && lab.study.test?[path: "trial"] == .number(0))
        guard case let .array(attempts)? = try lab.exported()[0][path: "attempts"] else { Issue.record("no attempts exported"); return }
        #expect(attempts.map { $0[path: "outcome"] } == [.string("failed"), .string("completed")])
        #expect(attempts[0][path: "stop_reason.detail"] == .string("CUDA error") && attempts[1][path: "value"] == .number(0.05))
        #expect(attempts.allSatisfy { $0[path: "worker"] == .string("w1") })
    }

    @Test("retries.max_failures runs a failed trial again on another worker, then counts it failed")
    func maxFailures() throws {
        let lab = try Lab("budget: {max_trials: 1, max_concurrent: 1}\nretries: {max_failures: 1}")
        let a = try #require(try lab.hello("w1"))
        try lab.hello("w2")
        #expect(try lab.done("w1", a, .failed, error: "exit status 1") == nil, "not again on w1 while w2 is free")
        let again = try #require(lab.study.workers[0] == "w2" ? lab.study.attempts[0] : nil)
        #expect(again == 2 && lab.study.trials[0].state == .running)
        let restarted = try Coordinator(store: Store(path: lab.path), trials: TrialSpec.rules, options: lab.options)
        #expect(restarted.studies["s-000001"]?.failures[0] == 1, "a restart counts the failure that re-queued it")
        try lab.done("w2", Body.Assign(trial: a.trial, attempt: 2, study: "s-000001", kind: .builtin, seed: 0, metric: "validation_loss"), .failed, error: "exit status 1")
        #expect(lab.study.trials[0].state == .failed, "one run again, then the failure is final")
        #expect(lab.study.failures[0] == 1)
    }

    @Test("rename, note and tags show in status; delete needs an ended study and never reuses its id")
    func describeAndDelete() throws {
        let lab = try Lab()
        _ = lab.ask(.describe, Body.Describe(study: "s-000001", name: "baseline", note: "lr above 0.05 diverges", tags: ["mlp", "fashion"]))
        let status = try lab.status()
        #expect(status.name == "baseline" && status.note == "lr above 0.05 diverges" && status.tags == ["mlp", "fashion"])
        #expect(try lab.error(.describe, Body.Describe(study: "s-000001", tags: ["two words"])).code == .badRequest)
        _ = lab.ask(.describe, Body.Describe(study: "s-000001", note: ""))
        #expect(try lab.status().note == nil && lab.study.tags == ["mlp", "fashion"], "an empty note clears it; tags stay")

        #expect(try lab.error(.delete, Body.StudyRef(study: "s-000001")).message.contains("cancel it first"))
        _ = lab.ask(.cancel, Body.StudyRef(study: "s-000001"))
        #expect(types(lab.ask(.delete, Body.StudyRef(study: "s-000001"))) == [.ok])
        #expect(try lab.error(.status, Body.StudyRef(study: "s-000001")).code == .unknownStudy)
        #expect(try lab.c.store.studies().isEmpty)
        #expect(try lab.submit(Lab.base).study == "s-000002", "a deleted study's id is not given out again")
        let restarted = try Coordinator(store: Store(path: lab.path), trials: TrialSpec.rules, options: lab.options)
        #expect(restarted.studies.keys.sorted() == ["s-000002"])
    }

    @Test("a warm start takes the old trials that fit the new space, says why it left the others, and spends no budget")
    func warmStart() throws {
        let lab = try Lab("budget: {max_trials: 6, max_concurrent: 1}")
        try lab.drain("w1", first: try lab.hello("w1"))
        let narrower = Lab.base.replacingOccurrences(of: "high: 0.1", with: "high: 0.01") + "\nstrategy: {name: tpe}\nbudget: {max_trials: 3}"
        let old = lab.study.trials.filter { $0.state == .completed }
        let inside = old.filter { if case let .number(lr)? = $0.configuration["optimizer.lr"] { lr <= 0.01 } else { false } }.count
        let submitted = try lab.submit(narrower.replacingOccurrences(of: "strategy: {name: random}\n", with: ""), warm: Body.WarmStart(study: "s-000001"))
        let warm = try #require(submitted.warm)
        #expect(warm.taken == inside && warm.skipped.map(\.count).reduce(0, +) == old.count - inside)
        #expect(warm.skipped.allSatisfy { $0.reason == "optimizer.lr is outside the space" })
        let status = try lab.status(submitted.study)
        #expect(status.warm == (inside == 0 ? nil : inside) && status.budget == 3)
        #expect(lab.c.studies[submitted.study]!.engine.spent(now: 0) == false, "none of the budget is spent on them")
        // Another objective cannot warm-start: the values would mean something else.
        let other = Lab.base.replacingOccurrences(of: "validation_loss", with: "validation_accuracy")
        #expect(throws: Error.self) { try lab.submit(other, warm: Body.WarmStart(study: "s-000001")) }

        // From an export's trials, as sweep submit --warm-start FILE sends them.
        let file = try lab.exported().filter { $0[path: "final"] == nil }
        let fromFile = try #require(try lab.submit(Lab.base, warm: Body.WarmStart(trials: file, metric: "validation_loss", source: "old.json")).warm)
        #expect(fromFile.taken == old.count)
        let restarted = try Coordinator(store: Store(path: lab.path), trials: TrialSpec.rules, options: lab.options)
        #expect(restarted.studies["s-000003"]?.engine.warm.count == old.count, "kept in the store")
        // With their objective by epoch (the GP reads a pruned one's curve), from a study and from a file, through a restart.
        #expect(old.allSatisfy { !$0.reports.isEmpty }, "the test can fail: the old trials reported their epochs")
        #expect(restarted.studies["s-000003"]?.engine.warm.map(\.reports) == old.map(\.reports))
        #expect(restarted.studies[submitted.study]?.engine.warm.map(\.reports) == old.filter { if case let .number(lr)? = $0.configuration["optimizer.lr"] { lr <= 0.01 } else { false } }.map(\.reports))
    }
}

@Suite("Quarantine")
struct QuarantineTests {
    @Test("a worker failing trials for its machine's reasons is quarantined; its trials run elsewhere and count for nothing")
    func quarantine() throws {
        let lab = try Lab("budget: {max_trials: 10, max_concurrent: 3}")
        var a = try #require(try lab.hello("bad"))
        let good = try #require(try lab.hello("good"))
        var failed: [Int] = []
        for _ in 0..<3 {
            failed.append(lab.c.index[a.trial]!.number)
            guard let next = try lab.done("bad", a, .failed, error: "cannot load the data on this machine: no such file", cause: .worker) else { break }
            a = next
        }
        let workers = try body(lab.ask(.workers, Body.Empty())[0], Body.WorkersReply.self).workers
        let bad = try #require(workers.first { $0.worker == "bad" })
        #expect(bad.state == .quarantined && bad.reason?.contains("3 trials in a row") == true)
        #expect(failed.allSatisfy { lab.study.trials[$0].state == .queued }, "each runs again elsewhere")
        #expect(!lab.study.trials.contains { $0.state == .failed } && lab.study.state == .running, "the study does not fail for one machine")
        // The good worker takes them, one after another.
        let next = try #require(try lab.done("good", good))
        #expect(failed.contains(lab.c.index[next.trial]!.number))
        #expect(try lab.hello("bad", now: 2) == nil, "the same process saying HELLO again stays quarantined")

        #expect(try lab.error(.release, Body.Release(worker: "good")).message.contains("not quarantined"))
        let released = lab.ask(.release, Body.Release(worker: "bad"))
        #expect(types(released).first == .ok && types(released).contains(.assign), "released, it gets a trial at once")
    }

    @Test("a restarted worker (a new process) starts out of quarantine")
    func restart() throws {
        let lab = try Lab("budget: {max_trials: 10, max_concurrent: 1}")
        var a = try #require(try lab.hello("bad"))
        try lab.hello("good")
        for _ in 0..<3 { if let next = try lab.done("bad", a, .failed, error: "killed by signal 9", cause: .worker) { a = next } }
        #expect(lab.c.workers["bad"]?.quarantine != nil)
        let restarted = try Coordinator(store: Store(path: lab.path), trials: TrialSpec.rules, options: lab.options)
        _ = restarted.handle(worker: Data("bad".utf8), frames: lab.frames(.hello, Body.Hello(worker: "bad", bootID: "b", host: "h", cores: 2, threads: 1,
                                                                                           version: "t", protoMin: 1, protoMax: 1, running: [])), now: 0)
        #expect(restarted.workers["bad"]?.quarantine != nil, "a coordinator restart keeps it: the same worker process")
        try lab.hello("bad", boot: "b2", now: 3)
        #expect(lab.c.workers["bad"]?.quarantine == nil, "a new worker process is a fresh start")
    }

    @Test("when the trials fail on every machine the study fails fast and the workers are released: the study was at fault")
    func everyMachine() throws {
        let lab = try Lab("budget: {max_trials: 10, max_concurrent: 2}")
        var held = ["w1": try #require(try lab.hello("w1")), "w2": try #require(try lab.hello("w2"))]
        for _ in 0..<8 where lab.study.state == .running {
            for name in ["w1", "w2"] {
                guard let a = held[name] else { continue }
                held[name] = try lab.done(name, a, .failed, error: "cannot start 'pyhton' on this machine", cause: .worker)
            }
        }
        #expect(lab.study.state == .failed && lab.study.reason?.contains("pyhton") == true)
        #expect(lab.c.workers.values.allSatisfy { $0.quarantine == nil })
    }
}
