import Config
import Search
import Store

/// Every change of a study's state, each one call that writes the store and then the study in
/// memory, so the two cannot disagree: a store write that throws changes nothing here. Nothing
/// else in the coordinator writes either. `now` is the coordinator's clock (the store's).
extension Study {
    /// Stores a suggestion (or an enqueued configuration) as the next search trial, queued;
    /// returns its number and id.
    func add(_ configuration: Search.Configuration, origin: Origin = .suggested) throws -> (number: Int, id: Int) {
        let id = try store.addTrial(study: self.id, number: trials.count, configuration: configuration, origin: origin)
        let number = remember(configuration, id: id)
        if origin != .suggested { origins[number] = origin }
        return (number, id)
    }

    /// The search is over: queues the final trial (the best completed configuration, retrained
    /// and scored on the test split) and moves the study to `testing`; returns its id.
    func addFinal(_ configuration: Search.Configuration) throws -> Int {
        let id = try store.batch {
            let id = try store.addTrial(study: self.id, number: Store.finalNumber, configuration: configuration)
            try store.setStudyState(self.id, .testing)
            return id
        }
        remember(final: configuration, id: id)
        state = .testing
        return id
    }

    /// A worker takes a queued trial as its next attempt; returns the attempt number.
    func assign(_ number: Int, to worker: String, now: Double) throws -> Int {
        let attempt = try store.assign(study: id, number: number, worker: worker)
        attempts[number] = attempt
        workers[number] = worker
        set(number, .running, now: now)
        return attempt
    }

    /// A worker that says HELLO with its running trial keeps it. Nothing to store: the store
    /// names the worker the attempt was assigned to, and a worker keeps its name across restarts.
    func adopt(_ number: Int, by worker: String) {
        workers[number] = worker
    }

    /// Puts a running trial back in the queue (its worker is gone, or failed it for the
    /// machine's reasons, or it failed and has retries left); the next attempt fences this one.
    /// `avoiding`: the worker it failed on, which it runs on again only when no other is free.
    func requeue(_ number: Int, why: StopReason, cause: FailureCause? = nil, avoiding worker: String? = nil, now: Double) throws {
        try store.requeue(study: id, number: number, why: why, cause: cause)
        workers[number] = nil
        if let worker {
            if cause == .worker { shunned[number, default: []].insert(worker) } else { avoid[number, default: []].insert(worker) }
        }
        if why.rule == .error || why.rule == .timeout, cause != .worker { failures[number, default: 0] += 1 }
        set(number, .queued, fresh: true, now: now)
    }

    /// Finished trials run again as their next attempt; an ended study runs again (its final
    /// trial, if any, is retrained once they finish).
    func retry(_ numbers: [Int], now: Double) throws {
        try store.retry(study: id, numbers: numbers)
        for number in numbers { set(number, .queued, fresh: true, now: now) }
        reopen()
    }

    /// Back to running after `extend` or `retry`: the test score waits for the new best.
    func reopen() {
        guard !state.isActive else { return }
        state = .running
        test = nil
        reason = nil
    }

    /// A new name, note or tags (what is nil stays).
    func describe(name: String?, note: String??, tags: [String]?) throws {
        try store.describe(study: id, name: name, note: note, tags: tags)
        if let name { self.name = name }
        if let note { self.note = note }
        if let tags { self.tags = tags }
    }

    /// Stores a report; a new one also reaches the engine, whose decision comes back.
    func record(_ number: Int, attempt: Int, seq: Int, epoch: Int, metrics: [String: Double]) throws -> (Store.Recorded, StopDecision) {
        let recorded = try store.record(study: id, number: number, attempt: attempt, seq: seq, epoch: epoch, metrics: metrics)
        guard recorded == .stored, number != Store.finalNumber, let value = metrics[spec.metric] else { return (recorded, .continue) }
        return (recorded, remember(number, epoch: epoch, value: value, values: engine.values(metrics), violations: engine.violations(metrics, of: number)))
    }

    /// Ends an attempt in its final state, with its objective, why it stopped and whose fault a failure was.
    /// `values`: with several objectives, every one's final value (the first is `value`);
    /// `violations`: with constraints, how far past each bound.
    func finish(_ number: Int, attempt: Int, _ state: TrialState, value: Double?, values: [Double] = [], violations: [Double] = [],
                reason: StopReason?, cause: FailureCause? = nil, now: Double) throws {
        _ = try store.finish(study: id, number: number, attempt: attempt, state: state, value: value, values: values, violations: violations,
                             reason: reason, cause: cause)
        set(number, state, value: value, values: values, violations: violations, reason: reason, now: now)
    }

    /// Cancels the study, or completes one with nothing to retrain.
    func move(to state: StudyState) throws {
        try store.setStudyState(id, state)
        self.state = state
    }

    /// The study cannot go on (its first trials all failed for one reason): it is `failed`, with why.
    func fail(_ why: String) throws {
        try store.batch {
            try store.setStudyState(id, .failed)
            try store.setStudyReason(id, why)
        }
        state = .failed
        reason = why
    }

    /// The final trial ended: its test score is the study's, and the study is complete.
    func complete(test score: Config) throws {
        try store.batch {
            try store.setTestScore(id, score)
            try store.setStudyState(id, .completed)
        }
        test = score
        state = .completed
    }
}
