import Foundation
import Config
import Search
import Store
import Wire

/// The coordinator's logic, without sockets: messages in, messages out, state in the `Store`.
/// One loop drives it (`handle` for each message, `tick` on a timer), so it needs no locks, and
/// every state change is committed before the message that reports it is returned.
public final class Coordinator {
    public struct Options: Sendable {
        public var heartbeat: Double = 2
        public var liveness = 5
        /// Seconds after a worker is declared lost before its trial is re-queued.
        public var leaseGrace: Double = 60
        public init() {}
    }

    /// A message to send to a peer (routing id) on the workers' or the clients' endpoint.
    public struct Outgoing: Equatable, Sendable {
        public enum Audience: Sendable { case worker, client }
        public let peer: Data
        public let envelope: Envelope
        public var audience: Audience = .worker
    }

    struct Worker {
        let name: String
        var peer: Data
        var lastSeen: Double
        var lastSent: Double
        /// The trial id and attempt it runs.
        var trial: (id: Int, attempt: Int)?
        /// When it was declared lost.
        var lostAt: Double?
    }

    struct Study {
        let id: String
        let spec: StudySpec
        let sampler: any Sampler
        let stopper: StopperChain
    }

    public let store: Store
    public let options: Options
    public let session = UUID().uuidString
    private var workers: [String: Worker] = [:]
    private var studies: [String: Study] = [:]
    private var counter = 0

    /// The dotted keys a built-in trial accepts (`TrialSpec.searchableKeys`), to read stored specs.
    public let trialKeys: [String]

    public init(store: Store, trialKeys: [String], options: Options = Options()) throws {
        self.store = store
        self.options = options
        self.trialKeys = trialKeys
        // Resume every running study from the store.
        for record in try store.studies() where record.state == "running" {
            let spec = try StudySpec(config: record.spec, trialKeys: trialKeys)
            studies[record.id] = Study(id: record.id, spec: spec, sampler: spec.strategy.sampler(seed: spec.seed), stopper: spec.stopper.stopper)
        }
    }

    /// Cancels a study: queued trials never run; running ones are stopped at their next report.
    public func cancel(_ study: String) throws {
        try store.setStudyState(study, "cancelled")
        studies[study] = nil
    }

    /// Stores a study and starts scheduling its trials.
    public func submit(_ spec: StudySpec, config: Config) throws -> String {
        let id = try store.createStudy(name: spec.name, spec: config, seed: spec.seed)
        studies[id] = Study(id: id, spec: spec, sampler: spec.strategy.sampler(seed: spec.seed), stopper: spec.stopper.stopper)
        return id
    }

    private func nextID() -> String {
        counter += 1
        return "c\(counter)"
    }

    private func send<Body: Encodable>(_ peer: Data, _ type: MessageType, re: String? = nil, _ body: Body) -> Outgoing {
        Outgoing(peer: peer, envelope: (try? Envelope(type, id: nextID(), re: re, body: body)) ?? Envelope(header: Header(type: type, id: nextID()), body: Data("{}".utf8)))
    }

    private func error(_ peer: Data, _ error: ProtocolError) -> Outgoing {
        Outgoing(peer: peer, envelope: error.reply(id: nextID()))
    }

    // MARK: Worker messages

    /// Answers one message from a worker.
    public func handle(worker peer: Data, frames: [Data], now: Double) -> [Outgoing] {
        let envelope: Envelope
        do { envelope = try Envelope(frames: frames) } catch { return [self.error(peer, error)] }
        do {
            return try handle(peer, envelope, now: now)
        } catch let error as ProtocolError {
            return [self.error(peer, error)]
        } catch {
            return [self.error(peer, ProtocolError(.internal, "\(error)", re: envelope.header.id))]
        }
    }

    private func handle(_ peer: Data, _ envelope: Envelope, now: Double) throws -> [Outgoing] {
        let re = envelope.header.id
        if envelope.header.type == .hello { return try hello(peer, envelope.decode(Body.Hello.self), re: re, now: now) }
        guard let name = workers.first(where: { $0.value.peer == peer && $0.value.lostAt == nil })?.key else {
            throw ProtocolError(.unknownPeer, "send HELLO first (or again: the coordinator may have restarted)", re: re)
        }
        workers[name]!.lastSeen = now
        switch envelope.header.type {
        case .heartbeat:
            return []
        case .metric:
            return try metric(name, envelope.decode(Body.Metric.self), re: re)
        case .done:
            return try done(name, envelope.decode(Body.Done.self), re: re, now: now)
        case .accept, .reject, .bye:
            if envelope.header.type == .bye { workers[name]!.lostAt = now }
            return []
        default:
            throw ProtocolError(.badRequest, "\(envelope.header.type.rawValue) is not a worker message", re: re)
        }
    }

    private func hello(_ peer: Data, _ hello: Body.Hello, re: String, now: Double) throws -> [Outgoing] {
        guard hello.proto_min <= Envelope.major, hello.proto_max >= Envelope.major else {
            throw ProtocolError(.unsupportedProtocol, "this coordinator speaks SWEEP/\(Envelope.major)", supported: [Envelope.major], re: re)
        }
        try store.workerSeen(name: hello.worker, host: hello.host, cores: hello.cores, threads: hello.threads, version: hello.version)
        // Running trials it reports: keep those whose attempt is current, stop the others.
        var adopt: [Body.Running] = [], stop: [Body.Running] = []
        var trial: (Int, Int)?
        for running in hello.running {
            if let located = try store.locate(trialID: running.trial), located.attempt == running.attempt, located.state == .running {
                adopt.append(running)
                trial = (running.trial, running.attempt)
            } else {
                stop.append(running)
            }
        }
        workers[hello.worker] = Worker(name: hello.worker, peer: peer, lastSeen: now, lastSent: now, trial: trial, lostAt: nil)
        var out = [send(peer, .welcome, re: re, Body.Welcome(
            proto: Envelope.major, coordinator_session: session, heartbeat_ms: Int(options.heartbeat * 1000), liveness: options.liveness,
            lease_grace_ms: Int(options.leaseGrace * 1000), adopt: adopt, stop: stop))]
        out += try schedule(now: now)
        return out
    }

    private func metric(_ name: String, _ m: Body.Metric, re: String) throws -> [Outgoing] {
        let peer = workers[name]!.peer
        guard let located = try store.locate(trialID: m.trial) else { throw ProtocolError(.badRequest, "trial \(m.trial) is unknown", re: re) }
        let metrics = m.metrics.mapValues(\.metric)
        switch try store.record(study: located.study, number: located.number, attempt: m.attempt, seq: m.seq, epoch: m.epoch, metrics: metrics) {
        case .stale(let current):
            throw ProtocolError(.staleAttempt, "attempt \(m.attempt) of trial \(m.trial) was superseded by attempt \(current)", re: re)
        case .duplicate:
            return [send(peer, .ack, re: re, Body.Ack(trial: m.trial, attempt: m.attempt, seq: m.seq))]
        case .stored:
            var out = [send(peer, .ack, re: re, Body.Ack(trial: m.trial, attempt: m.attempt, seq: m.seq))]
            guard let study = studies[located.study] else {
                // The study was cancelled: stop the trial.
                out.append(send(peer, .decision, Body.Decision(trial: m.trial, attempt: m.attempt, epoch: m.epoch, continue: false,
                                                                reason: Body.Reason(rule: "cancelled", detail: "the study was cancelled"))))
                try store.finish(study: located.study, number: located.number, attempt: m.attempt, state: .cancelled, value: nil, reason: nil)
                return out
            }
            let history = try store.history(study: located.study, metric: study.spec.metric)
            guard let trial = history.first(where: { $0.number == located.number }) else { return out }
            let decision = study.stopper.decide(trial, step: m.epoch, history: history, direction: study.spec.direction)
            if case let .stop(reason) = decision {
                out.append(send(peer, .decision, Body.Decision(trial: m.trial, attempt: m.attempt, epoch: m.epoch, continue: false,
                                                                reason: Body.Reason(rule: reason.rule, detail: reason.detail, numbers: reason.numbers))))
                try store.finish(study: located.study, number: located.number, attempt: m.attempt, state: reason.rule == "divergence" ? .diverged : .pruned,
                                 value: trial.reports[m.epoch], reason: reason)
            } else {
                out.append(send(peer, .decision, Body.Decision(trial: m.trial, attempt: m.attempt, epoch: m.epoch, continue: true, reason: nil)))
            }
            return out
        }
    }

    private func done(_ name: String, _ d: Body.Done, re: String, now: Double) throws -> [Outgoing] {
        let peer = workers[name]!.peer
        guard let located = try store.locate(trialID: d.trial) else { throw ProtocolError(.badRequest, "trial \(d.trial) is unknown", re: re) }
        guard located.attempt == d.attempt else {
            throw ProtocolError(.staleAttempt, "attempt \(d.attempt) of trial \(d.trial) was superseded by attempt \(located.attempt)", re: re)
        }
        if located.state == .running, let study = studies[located.study] {
            let final = d.metrics?[study.spec.metric]?.metric
            let history = try store.history(study: located.study, metric: study.spec.metric)
            let last = history.first { $0.number == located.number }.flatMap { t in t.lastStep.flatMap { t.reports[$0] } }
            let state: TrialState = switch d.status {
            case "completed": .completed
            case "diverged": .diverged
            case "stopped": .pruned
            default: .failed
            }
            try store.finish(study: located.study, number: located.number, attempt: d.attempt, state: state, value: final ?? last,
                             reason: d.error.map { StopReason(rule: "error", detail: $0) })
        }
        workers[name]!.trial = nil
        return [send(peer, .ack, re: re, Body.Ack(trial: d.trial, attempt: d.attempt, seq: d.seq))] + (try schedule(now: now))
    }

    // MARK: Scheduling and liveness

    /// Heartbeats, lost workers, re-queued leases, new assignments.
    public func tick(now: Double) throws -> [Outgoing] {
        var out: [Outgoing] = []
        for (name, worker) in workers {
            if worker.lostAt == nil, now - worker.lastSeen > options.heartbeat * Double(options.liveness) {
                workers[name]!.lostAt = now
            }
            if let lost = workers[name]!.lostAt {
                if let trial = worker.trial, now - lost >= options.leaseGrace, let located = try store.locate(trialID: trial.id),
                   located.attempt == trial.attempt, located.state == .running {
                    try store.requeue(study: located.study, number: located.number)
                    workers[name]!.trial = nil
                }
                continue
            }
            if now - worker.lastSent >= options.heartbeat {
                out.append(send(worker.peer, .heartbeat, Body.Empty()))
                workers[name]!.lastSent = now
            }
        }
        out += try schedule(now: now)
        return out
    }

    /// Gives each idle worker a trial: a re-queued one first, else a new suggestion from a
    /// study with budget and concurrency to spare.
    private func schedule(now: Double) throws -> [Outgoing] {
        var out: [Outgoing] = []
        for name in workers.keys.sorted() where workers[name]!.trial == nil && workers[name]!.lostAt == nil {
            guard let (study, number, configuration) = try nextTrial() else { break }
            let attempt = try store.assign(study: study.id, number: number, worker: name)
            let id = try store.trialID(study: study.id, number: number)
            workers[name]!.trial = (id, attempt)
            workers[name]!.lastSent = now
            out.append(send(workers[name]!.peer, .assign, assignment(study, number: number, id: id, attempt: attempt, configuration)))
        }
        for study in studies.values {
            let history = try store.history(study: study.id, metric: study.spec.metric)
            if history.count >= study.spec.budget.maxTrials, history.allSatisfy({ $0.state.isFinished }) {
                try store.setStudyState(study.id, "completed")
                studies[study.id] = nil
            }
        }
        return out
    }

    /// The next trial to run and its configuration (read with the history nextTrial already has).
    private func nextTrial() throws -> (Study, Int, Search.Configuration)? {
        for id in studies.keys.sorted() {
            let study = studies[id]!
            let history = try store.history(study: id, metric: study.spec.metric)
            if let queued = history.first(where: { $0.state == .queued }) { return (study, queued.number, queued.configuration) }
            let running = history.filter { $0.state == .running }.count
            guard history.count < study.spec.budget.maxTrials, running < study.spec.budget.maxConcurrent else { continue }
            var generator = SplitMix64(seed: study.spec.seed &+ UInt64(history.count))
            guard let configuration = study.sampler.suggest(study.spec.space, history: history, direction: study.spec.direction, using: &generator) else { continue }
            try store.addTrial(study: id, number: history.count, configuration: configuration)
            return (study, history.count, configuration)
        }
        return nil
    }

    private func assignment(_ study: Study, number: Int, id: Int, attempt: Int, _ configuration: Search.Configuration) -> Body.Assign {
        let seed = study.spec.seed &+ UInt64(number)
        if let template = study.spec.command {
            return Body.Assign(trial: id, attempt: attempt, study: study.id, kind: "command", seed: seed, metric: study.spec.metric,
                               config: .object(configuration.values), command: template)
        }
        var config = study.spec.trial
        if configuration["seed"] == nil, config[path: "seed"] == nil { config = config.setting("seed", to: .number(Double(seed))) }
        for (key, value) in configuration.values { config = config.setting(key, to: value) }
        return Body.Assign(trial: id, attempt: attempt, study: study.id, kind: "builtin", seed: seed, metric: study.spec.metric, config: config, command: nil)
    }
}
