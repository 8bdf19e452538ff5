import Foundation
import Logging
import Config
import Search
import Store
import Protocol

/// Worker messages (Protocols/SWEEP-1.md §4.1).
extension Coordinator {
    /// Answers one message from a worker.
    public func handle(worker peer: Data, frames: [Data], now: Double) -> [Outgoing] {
        let envelope: Envelope
        do { envelope = try Envelope(frames: frames) } catch {
            logger.warning("bad message from a worker", metadata: ["code": "\(error.code.rawValue)", "message": "\(error)"])
            return [self.error(peer, error)]
        }
        do {
            return try handle(peer, envelope, now: now)
        } catch let error as ProtocolError {
            logger.warning("worker message refused", metadata: ["type": "\(envelope.header.type.rawValue)", "code": "\(error.code.rawValue)", "message": "\(error)"])
            return [self.error(peer, error)]
        } catch {
            return [self.error(peer, ProtocolError(.internal, "\(error)", re: envelope.header.id))]
        }
    }

    private func handle(_ peer: Data, _ envelope: Envelope, now: Double) throws -> [Outgoing] {
        let re = envelope.header.id
        if envelope.header.type == .hello { return try hello(peer, envelope.decode(Body.Hello.self), re: re, now: now) }
        guard let name = names[peer], workers[name]?.lostAt == nil else {
            throw ProtocolError(.unknownPeer, "send HELLO first (or again: the coordinator may have restarted)", re: re)
        }
        workers[name]!.lastSeen = now
        switch envelope.header.type {
        case .heartbeat:
            return []
        case .accept:
            _ = try envelope.decode(Body.Accept.self)
            return []
        case .metric:
            return try metric(name, envelope.decode(Body.Metric.self), re: re, now: now)
        case .log:
            let log = try envelope.decode(Body.Log.self)
            let (study, number) = try holder(name, of: log.trial, attempt: log.attempt, re: re)
            try store.appendOutput(study: study.id, number: number, attempt: log.attempt, lines: log.lines.map { ($0.stream.rawValue, $0.text) },
                                   keep: options.outputLines)
            return []
        case .done:
            return try done(name, envelope.decode(Body.Done.self), re: re, now: now)
        case .reject:
            // It is busy after all (a restart raced an assignment): the trial goes back to the queue.
            let rejected = try envelope.decode(Body.Reject.self)
            if let trial = workers[name]!.trial, trial == (rejected.trial, rejected.attempt) {
                try requeue(trial.id, attempt: trial.attempt, why: "\(name) was busy and rejected it", now: now)
                workers[name]!.trial = nil
            }
            return []
        case .bye:
            // It is leaving: its trial runs elsewhere now, not after the lease grace.
            _ = try envelope.decode(Body.Bye.self)
            if let trial = workers[name]!.trial {
                try requeue(trial.id, attempt: trial.attempt, why: "its worker \(name) left (BYE)", now: now)
                workers[name]!.trial = nil
            }
            workers[name]!.lostAt = now
            workers[name]!.left = true
            return []
        default:
            throw ProtocolError(.badRequest, "\(envelope.header.type.rawValue) is not a worker message", re: re)
        }
    }

    private func hello(_ peer: Data, _ hello: Body.Hello, re: String, now: Double) throws -> [Outgoing] {
        guard hello.protoMin <= Envelope.major, hello.protoMax >= Envelope.major else {
            throw ProtocolError(.unsupportedProtocol, "this coordinator speaks SWEEP/\(Envelope.major)", supported: [Envelope.major], re: re)
        }
        guard !hello.worker.isEmpty else { throw ProtocolError(.badRequest, "HELLO.worker must name the worker (got \"\")", re: re) }
        try store.workerSeen(name: hello.worker, host: hello.host, cores: hello.cores, threads: hello.threads, version: hello.version)
        // Running trials it reports: keep those whose attempt is current, stop the others.
        var adopt: [Body.Running] = [], stop: [Body.Running] = []
        var trial: (Int, Int)?
        for running in hello.running {
            if let (id, number) = index[running.trial], let study = studies[id], study.attempts[number] == running.attempt,
               study.state(of: number) == .running, study.state != .cancelled {
                adopt.append(running)
                trial = (running.trial, running.attempt)
                orphans.remove(running.trial)
                study.adopt(number, by: hello.worker)
            } else {
                stop.append(running)
            }
        }
        // A worker that says HELLO again without the trial it was given may not have received
        // the ASSIGN yet (or lost it): send the same attempt again — a worker already running it
        // ignores the repeat — instead of re-queueing a trial that may be training fine.
        var repeated: Outgoing?
        if trial == nil, let previous = workers[hello.worker]?.trial, workers[hello.worker]?.lostAt == nil,
           let (id, number) = index[previous.id], let study = studies[id], study.attempts[number] == previous.attempt,
           study.state(of: number) == .running {
            trial = previous
            repeated = send(peer, .assign, assignment(study, number: number, id: previous.id, attempt: previous.attempt))
        } else if let previous = workers[hello.worker]?.trial, trial.map({ $0 != previous }) ?? true {
            try requeue(previous.id, attempt: previous.attempt, why: "its worker \(hello.worker) came back without it", now: now)
        }
        // The same connection saying HELLO again (several queued while the coordinator was
        // away arrive together) is not news; a new connection or a lost worker's return is.
        let again = workers[hello.worker].map { $0.peer == peer && $0.lostAt == nil } ?? false
        if let old = workers[hello.worker]?.peer { names[old] = nil }
        let previous = workers[hello.worker]
        workers[hello.worker] = Worker(name: hello.worker, peer: peer, host: hello.host, cores: hello.cores, threads: hello.threads,
                                       lastSeen: now, lastSent: now, trial: trial, lostAt: nil, bootID: hello.bootID)
        try keepQuarantine(hello.worker, previous: previous)
        names[peer] = hello.worker
        var out = [send(peer, .welcome, re: re, Body.Welcome(
            proto: Envelope.major, session: session, heartbeatMS: Int(options.heartbeat * 1000), liveness: options.liveness,
            leaseGraceMS: Int(options.leaseGrace * 1000), adopt: adopt, stop: stop))]
        if let repeated { out.append(repeated) }
        logger.log(level: again ? .debug : .info, again ? "worker said HELLO again" : "worker joined",
                   metadata: ["worker": "\(hello.worker)", "host": "\(hello.host)", "threads": "\(hello.threads)",
                              "adopted": "\(adopt.map(\.trial))", "stopped": "\(stop.map(\.trial))"])
        out += try schedule(now: now)
        return out
    }

    /// A report counts only from the worker that holds the trial's current attempt.
    private func holder(_ name: String, of trialID: Int, attempt: Int, re: String) throws -> (Study, Int) {
        let (study, number) = try locate(trialID, re: re)
        let current = study.attempts[number] ?? 0
        guard current == attempt else {
            throw ProtocolError(.staleAttempt, "attempt \(attempt) of trial \(trialID) was superseded by attempt \(current)", re: re)
        }
        guard study.workers[number] == name else {
            throw ProtocolError(.staleAttempt, "attempt \(attempt) of trial \(trialID) is not this worker's (it runs on \(study.workers[number] ?? "no worker"))", re: re)
        }
        return (study, number)
    }

    private func metric(_ name: String, _ m: Body.Metric, re: String, now: Double) throws -> [Outgoing] {
        let peer = workers[name]!.peer
        let (study, number) = try holder(name, of: m.trial, attempt: m.attempt, re: re)
        let ack = send(peer, .ack, re: re, Body.Ack(trial: m.trial, attempt: m.attempt, seq: m.seq))
        func decide(_ reason: StopReason?) -> Outgoing {
            send(peer, .decision, Body.Decision(trial: m.trial, attempt: m.attempt, epoch: m.epoch, continue: reason == nil, reason: reason.map(Body.Reason.init)))
        }
        switch try judge(study, number, trial: m.trial, attempt: m.attempt, seq: m.seq, epoch: m.epoch, metrics: m.metrics, re: re, now: now) {
        case .quiet: return [ack]
        case .go: return [ack, decide(nil)]
        case let .stop(reason, ended):
            // A trial stopped now may have been the study's last: end its search now, so no
            // leaderboard shows a running study with nothing running.
            return [ack, decide(reason)] + (ended ? try schedule(now: now) : [])
        }
    }

    /// What a report means for its trial.
    enum Verdict {
        /// Nothing to say (a resend, or a report on a trial that completed).
        case quiet
        case go
        /// Stop: the reason, and whether the trial ended now (else it had ended before).
        case stop(StopReason, ended: Bool)
    }

    /// Stores a report of a held attempt and decides whether it goes on: the study's stopper,
    /// or the study's end. A report on a trial that has ended is not stored, and its stop is said again.
    func judge(_ study: Study, _ number: Int, trial: Int, attempt: Int, seq: Int, epoch: Int, metrics: [String: Double], re: String,
               now: Double) throws -> Verdict {
        guard study.state(of: number) == .running else {
            // A stop the runner has not heard of yet, or its DONE is on the way.
            guard study.state(of: number) != .completed, let reason = try store.stopReason(study: study.id, number: number) else { return .quiet }
            return .stop(reason, ended: false)
        }
        let (recorded, decision) = try study.record(number, attempt: attempt, seq: seq, epoch: epoch, metrics: metrics)
        switch recorded {
        case .stale(let current):
            throw ProtocolError(.staleAttempt, "attempt \(attempt) of trial \(trial) was superseded by attempt \(current)", re: re)
        case .duplicate:
            return .quiet
        case .stored:
            meters?.reported()
            logger.debug("report", metadata: ["study": "\(study.id)", "trial": "\(number)", "epoch": "\(epoch)", "\(study.spec.metric)": "\(metrics[study.spec.metric].map { "\($0)" } ?? "-")"])
            if study.state == .cancelled || study.state == .failed {
                let reason = StopReason(rule: .cancelled, detail: study.state == .failed ? "the study failed" : "the study was cancelled")
                try study.finish(number, attempt: attempt, .cancelled, value: nil, reason: reason, now: now)
                return .stop(reason, ended: true)
            }
            // The final trial runs to the end: it is the best configuration, retrained.
            guard number != Store.finalNumber, case let .stop(reason) = decision else { return .go }
            let (value, values, violations) = study.engine.finals(number, nil)
            try study.finish(number, attempt: attempt, reason.rule.state, value: value, values: values, violations: violations, reason: reason, now: now)
            logger.info("trial stopped", metadata: ["study": "\(study.id)", "trial": "\(number)", "rule": "\(reason.rule)", "detail": "\(reason.detail)"])
            return .stop(reason, ended: true)
        }
    }

    private func done(_ name: String, _ d: Body.Done, re: String, now: Double) throws -> [Outgoing] {
        let peer = workers[name]!.peer
        // Whatever became of the attempt here (stopped, timed out and given to another), the worker is free.
        if let held = workers[name]!.trial, held == (d.trial, d.attempt) { workers[name]!.trial = nil }
        let (study, number) = try holder(name, of: d.trial, attempt: d.attempt, re: re)
        if study.state(of: number) == .running, d.status == .failed, let cause = d.cause, cause == .worker {
            try machineFailed(name, study, number, d, now: now)
        } else if study.state(of: number) == .running {
            workers[name]!.faults = 0
            try conclude(study, number, d, runner: name, now: now)
        }
        return [send(peer, .ack, re: re, Body.Ack(trial: d.trial, attempt: d.attempt, seq: d.seq))] + (try failFast(study)) + (try schedule(now: now))
    }

    /// Ends a running attempt as its runner (a worker, or an asker) says it ended.
    func conclude(_ study: Study, _ number: Int, _ d: Body.Done, runner name: String, now: Double) throws {
        var state: TrialState = switch d.status {
        case .completed: .completed
        case .diverged: .diverged
        case .stopped: study.state == .cancelled || study.state == .failed ? .cancelled : .pruned
        case .failed: .failed
        }
        var reason: StopReason? = switch d.status {
        case .diverged: StopReason(rule: .divergence, detail: d.error ?? "the loss became NaN or infinite")
        default: d.error.map { StopReason(rule: .error, detail: $0) }
        }
        // A trial that ran to its end without ever reporting the objective says nothing about
        // its configuration: it failed, and the reason names what it did report.
        let t = number == Store.finalNumber ? nil : study.trials[number]
        if state == .completed, t != nil, let silence = study.engine.silence(number, reported: Array((d.metrics ?? [:]).keys)) {
            state = .failed
            reason = silence
        }
        if number == Store.finalNumber {
            try study.finish(number, attempt: d.attempt, state, value: nil, reason: reason, now: now)
            try recordTest(study, d, state: state)
        } else if t != nil, state == .failed {
            let reason = reason ?? StopReason(rule: .error, detail: "the trial failed (its runner said no more)")
            try fail(study, number, attempt: d.attempt, reason: reason, worker: name, now: now)
            logger.info("trial failed", metadata: ["study": "\(study.id)", "trial": "\(number)", "error": "\(reason.detail)"])
        } else if let t {
            let (value, values, violations) = study.engine.finals(number, d.metrics)
            try study.finish(number, attempt: d.attempt, state, value: value, values: values, violations: violations, reason: reason, now: now)
            logger.info("trial finished", metadata: ["study": "\(study.id)", "trial": "\(number)", "state": "\(state.rawValue)",
                                                     "value": "\(value.map { "\($0)" } ?? "-")", "error": "\(d.error ?? "-")"])
        }
    }

    /// The final trial ended: its test score is the study's, and the study is complete.
    private func recordTest(_ study: Study, _ d: Body.Done, state: TrialState) throws {
        var score: [String: Config] = ["status": .string(state.rawValue)]
        if let best = study.best(completed: true) { score["trial"] = .number(Double(best.number)) }
        for (key, value) in d.metrics ?? [:] where key.hasPrefix("test_") { score[key] = Config(metric: value) }
        if let error = d.error { score["error"] = .string(error) }
        try study.complete(test: .object(score))
        logger.info("study completed", metadata: ["study": "\(study.id)", "test": "\(Config.object(score).json)"])
    }
}
