import Foundation
import Config
import Search
import Store
import Protocol

/// Steering a study after submit (Protocols/SWEEP-1.md §4.3): enqueue, extend, retry, describe,
/// delete; releasing a quarantined worker; the warm start a SUBMIT asks for.
extension Coordinator {
    func steer(_ peer: Data, _ envelope: Envelope, re: String, now: Double) throws -> [Outgoing] {
        func reply<B: MessageBody>(_ type: MessageType, _ body: B) -> Outgoing { send(peer, type, re: re, body, to: .client) }
        func study(_ id: String) throws -> Study { try self.study(id, re: re) }
        switch envelope.header.type {
        case .enqueue:
            let request = try envelope.decode(Body.Enqueue.self)
            let numbers = try enqueue(try study(request.study), request, re: re)
            return [reply(.queued, Body.Queued(study: request.study, trials: numbers))] + (try schedule(now: now))
        case .extend:
            let request = try envelope.decode(Body.Extend.self)
            try extend(try study(request.study), trials: request.trials, wallTime: request.wallTime, re: re, now: now)
            return [reply(.ok, Body.Empty())] + (try schedule(now: now))
        case .retry:
            let request = try envelope.decode(Body.Retry.self)
            let target = try study(request.study)
            let numbers = try retryable(target, request, re: re)
            try target.retry(numbers, now: now)
            logger.notice("trials run again", metadata: ["study": "\(target.id)", "trials": "\(numbers)"])
            return [reply(.queued, Body.Queued(study: target.id, trials: numbers))] + (try schedule(now: now))
        case .describe:
            let request = try envelope.decode(Body.Describe.self)
            try study(request.study).describe(name: request.name, note: request.note.map { $0.isEmpty ? nil : $0 }, tags: request.tags)
            return [reply(.ok, Body.Empty())]
        case .delete:
            let id = try envelope.decode(Body.StudyRef.self).study ?? ""
            let target = try study(id)
            guard !target.state.isActive else {
                throw ProtocolError(.badRequest, "study \(id) is \(target.state.rawValue): cancel it first (sweep cancel \(id)), then delete it", re: re)
            }
            try store.delete(study: id)
            studies[id] = nil
            for trialID in target.ids.values { index[trialID] = nil }
            for (follower, f) in followers where f.study == id { followers[follower] = nil }
            logger.notice("study deleted", metadata: ["study": "\(id)"])
            return [reply(.ok, Body.Empty())]
        case .release:
            let name = try envelope.decode(Body.Release.self).worker
            guard let worker = workers[name] else {
                throw ProtocolError(.badRequest, "no worker \(name) (sweep workers lists them)\(suggestion(name, Array(workers.keys)))", re: re)
            }
            guard worker.quarantine != nil else { throw ProtocolError(.badRequest, "worker \(name) is not quarantined (it is \(worker.lostAt == nil ? "working" : "gone"))", re: re) }
            try release(name)
            return [reply(.ok, Body.Empty())] + (try schedule(now: now))
        default:
            throw ProtocolError(.badRequest, "\(envelope.header.type.rawValue) is not a client message", re: re)
        }
    }

    /// Checks every configuration (the space, then a built-in trial's rules) before any is
    /// stored; then queues them all, in order, ahead of new suggestions.
    private func enqueue(_ study: Study, _ request: Body.Enqueue, re: String) throws -> [Int] {
        guard study.state == .running else {
            throw ProtocolError(.badRequest, "study \(study.id) is \(study.state.rawValue); trials can be enqueued while it runs (sweep extend \(study.id) --trials N gives it more)", re: re)
        }
        var given: [(Search.Configuration, Origin)] = []
        var problems: [ProtocolError.Body.Problem] = []
        for (i, trial) in request.trials.enumerated() {
            guard case let .object(values) = trial else { continue }
            do {
                let (configuration, origin) = try study.spec.space.configuration(given: values, allowOutside: request.allowOutside ?? false, path: "trials[\(i)]",
                                                                                   remedy: "--allow-outside takes it anyway, recorded as such")
                if study.spec.runner == .builtin {
                    for problem in trials.check(study.engine.config(for: configuration, number: study.trials.count + i)) {
                        problems.append(.init(path: "trials[\(i)]", message: "gives a trial spec that does not train: \(problem)"))
                    }
                }
                given.append((configuration, origin))
            } catch let error as SpecError {
                problems += error.problems.map { .init(path: $0.path, message: $0.message) }
            }
        }
        guard problems.isEmpty else {
            throw ProtocolError(.invalidSpec, "\(problems.count) problem(s) with the trials to enqueue; none was queued", problems: problems, re: re)
        }
        let numbers = try store.batch {
            try given.map { configuration, origin in
                let (number, id) = try study.add(configuration, origin: origin)
                index[id] = (study.id, number)
                return number
            }
        }
        logger.notice("trials enqueued", metadata: ["study": "\(study.id)", "trials": "\(numbers)"])
        return numbers
    }

    /// More budget: the stored spec's `budget.max_trials` becomes the trials it has plus
    /// `trials`, its wall time the time spent plus `wallTime`; the study runs again from its
    /// whole history, and its best is retrained and scored again when the search ends.
    private func extend(_ study: Study, trials more: Int?, wallTime: Double?, re: String, now: Double) throws {
        guard study.state != .testing else {
            throw ProtocolError(.badRequest, "study \(study.id) is scoring its best trial on the test split; extend it when it has completed", re: re)
        }
        guard let record = try store.study(study.id), case var .object(spec) = record.spec else {
            throw ProtocolError(.unknownStudy, "no study \(study.id)", re: re)
        }
        var budget: [String: Config] = if case let .object(b)? = spec["budget"] { b } else { [:] }
        let engine = study.engine
        if let more {
            budget["max_trials"] = .number(Double(engine.trials.count + more))
        } else if engine.trials.count >= study.spec.budget.maxTrials {
            throw ProtocolError(.badRequest, "study \(study.id) has used its trial budget (\(engine.trials.count) of \(study.spec.budget.maxTrials)): give trials (sweep extend \(study.id) --trials N)", re: re)
        }
        let elapsed = now - engine.start
        if let wallTime {
            budget["max_wall_time"] = .number((elapsed + wallTime).rounded(.up))
        } else if let limit = study.spec.budget.maxWallTime, elapsed >= limit {
            throw ProtocolError(.badRequest, "study \(study.id) has used its wall time (\(Int(limit)) s): give more (sweep extend \(study.id) --wall-time S)", re: re)
        }
        spec["budget"] = .object(budget)
        let extended: StudySpec
        do { extended = try StudySpec(config: .object(spec), trials: trials.keysOnly) } catch let error as SpecError {
            throw ProtocolError(.badRequest, "the extended budget is not a valid one: \(error)", re: re)
        }
        try store.extend(study: study.id, spec: .object(spec))
        guard let updated = try store.study(study.id) else { throw ProtocolError(.unknownStudy, "no study \(study.id)", re: re) }
        let rebuilt = try Study(record: updated, spec: extended, store: store)
        rebuilt.served = study.served
        studies[study.id] = rebuilt
        logger.notice("study extended", metadata: ["study": "\(study.id)", "max_trials": "\(extended.budget.maxTrials)",
                                                   "max_wall_time": "\(extended.budget.maxWallTime.map { "\($0)" } ?? "-")"])
    }

    /// The trials a RETRY names, each finished; an empty choice is an error that says why.
    private func retryable(_ study: Study, _ request: Body.Retry, re: String) throws -> [Int] {
        guard study.state != .testing else {
            throw ProtocolError(.badRequest, "study \(study.id) is scoring its best trial on the test split; retry trials when it has completed", re: re)
        }
        var numbers = Set(request.trials ?? [])
        if request.failed == true { numbers.formUnion(study.trials.filter { $0.state == .failed }.map(\.number)) }
        for number in numbers.sorted() {
            guard number < study.trials.count else {
                throw ProtocolError(.badRequest, "study \(study.id) has no trial \(number) (it has \(study.trials.count))", re: re)
            }
            let state = study.trials[number].state
            guard state.isFinished else { throw ProtocolError(.badRequest, "trial \(number) of \(study.id) is \(state.rawValue): only a finished trial runs again", re: re) }
        }
        guard !numbers.isEmpty else { throw ProtocolError(.badRequest, "study \(study.id) has no failed trials to run again", re: re) }
        return numbers.sorted()
    }

    /// The old trials a warm start takes: finished ones whose configuration fits the new space
    /// (every parameter present and inside its domain, none the space lacks), with the reasons
    /// the others were left out, counted.
    /// With several `objectives` (metric names, the first being the objective), a trial comes
    /// with every one's final value (a study's, or an export's `values`) or is left out. With
    /// `constraints`, the same holds for how far past each bound (`violations`), and a study
    /// warmed from another must have had the same constraints.
    func warmTrials(_ warm: Body.WarmStart, space: SearchSpace, objectives: [String], constraints: [Constraint] = [],
                    re: String) throws -> (trials: [Search.Trial], skipped: [Body.Skipped]) {
        let metric = objectives[0], several = objectives.count > 1
        var candidates: [WarmTrials.Candidate] = []
        if let id = warm.study {
            guard let old = studies[id] else { throw ProtocolError(.unknownStudy, "warm_start.study: no study \(id) (sweep status lists them)", re: re) }
            let theirs = old.spec.objectives.map(\.metric)
            guard theirs == objectives || (!several && theirs[0] == metric) else {
                throw ProtocolError(.badRequest, "warm_start.study: \(id) optimized \(theirs.joined(separator: ", ")), this study \(objectives.joined(separator: ", ")); "
                                    + "a warm start needs the same objective\(several ? "s in the same order" : "")", re: re)
            }
            if !constraints.isEmpty, old.spec.constraints != constraints {
                let described = old.spec.constraints.isEmpty ? "none" : old.spec.constraints.map(\.description).joined(separator: ", ")
                throw ProtocolError(.badRequest, "warm_start.study: \(id) had constraints \(described), this study \(constraints.map(\.description).joined(separator: ", ")); "
                                    + "a constrained warm start needs the same constraints, so that feasible means the same", re: re)
            }
            candidates = old.trials.map {
                WarmTrials.Candidate(values: .object($0.configuration.values), state: $0.state, value: $0.value, finals: $0.values, violations: $0.violations, reports: $0.reports)
            }
        } else {
            if let other = warm.metric, other != metric {
                throw ProtocolError(.badRequest, "warm_start.metric: those trials were scored on \(other), this study optimizes \(metric); a warm start needs the same objective", re: re)
            }
            candidates = WarmTrials.candidates(warm.trials ?? [], metric: metric)
        }
        return WarmTrials.take(candidates, space: space, objectives: objectives, constraints: constraints)
    }
}
