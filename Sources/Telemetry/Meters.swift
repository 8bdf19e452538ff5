import Prometheus
import Synchronization

/// The coordinator's metrics, in one Prometheus registry: counters and latencies recorded as
/// things happen, gauges set from the coordinator's state about once a second. Thread-safe: the
/// coordinator's loop writes, the metrics endpoint reads.
public final class Meters: Sendable {
    public let registry = PrometheusCollectorRegistry()
    let reports: Counter
    let commits: Counter
    let messages: Counter
    let commitSeconds: DurationHistogram
    let suggestSeconds: DurationHistogram
    /// Studies given gauges so far: one gone from the levels (deleted) reads 0 from then on.
    private let studies = Mutex<[String: [String]]>([:])

    /// Latency buckets from 100 µs to 10 s.
    static let buckets: [Duration] = [.microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
                                      .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1), .seconds(10)]

    public init() {
        reports = registry.makeCounter(name: "sweep_reports_total", help: "Per-epoch reports stored (METRIC from workers, REPORT from askers)")
        commits = registry.makeCounter(name: "sweep_commits_total", help: "Store transactions committed (one per batch of messages)")
        messages = registry.makeCounter(name: "sweep_messages_total", help: "Messages received from workers and clients")
        commitSeconds = registry.makeDurationHistogram(name: "sweep_commit_seconds", buckets: Self.buckets,
                                                       help: "Time to handle a batch of messages and commit it to the store (fsync included)")
        suggestSeconds = registry.makeDurationHistogram(name: "sweep_suggestion_seconds", buckets: Self.buckets,
                                                        help: "Time a sampler took to suggest one configuration")
    }

    public func reported() { reports.increment() }
    public func received(_ count: Int) { messages.increment(by: Int64(count)) }

    public func committed(_ duration: Duration) {
        commits.increment()
        commitSeconds.record(duration)
    }

    public func suggested(_ duration: Duration) { suggestSeconds.record(duration) }

    /// What the coordinator holds now, by label.
    public struct Levels: Sendable {
        /// (study, state) → trials.
        public var trials: [String: [String: Int]] = [:]
        /// study → queued trials waiting for a worker.
        public var queued: [String: Int] = [:]
        /// state → workers.
        public var workers: [String: Int] = [:]
        /// state → studies.
        public var studies: [String: Int] = [:]
        public init() {}
    }

    /// Sets the gauges; a label seen before and absent now reads 0 (a study deleted, a state emptied).
    public func set(_ levels: Levels) {
        var levels = levels
        let gone = studies.withLock { seen in
            defer { for (study, states) in levels.trials { seen[study] = Array(states.keys) } }
            return seen.filter { levels.trials[$0.key] == nil }
        }
        for (study, states) in gone { levels.trials[study] = Dictionary(uniqueKeysWithValues: states.map { ($0, 0) }) }
        for (study, states) in levels.trials {
            for (state, count) in states {
                registry.makeGauge(name: "sweep_trials", labels: [("study", study), ("state", state)], help: "Trials by study and state").set(Double(count))
            }
            registry.makeGauge(name: "sweep_queue_depth", labels: [("study", study)], help: "Queued trials waiting for a worker")
                .set(Double(levels.queued[study] ?? 0))
        }
        for (state, count) in levels.workers {
            registry.makeGauge(name: "sweep_workers", labels: [("state", state)], help: "Workers by state").set(Double(count))
        }
        for (state, count) in levels.studies {
            registry.makeGauge(name: "sweep_studies", labels: [("state", state)], help: "Studies by state").set(Double(count))
        }
    }

    /// The Prometheus text exposition of every metric.
    public func text() -> String { registry.emitToString() }
}
