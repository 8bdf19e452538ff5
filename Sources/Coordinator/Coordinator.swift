import Foundation
import Logging
import Config
import Search
import Store
import Protocol
import Wire
import Telemetry

/// The coordinator's logic, without sockets: messages in, messages out, state in the `Store`.
/// One loop drives it (`handle` for each message, `tick` on a timer, `updates` after both), so
/// it needs no locks, and every state change is committed before the message that reports it is
/// returned (or, inside `Store.batch`, before the batch's replies are sent).
public final class Coordinator {
    public struct Options: Sendable {
        public var heartbeat: Double = 2
        public var liveness = 5
        /// Seconds after a worker is declared lost before its trial is re-queued.
        public var leaseGrace: Double = 60
        /// Seconds a worker that left or was lost stays listed, in memory and in the store.
        public var workerRetention: Double = 3600
        /// Bytes a whole message may hold; a larger one is answered `too_large`.
        public var messageLimit = 1 << 20
        /// Lines of output kept per trial (the newest).
        public var outputLines = 2000
        /// Failures in a row, for the machine's reasons, that quarantine a worker (0: never).
        public var quarantineAfter = 3
        /// Seconds an asked trial (`runner: external`) may go without a report or heartbeat
        /// before it runs elsewhere.
        public var askLease: Double = 600
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
        let host: String
        let cores: Int
        let threads: Int
        var lastSeen: Double
        var lastSent: Double
        /// The trial id and attempt it runs.
        var trial: (id: Int, attempt: Int)?
        /// When it was declared lost, or said BYE.
        var lostAt: Double?
        /// It said BYE (lost otherwise: silent).
        var left = false
        /// Its process (a new one is a restart, which ends a quarantine).
        var bootID = ""
        /// Trials failed in a row for the machine's reasons (`FailureCause.worker`).
        var faults = 0
        /// Why it gets no trials, and the study whose trials it failed.
        var quarantine: Quarantine?

        /// As WORKERS_REPLY and the metrics show it.
        var state: WorkerState { left ? .left : lostAt != nil ? .lost : quarantine != nil ? .quarantined : trial == nil ? .idle : .busy }
    }

    struct Quarantine: Equatable {
        let reason: String
        let study: String
    }

    public let store: Store
    public let options: Options
    /// Lifecycle events at info, every report and decision at debug; silent unless given one.
    public let logger: Logger
    public let session = UUID().uuidString
    /// What a built-in trial accepts (`TrialSpec.rules`): submitted specs are checked against it.
    public let trials: TrialRules
    var workers: [String: Worker] = [:]
    /// Worker names by routing id, so each message finds its sender without a scan.
    var names: [Data: String] = [:]
    var studies: [String: Study] = [:]
    /// Where each trial id lives.
    var index: [Int: (study: String, number: Int)] = [:]
    /// Trials running when this process started, until their workers claim them; re-queued
    /// after the lease grace, counted from the first tick.
    var orphans: Set<Int> = []
    var orphansSince: Double?
    var followers: [Data: Follower] = [:]
    /// Replies that cost much to make (EXPORT reads the store, WATCH's full TRIALS is 35 MB of
    /// JSON at 100,000 trials): made beside the loop when `detachReads` is on (the service's
    /// setting), so they do not hold up the workers' reports.
    public var detachReads = false
    var detached: [Detached] = []

    /// A reply made beside the loop; `sent` is set once it is on its way (a watcher's pushes wait for it).
    public struct Detached: Sendable {
        public let make: @Sendable () -> Outgoing
        public let sent: Latch?
    }
    /// Trials of `runner: external` studies held by the programs that asked for them, by trial id.
    var leases: [Int: Lease] = [:]
    /// Where counters, latencies and levels go for `coordinator --metrics` (nil: nowhere).
    public var meters: Meters?
    private var lastLevels = -Double.infinity
    /// Studies in the store this build could not load, with the reason (logged at start).
    public private(set) var unreadable: [String: String] = [:]
    /// Seconds a follower may stay silent before it is dropped (clients send HEARTBEAT at least
    /// every 10 s while following; they do not know the workers' heartbeat interval).
    static let followerTimeout: Double = 30
    private var counter = 0
    private var lastTrim = -Double.infinity
    /// Counts assignments, to order studies by when they were last served.
    private var servings = 0

    public init(store: Store, trials: TrialRules, options: Options = Options(),
                logger: Logger = Logger(label: "sweep.coordinator", factory: { _ in SwiftLogNoOpLogHandler() })) throws {
        self.logger = logger
        self.store = store
        self.options = options
        self.trials = trials
        for record in try store.studies() {
            // A study this build cannot read is left alone in the store, not served, and said so;
            // the others serve.
            let study: Study
            do {
                // Checked when it came; an older build may have checked less: only the keys again.
                let spec = try StudySpec(config: record.spec, trials: trials.keysOnly)
                let filled = try store.fillGaps(study: record.id)
                if !filled.isEmpty { logger.warning("trials missing from the store recorded as cancelled", metadata: ["study": "\(record.id)", "trials": "\(filled)"]) }
                study = try Study(record: record, spec: spec, store: store)
            } catch {
                logger.error("study not served: the store holds what this build cannot read", metadata: ["study": "\(record.id)", "reason": "\(error)"])
                unreadable[record.id] = "\(error)"
                continue
            }
            studies[record.id] = study
            for (number, id) in study.ids {
                index[id] = (record.id, number)
                if study.state(of: number) == .running { orphans.insert(id) }
            }
        }
    }

    /// Stores a study (with the warm-start history its samplers begin from) and starts scheduling its trials.
    public func submit(_ spec: StudySpec, config: Config, warm: [Search.Trial] = [], source: String = "") throws -> String {
        let id = try store.batch {
            let id = try store.createStudy(name: spec.name, spec: config, seed: spec.seed)
            if !warm.isEmpty { try store.addWarm(study: id, trials: warm, source: source) }
            return id
        }
        guard let record = try store.study(id) else { throw StoreError("study \(id) vanished") }
        studies[id] = try Study(record: record, spec: spec, store: store)
        logger.info("study submitted", metadata: ["study": "\(id)", "name": "\(spec.name)", "max_trials": "\(spec.budget.maxTrials)",
                                                  "max_concurrent": "\(spec.budget.maxConcurrent)"])
        return id
    }

    /// Cancels a study: queued trials never run; running ones are told to stop now.
    public func cancel(_ id: String) throws -> [Outgoing] {
        guard let study = studies[id] else { throw StoreError("no study \(id)") }
        try study.move(to: .cancelled)
        logger.notice("study cancelled", metadata: ["study": "\(id)"])
        return stopRunning(study)
    }

    /// STOP to every worker running a trial of a study that ended early (cancelled or failed).
    func stopRunning(_ study: Study) -> [Outgoing] {
        workers.values.filter { $0.lostAt == nil }.compactMap { worker in
            guard let trial = worker.trial, index[trial.id]?.study == study.id else { return nil }
            return send(worker.peer, .stop, Body.Stop(trial: trial.id, attempt: trial.attempt, reason: .cancelled))
        }
    }

    /// A study whose first trials all failed for one reason fails now, with that reason, instead
    /// of running the rest of its budget into the same wall.
    func failFast(_ study: Study) throws -> [Outgoing] {
        guard study.state == .running, let reason = study.engine.failure() else { return [] }
        try study.fail(reason.detail)
        logger.error("study failed", metadata: ["study": "\(study.id)", "reason": "\(reason.detail)"])
        // Its trials failed on every machine: the study was at fault, not the workers its
        // failures quarantined, which take other studies' trials again.
        for (name, worker) in workers where worker.quarantine?.study == study.id { try release(name) }
        return stopRunning(study)
    }

    func nextID() -> String {
        counter += 1
        return "c\(counter)"
    }

    func send<B: MessageBody>(_ peer: Data, _ type: MessageType, re: String? = nil, _ body: B, to audience: Outgoing.Audience = .worker) -> Outgoing {
        Outgoing(peer: peer, envelope: Envelope(type, id: nextID(), re: re, body: body), audience: audience)
    }

    /// The answer to a message over `messageLimit` (its frames were never read).
    public func tooLarge(_ peer: Data, bytes: Int, to audience: Outgoing.Audience) -> Outgoing {
        logger.warning("message over the size limit refused", metadata: ["bytes": "\(bytes)", "limit": "\(options.messageLimit)"])
        return error(peer, ProtocolError(.tooLarge, "the message is \(bytes) bytes, \(bytes - options.messageLimit) over the \(options.messageLimit) bytes this coordinator takes (its max_message setting)"), to: audience)
    }

    func error(_ peer: Data, _ error: ProtocolError, to audience: Outgoing.Audience = .worker) -> Outgoing {
        Outgoing(peer: peer, envelope: error.reply(id: nextID()), audience: audience)
    }

    /// Finds a trial by id with its study. An unknown one is stale to its worker, which drops it.
    func locate(_ trialID: Int, re: String) throws -> (Study, Int) {
        guard let (id, number) = index[trialID], let study = studies[id] else {
            throw ProtocolError(.staleAttempt, "trial \(trialID) is unknown here (its study was deleted?): drop it", re: re)
        }
        return (study, number)
    }

    // MARK: Scheduling and liveness

    /// Heartbeats, lost workers and followers, re-queued leases, new assignments.
    public func tick(now: Double) throws -> [Outgoing] {
        var out: [Outgoing] = []
        let silence = options.heartbeat * Double(options.liveness)
        for (name, worker) in workers {
            if worker.lostAt == nil, now - worker.lastSeen > silence {
                workers[name]!.lostAt = now
                logger.warning("worker lost", metadata: ["worker": "\(name)", "silent_s": "\(now - worker.lastSeen)", "trial": "\(worker.trial.map { "\($0.id)" } ?? "-")"])
            }
            if let lost = workers[name]!.lostAt {
                if let trial = worker.trial, now - lost >= options.leaseGrace {
                    try requeue(trial.id, attempt: trial.attempt, why: "its worker \(name) was lost (silent for \(Int(now - worker.lastSeen)) s)", now: now)
                    workers[name]!.trial = nil
                }
                continue
            }
            if now - worker.lastSent >= options.heartbeat {
                out.append(send(worker.peer, .heartbeat, Body.Empty()))
                workers[name]!.lastSent = now
            }
        }
        if !orphans.isEmpty {
            let since = orphansSince ?? now
            orphansSince = since
            if now - since >= options.leaseGrace {
                for id in orphans { try requeue(id, attempt: nil, why: "no worker claimed it after the coordinator restarted", now: now) }
                orphans = []
            }
        }
        for (peer, follower) in followers where now - follower.lastSeen > Self.followerTimeout {
            followers[peer] = nil
        }
        try forgetWorkers(now: now)
        try expireLeases(now: now)
        if let meters, now - lastLevels >= 1 {
            meters.set(levels())
            lastLevels = now
        }
        out += try timeouts(now: now)
        out += try schedule(now: now)
        return out
    }

    /// Trials past their study's `budget.trial_timeout` are stopped and recorded as failed
    /// (rule `timeout`); their worker's DONE then finds them ended. O(workers) per tick.
    private func timeouts(now: Double) throws -> [Outgoing] {
        var out: [Outgoing] = []
        for worker in workers.values where worker.lostAt == nil {
            guard let held = worker.trial, let (id, number) = index[held.id], let study = studies[id], let limit = study.spec.budget.trialTimeout,
                  study.state(of: number) == .running, let started = study.started[number], now - started >= limit else { continue }
            let reason = StopReason(rule: .timeout, detail: "ran past budget.trial_timeout (\(Config.number(limit)) s)", numbers: ["seconds": now - started])
            logger.notice("trial timed out", metadata: ["study": "\(id)", "trial": "\(number)", "worker": "\(worker.name)"])
            try fail(study, number, attempt: held.attempt, reason: reason, worker: worker.name, now: now)
            out.append(send(worker.peer, .stop, Body.Stop(trial: held.id, attempt: held.attempt, reason: .timeout)))
            out += try failFast(study)
        }
        return out
    }

    /// Workers gone past the retention leave the list (a default-named worker gets a new name at
    /// every start); the store's table is trimmed at most once a minute.
    private func forgetWorkers(now: Double) throws {
        for (name, worker) in workers where worker.trial == nil && worker.lostAt.map({ now - $0 > options.workerRetention }) ?? false {
            workers[name] = nil
            if names[worker.peer] == name { names[worker.peer] = nil }
        }
        guard now - lastTrim >= 60 else { return }
        lastTrim = now
        try store.forgetWorkers(seenBefore: now - options.workerRetention)
    }

    /// Puts a running trial back in the queue as its next attempt (if `attempt` is still current).
    func requeue(_ trialID: Int, attempt: Int?, why: String, now: Double) throws {
        guard let (id, number) = index[trialID], let study = studies[id], study.state(of: number) == .running,
              attempt == nil || study.attempts[number] == attempt else { return }
        logger.notice("trial re-queued", metadata: ["study": "\(id)", "trial": "\(number)", "attempt": "\(study.attempts[number] ?? 0)",
                                                    "worker": "\(study.workers[number] ?? "-")", "why": "\(why)"])
        try study.requeue(number, why: StopReason(rule: .cancelled, detail: why), now: now)
    }

    /// A failed attempt: the trial runs again as its next attempt while `retries.max_failures`
    /// allows (on another worker where one is free), else it is failed.
    func fail(_ study: Study, _ number: Int, attempt: Int, reason: StopReason, worker: String, now: Double) throws {
        if number != Store.finalNumber, (study.failures[number] ?? 0) < study.spec.retries.maxFailures {
            logger.notice("failed trial runs again", metadata: ["study": "\(study.id)", "trial": "\(number)", "attempt": "\(attempt)", "reason": "\(reason.detail)"])
            try study.requeue(number, why: reason, avoiding: worker, now: now)
        } else {
            try study.finish(number, attempt: attempt, .failed, value: nil, reason: reason, now: now)
        }
    }

    /// Ends the search of studies whose budget is spent, then gives each idle worker a trial (a
    /// queued one first, else a new suggestion from a study with budget and concurrency to spare).
    func schedule(now: Double) throws -> [Outgoing] {
        for study in studies.values where study.state == .running {
            if study.engine.spent(now: now), study.finished == study.trials.count { try finishSearch(study) }
        }
        var out: [Outgoing] = []
        let idle = workers.keys.sorted().filter { workers[$0]!.trial == nil && workers[$0]!.lostAt == nil && workers[$0]!.quarantine == nil }
        var free = Set(idle)
        let live = Set(workers.values.filter { $0.lostAt == nil && $0.quarantine == nil }.map(\.name))
        for name in idle {
            guard let (study, number) = try nextTrial(for: name, free: free, live: live, now: now) else { continue }
            free.remove(name)
            let attempt = try study.assign(number, to: name, now: now)
            let id = study.ids[number]!
            workers[name]!.trial = (id, attempt)
            workers[name]!.lastSent = now
            out.append(send(workers[name]!.peer, .assign, assignment(study, number: number, id: id, attempt: attempt)))
            logger.info("assigned", metadata: ["study": "\(study.id)", "trial": "\(number)", "id": "\(id)", "attempt": "\(attempt)", "worker": "\(name)"])
        }
        return out
    }

    /// The search is over: queue the final trial (the best completed configuration retrained and
    /// scored on the test split) or, with nothing to retrain, complete the study.
    func finishSearch(_ study: Study) throws {
        if study.spec.runner == .builtin, let best = study.best(completed: true) {
            let id = try study.addFinal(best.configuration)
            index[id] = (study.id, Store.finalNumber)
            logger.info("search over: retraining the best trial and scoring it on the test split", metadata: ["study": "\(study.id)", "trial": "\(best.number)"])
        } else {
            try study.move(to: .completed)
            logger.info("study completed", metadata: ["study": "\(study.id)", "best": "\(study.best().map { "\($0.number)" } ?? "-")"])
        }
    }

    /// The next trial to run: a queued one, else a new suggestion.
    /// Studies share workers fairly: the one with the fewest running trials per unit of
    /// `priority` goes first, ties to the one served longest ago (round-robin), then the oldest.
    /// A trial that failed on `worker` goes to another of the `free` ones where it can.
    private func nextTrial(for worker: String, free: Set<String>, live: Set<String>, now: Double) throws -> (Study, Int)? {
        let order = studies.values.filter { $0.state.isActive && $0.spec.runner != .external }.sorted { a, b in
            let x = Double(a.running) / a.spec.priority, y = Double(b.running) / b.spec.priority
            return x != y ? x < y : a.served != b.served ? a.served < b.served : a.id < b.id
        }
        for study in order {
            // Queued trials (enqueued, re-queued, retried) keep to the concurrency too; the final one runs alone.
            guard study.running < study.spec.budget.maxConcurrent else { continue }
            servings += 1
            guard let number = try take(study, for: worker, free: free, live: live, now: now) else { continue }
            study.served = servings
            return (study, number)
        }
        return nil
    }

    /// A queued trial of `study` that `worker` may run, else a new suggestion, stored and taken.
    func take(_ study: Study, for worker: String, free: Set<String>, live: Set<String>, now: Double) throws -> Int? {
        if let number = study.dequeue(for: worker, free: free, live: live) { return number }
        guard study.state == .running, let configuration = suggest(study, now: now) else { return nil }
        let (number, id) = try study.add(configuration, origin: configuration == study.engine.nextEnqueued ? .enqueued : .suggested)
        index[id] = (study.id, number)
        return study.dequeue(for: worker, free: free, live: live)
    }

    /// The study's next suggestion, timed for the metrics.
    func suggest(_ study: Study, now: Double) -> Search.Configuration? {
        let clock = ContinuousClock(), start = clock.now
        let configuration = study.engine.suggest(now: now, running: study.running)
        if configuration != nil { meters?.suggested(clock.now - start) }
        return configuration
    }

    /// Trials by study and state, queue depths, workers and studies by state, for the gauges.
    public func levels() -> Meters.Levels {
        var levels = Meters.Levels()
        for (id, study) in studies {
            levels.trials[id] = Dictionary(uniqueKeysWithValues: TrialState.allCases.map { ($0.rawValue, study.counts[$0] ?? 0) })
            levels.queued[id] = study.counts[.queued] ?? 0
        }
        for state in StudyState.allCases { levels.studies[state.rawValue] = studies.values.filter { $0.state == state }.count }
        for state in WorkerState.allCases { levels.workers[state.rawValue] = 0 }
        for w in workers.values { levels.workers[w.state.rawValue, default: 0] += 1 }
        return levels
    }

    func assignment(_ study: Study, number: Int, id: Int, attempt: Int) -> Body.Assign {
        let configuration = study.configuration(number)
        let final = number == Store.finalNumber
        // The final trial reuses its trial's seed, so the retrained model is the same model.
        let source = final ? study.best(completed: true)?.number ?? 0 : number
        let seed = study.engine.seed(source)
        if let template = study.spec.command {
            return Body.Assign(trial: id, attempt: attempt, study: study.id, kind: .command, seed: seed, metric: study.spec.metric,
                               config: .object(configuration.values), command: template, number: number)
        }
        let config = study.engine.config(for: configuration, number: source)
        return Body.Assign(trial: id, attempt: attempt, study: study.id, kind: .builtin, seed: seed, metric: study.spec.metric, config: config,
                           command: nil, test: final ? true : nil, number: number)
    }
}
