import Foundation
import Logging
import Synchronization
import Config
import Datasets
import NN
import Protocol
import Runner
import Search
import TrialSpecs

/// Runs a study in this process, built-in or command trials, up to `parallel` at a time, driving
/// the same `StudyEngine` as the coordinator and running each trial as a worker would
/// (`TrialRun`): the engine suggests and lays the trial config, the trial reports each epoch, the
/// engine decides, and the best completed configuration is scored on the test split at the end.
/// With one trial at a time a spec suggests, seeds and stops exactly as it does on the cluster
/// with one worker.
public final class LocalStudy: @unchecked Sendable {
    public let engine: StudyEngine
    public var spec: StudySpec { engine.spec }
    public let parallel: Int
    /// Per trial: the last epoch's metrics, the stop or failure reason, and its seconds.
    public var details: [Int: (metrics: [String: Double], reason: StopReason?, seconds: Double)] { lock.withLock { ended } }
    /// Why the study stopped early: its first trials all failed for one reason (`budget.fail_fast`).
    public var failure: StopReason? { lock.withLock { failed } }
    /// `stop()` was called (Ctrl-C): running trials were stopped, no more start.
    public var stopped: Bool { stopping.load(ordering: .acquiring) }

    /// Guards the engine and what follows: trials report from their own threads.
    private let lock = NSCondition()
    private var ended: [Int: (metrics: [String: Double], reason: StopReason?, seconds: Double)] = [:]
    /// Every report: trial → epoch → metrics (`exported`).
    private var curves: [Int: [Int: [String: Double]]] = [:]
    /// When each trial started, in seconds from the study's start (`exported`).
    private var starts: [Int: Double] = [:]
    private var failed: StopReason?
    private var running = 0
    /// Callbacks run one at a time, outside `lock` (so they may read the study).
    private let callbacks = NSLock()
    private let stopping = Atomic<Bool>(false)
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant
    private let cache = Mutex<[String: Splits]>([:])

    /// `warm`: finished trials of an earlier study the sampler starts from (numbered below −1).
    public init(spec: StudySpec, parallel: Int = 1, warm: [Trial] = []) {
        origin = clock.now
        engine = StudyEngine(spec: spec, start: 0, warm: warm)
        self.parallel = max(1, parallel)
    }

    public var trials: [Trial] { lock.withLock { engine.trials } }
    /// With several objectives: each finished trial's Pareto standing, by number.
    public var standings: [Int: Standing] { lock.withLock { engine.standings() } }
    /// The trials with every report and how each ended, taken at one moment.
    var record: (trials: [Trial], curves: [Int: [Int: [String: Double]]], starts: [Int: Double],
                 ended: [Int: (metrics: [String: Double], reason: StopReason?, seconds: Double)]) {
        lock.withLock { (engine.trials, curves, starts, ended) }
    }

    private var now: Double { (clock.now - origin).seconds }

    /// Running trials stop at their next report (a command gets SIGTERM, then SIGKILL); no more
    /// start. Safe from a signal handler's thread.
    public func stop() { stopping.store(true, ordering: .releasing) }

    /// Runs until the budget is spent, the space is exhausted, the study fails, or `stop()`.
    /// `onEpoch` hears every report (trial number, epoch, metrics) and `onTrial` every trial that
    /// ends, on the trial's thread, one at a time.
    public func run(onEpoch: @escaping @Sendable (Int, Int, [String: Double]) -> Void = { _, _, _ in },
                    onTrial: @escaping @Sendable (Trial) -> Void = { _ in }) {
        lock.lock()
        defer { lock.unlock() }
        while true {
            while running >= parallel { lock.wait() }
            if stopped || failed != nil { break }
            guard let configuration = engine.suggest(now: now, running: running) else {
                // Nothing to start now: done, unless a running trial may still change the history.
                if running == 0 { break }
                lock.wait()
                continue
            }
            let number = engine.add(configuration)
            engine.set(number, .running)
            running += 1
            let thread = Thread { [self] in
                let trial = train(number, onEpoch: onEpoch)
                callbacks.withLock { onTrial(trial) }
                lock.withLock {
                    running -= 1
                    lock.broadcast()
                }
            }
            thread.start()
        }
        while running > 0 { lock.wait() }
    }

    /// What a worker would be sent for trial `number`.
    func assignment(_ number: Int, test: Bool = false) -> Body.Assign {
        let configuration = engine.trials[number].configuration
        if let command = spec.command {
            return Body.Assign(trial: number, attempt: 1, study: spec.name, kind: .command, seed: engine.seed(number), metric: spec.metric,
                               config: .object(configuration.values), command: command, number: number)
        }
        return Body.Assign(trial: number, attempt: 1, study: spec.name, kind: .builtin, seed: engine.seed(number), metric: spec.metric,
                           config: engine.config(for: configuration, number: number), test: test ? true : nil, number: number)
    }

    /// Runs one trial on this thread; returns it as it ended.
    private func train(_ number: Int, onEpoch: @escaping @Sendable (Int, Int, [String: Double]) -> Void) -> Trial {
        let begin = clock.now
        lock.withLock { starts[number] = (begin - origin).seconds }
        let assign = lock.withLock { assignment(number) }
        var stop: StopReason?
        let limit = spec.budget.trialTimeout
        let timedOut: @Sendable () -> Bool = { [clock] in limit.map { (clock.now - begin).seconds >= $0 } ?? false }
        let result = TrialRun(assign: assign, logger: Logger(label: "sweep.run", factory: { _ in SwiftLogNoOpLogHandler() }), data: data)
            .run(shouldStop: { [self] in stopped || timedOut() }, report: { epoch, metrics in
                callbacks.withLock { onEpoch(number, epoch, metrics) }
                return lock.withLock {
                    curves[number, default: [:]][epoch] = metrics
                    guard let value = metrics[spec.metric] else { return true }
                    if case let .stop(why) = engine.report(number, epoch: epoch, value: value, values: engine.values(metrics),
                                                                      violations: engine.violations(metrics, of: number)) { stop = why }
                    return stop == nil
                }
            })
        return lock.withLock {
            var state: TrialState, reason: StopReason?
            switch result.status {
            case .completed:
                state = .completed
            case .stopped where stop == nil && timedOut():
                state = .failed
                reason = StopReason(rule: .timeout, detail: "ran past budget.trial_timeout (\(Config.number(limit ?? 0)) s)")
            case .stopped:
                state = stop.map(\.rule.state) ?? .cancelled
                reason = stop ?? StopReason(rule: .cancelled, detail: "the study was stopped")
            case .diverged:
                state = .diverged
                reason = stop ?? StopReason(rule: .divergence, detail: result.error ?? "the loss became NaN or infinite")
            case .failed:
                state = .failed
                reason = StopReason(rule: .error, detail: result.error ?? "the trial failed")
            }
            if state == .completed, let silence = engine.silence(number, reported: Array(result.metrics.keys)) {
                state = .failed
                reason = silence
            }
            let (value, values, violations) = state == .failed ? (nil, [], []) : engine.finals(number, result.metrics)
            engine.set(number, state, value: value, values: values, violations: violations, reason: reason)
            ended[number] = (result.metrics, reason, (clock.now - begin).seconds)
            if failed == nil { failed = engine.failure() }
            return engine.trials[number]
        }
    }

    /// One load of each dataset for the whole study (every trial uses the study's data seed);
    /// trials starting together wait for the first one's load instead of loading it again.
    private func data(_ trial: TrialSpec) throws -> Splits {
        let key = "\(trial.data)-\(trial.task)"
        return try cache.withLock { cache in
            if let cached = cache[key] { return cached }
            let loaded = try trial.splits()
            cache[key] = loaded
            return loaded
        }
    }

    /// The best completed (or pruned) trial by its final objective.
    public var best: Trial? { lock.withLock { engine.best() } }

    /// Retrains the best configuration that ran to the end and scores it on the test split
    /// (never used for the search), as the coordinator's final trial does. Nil for command
    /// studies and when no trial completed.
    public func testScore() -> (trial: Trial, metrics: [String: Double], error: String?)? {
        guard spec.runner == .builtin, let best = lock.withLock({ engine.best(completed: true) }) else { return nil }
        let assign = lock.withLock { assignment(best.number, test: true) }
        let result = TrialRun(assign: assign, logger: Logger(label: "sweep.run", factory: { _ in SwiftLogNoOpLogHandler() }), data: data)
            .run(shouldStop: { [self] in stopped }, report: { _, _ in true })
        return (best, result.metrics.filter { $0.key.hasPrefix("test_") }, result.error)
    }

    /// The trial config the engine lays for `configuration` as trial `number`.
    public func config(for configuration: Configuration, number: Int) -> Config { engine.config(for: configuration, number: number) }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
