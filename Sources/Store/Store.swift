import Foundation
import GRDB
import Config
import Search

/// The coordinator's durable state in one SQLite file (WAL): studies, trials with their
/// attempts, per-epoch metrics, stop reasons, workers and events. Every method returns only
/// after its change is committed, so whatever the coordinator acknowledges has reached disk.
public final class Store: Sendable {
    let database: DatabasePool
    public let path: String
    /// Unix seconds for the times the store keeps (created, started, ended): the coordinator's
    /// clock, so stored times and the times it compares them with come from one source.
    public let clock: @Sendable () -> Double
    private let open = OpenBatch()

    /// The transaction of the `batch` in progress, used by every write inside it. Only the thread
    /// running the batch touches it (the coordinator has one loop).
    private final class OpenBatch: @unchecked Sendable { var db: Database? }

    /// Opens (creating if needed) the store at `path`.
    public init(path: String, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) throws {
        self.path = path
        self.clock = clock
        // SQLite reads an empty file as an empty database: a truncated store would start over
        // without a word. A new store is a file that does not exist yet.
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size == 0 {
            throw StoreError("the store \(path) is an empty file (0 bytes): restore it from a backup, or delete it to start a new store")
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        database = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(database)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE studies (id TEXT PRIMARY KEY, name TEXT NOT NULL, spec TEXT NOT NULL, state TEXT NOT NULL,
                                      seed INTEGER NOT NULL, created_at REAL NOT NULL, test_score TEXT);
                CREATE TABLE trials (study TEXT NOT NULL REFERENCES studies(id), number INTEGER NOT NULL, config TEXT NOT NULL,
                                     state TEXT NOT NULL, attempt INTEGER NOT NULL DEFAULT 0, worker TEXT, value REAL,
                                     stop_reason TEXT, updated_at REAL NOT NULL, PRIMARY KEY (study, number));
                CREATE TABLE metrics (study TEXT NOT NULL, number INTEGER NOT NULL, attempt INTEGER NOT NULL, seq INTEGER NOT NULL,
                                      epoch INTEGER NOT NULL, value_json TEXT NOT NULL, PRIMARY KEY (study, number, attempt, seq));
                CREATE TABLE workers (name TEXT PRIMARY KEY, host TEXT NOT NULL, cores INTEGER NOT NULL, threads INTEGER NOT NULL,
                                      version TEXT NOT NULL, last_seen REAL NOT NULL);
                CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL);
                CREATE INDEX trials_by_state ON trials(study, state);
                """)
        }
        migrator.registerMigration("v2") { db in
            try db.execute(sql: "ALTER TABLE trials ADD COLUMN started_at REAL; ALTER TABLE trials ADD COLUMN ended_at REAL;")
        }
        migrator.registerMigration("v3") { db in
            try db.execute(sql: "ALTER TABLE studies ADD COLUMN reason TEXT")
        }
        migrator.registerMigration("v4") { db in
            try db.execute(sql: """
                CREATE TABLE logs (id INTEGER PRIMARY KEY AUTOINCREMENT, study TEXT NOT NULL, number INTEGER NOT NULL, attempt INTEGER NOT NULL,
                                   stream TEXT NOT NULL, text TEXT NOT NULL);
                CREATE INDEX logs_by_trial ON logs(study, number, id);
                """)
        }
        migrator.registerMigration("v5") { db in
            // Lifecycle: where a trial came from, every ended attempt, warm-start history,
            // a study's note and tags, and quarantined workers.
            try db.execute(sql: """
                ALTER TABLE trials ADD COLUMN origin TEXT NOT NULL DEFAULT 'suggested';
                ALTER TABLE studies ADD COLUMN note TEXT;
                ALTER TABLE studies ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
                ALTER TABLE workers ADD COLUMN quarantine TEXT;
                CREATE TABLE attempts (study TEXT NOT NULL, number INTEGER NOT NULL, attempt INTEGER NOT NULL, worker TEXT,
                                       outcome TEXT NOT NULL, cause TEXT, stop_reason TEXT, value REAL, started_at REAL, ended_at REAL NOT NULL,
                                       PRIMARY KEY (study, number, attempt));
                CREATE TABLE warm (study TEXT NOT NULL, position INTEGER NOT NULL, config TEXT NOT NULL, state TEXT NOT NULL, value REAL,
                                   source TEXT NOT NULL, PRIMARY KEY (study, position));
                """)
        }
        migrator.registerMigration("v6") { db in
            // Several objectives: every objective's final value, in the spec's order (a JSON
            // array, null where one is missing); `value` stays the first.
            try db.execute(sql: "ALTER TABLE trials ADD COLUMN values_json TEXT; ALTER TABLE warm ADD COLUMN values_json TEXT")
        }
        migrator.registerMigration("v7") { db in
            // Constraints: how far past each bound the trial ended, in the spec's order (a JSON
            // array, null where the metric was never reported).
            try db.execute(sql: "ALTER TABLE trials ADD COLUMN violations_json TEXT; ALTER TABLE warm ADD COLUMN violations_json TEXT")
        }
        migrator.registerMigration("v8") { db in
            // A warm-start trial's objective at each epoch ({"1": 0.5, …}): the GP scores a pruned
            // one where completed curves went on from its last epoch, as it does its own.
            try db.execute(sql: "ALTER TABLE warm ADD COLUMN reports_json TEXT")
        }
        return migrator
    }

    /// Runs `body` in one transaction: every write inside it commits together, once, when it
    /// returns (group commit — one fsync for a burst of reports instead of one each). A write
    /// that throws inside the batch is rolled back alone (savepoint); the rest still commits.
    public func batch<T>(_ body: () throws -> T) throws -> T {
        // Inside a batch, a savepoint: what fails here is undone whole, and the batch goes on.
        if let db = open.db {
            var result: T?
            try db.inSavepoint {
                result = try body()
                return .commit
            }
            return result!
        }
        return try database.write { db in
            open.db = db
            defer { open.db = nil }
            return try body()
        }
    }

    /// A write transaction, or a savepoint in the open batch.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        guard let db = open.db else { return try database.write(body) }
        var result: T?
        try db.inSavepoint {
            result = try body(db)
            return .commit
        }
        return result!
    }

    /// Reads see the open batch's writes.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        if let db = open.db { return try body(db) }
        return try database.read(body)
    }

    /// SQLite's journal mode (`wal`).
    public func journalMode() throws -> String {
        try read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    // MARK: Studies

    /// A state column read back: a value this build does not know is a store from elsewhere, not a failed trial.
    static func state<State: RawRepresentable<String>>(_ text: String) throws -> State {
        guard let state = State(rawValue: text) else { throw StoreError("unknown \(State.self) '\(text)' in the store (written by a newer build?)") }
        return state
    }

    /// Stores a new study and returns its id (`s-000001`, …).
    public func createStudy(name: String, spec: Config, seed: UInt64) throws -> String {
        try write { db in
            // Ids are never reused, even after `delete`: every creation left an event.
            let created = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events WHERE kind = 'study_created'") ?? 0
            let count = max(created, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM studies") ?? 0)
            let id = String(format: "s-%06d", count + 1)
            try db.execute(sql: "INSERT INTO studies (id, name, spec, state, seed, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [id, name, spec.json, StudyState.running.rawValue, Int64(bitPattern: seed), clock()])
            try log(db, "study_created", ["study": .string(id), "name": .string(name)])
            return id
        }
    }

    public struct StudyRecord: Equatable, Sendable {
        public let id: String
        public let name: String
        public let spec: Config
        public let state: StudyState
        public let seed: UInt64
        /// The best configuration's score on the test split (`test_loss`, `test_accuracy`, `trial`).
        public var test: Config?
        /// Why a failed study failed.
        public var reason: String?
        /// Unix seconds.
        public let createdAt: Double
        /// What its owner wrote about it (`sweep note`), and its tags.
        public var note: String?
        public var tags: [String] = []
    }

    public func studies() throws -> [StudyRecord] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM studies ORDER BY id").map(Self.record) }
    }

    /// One study's record (nil: no such study), without reading the others.
    public func study(_ id: String) throws -> StudyRecord? {
        try read { db in try Row.fetchOne(db, sql: "SELECT * FROM studies WHERE id = ?", arguments: [id]).map(Self.record) }
    }

    private static func record(_ row: Row) throws -> StudyRecord {
        StudyRecord(id: row["id"], name: row["name"], spec: try Config.parse(json: row["spec"], source: "store"),
                    state: try state(row["state"]), seed: UInt64(bitPattern: row["seed"]),
                    test: try (row["test_score"] as String?).map { try Config.parse(json: $0, source: "store") }, reason: row["reason"],
                    createdAt: row["created_at"], note: row["note"], tags: try JSONDecoder().decode([String].self, from: Data((row["tags"] as String).utf8)))
    }

    public func setStudyState(_ study: String, _ state: StudyState) throws {
        try write { db in
            try db.execute(sql: "UPDATE studies SET state = ? WHERE id = ?", arguments: [state.rawValue, study])
            try log(db, "study_\(state.rawValue)", ["study": .string(study)])
        }
    }

    /// Why a study failed (shown with its status).
    public func setStudyReason(_ study: String, _ reason: String) throws {
        try write { db in
            try db.execute(sql: "UPDATE studies SET reason = ? WHERE id = ?", arguments: [reason, study])
        }
    }

    /// Records the test score of a study's best configuration.
    public func setTestScore(_ study: String, _ score: Config) throws {
        try write { db in
            try db.execute(sql: "UPDATE studies SET test_score = ? WHERE id = ?", arguments: [score.json, study])
            try log(db, "tested", ["study": .string(study), "score": score])
        }
    }

    // MARK: Trials

    /// The number of a study's final trial: its best configuration retrained and scored on the
    /// test split once the search is over. Samplers and stoppers never see it.
    public static let finalNumber = -1

    /// Stores a trial, queued; returns its id (`trialID`). The final trial of a study searched
    /// again (`extend`, `retry`) keeps its row and id: the new retraining is its next attempt.
    @discardableResult
    public func addTrial(study: String, number: Int, configuration: Search.Configuration, origin: Origin = .suggested) throws -> Int {
        try write { db in
            let config = Config.object(configuration.values).json
            if number == Self.finalNumber,
               let id = try Int.fetchOne(db, sql: "SELECT rowid FROM trials WHERE study = ? AND number = ?", arguments: [study, number]) {
                try db.execute(sql: """
                    UPDATE trials SET config = ?, state = ?, worker = NULL, value = NULL, values_json = NULL, violations_json = NULL, stop_reason = NULL, updated_at = ?, started_at = NULL, ended_at = NULL
                    WHERE rowid = ?
                    """, arguments: [config, TrialState.queued.rawValue, clock(), id])
                return id
            }
            try db.cachedStatement(sql: "INSERT INTO trials (study, number, config, state, origin, updated_at) VALUES (?, ?, ?, ?, ?, ?)").execute(
                           arguments: [study, number, config, TrialState.queued.rawValue, origin.rawValue, clock()])
            return Int(db.lastInsertedRowID)
        }
    }

    /// Records that `worker` runs the trial as a new attempt, before the assignment is sent.
    /// Returns the attempt number (1 for the first).
    public func assign(study: String, number: Int, worker: String) throws -> Int {
        try write { db in
            let now = clock()
            try db.cachedStatement(sql: "UPDATE trials SET attempt = attempt + 1, state = ?, worker = ?, updated_at = ?, started_at = ?, ended_at = NULL WHERE study = ? AND number = ?").execute(
                           arguments: [TrialState.running.rawValue, worker, now, now, study, number])
            guard db.changesCount == 1 else { throw StoreError("trial \(number) of study \(study) does not exist") }
            let attempt = try Int.fetchOne(db.cachedStatement(sql: "SELECT attempt FROM trials WHERE study = ? AND number = ?"), arguments: [study, number])!
            try log(db, "assigned", ["study": .string(study), "trial": .number(Double(number)), "attempt": .number(Double(attempt)), "worker": .string(worker)])
            return attempt
        }
    }

    /// Trial numbers missing below the highest one (a store a crash or an older build left
    /// behind) are recorded as cancelled with the reason, so numbers are dense again: samplers and
    /// leaderboards index trials by number. Returns the numbers filled in.
    @discardableResult
    public func fillGaps(study: String) throws -> [Int] {
        try write { db in
            let numbers = try Int.fetchAll(db, sql: "SELECT number FROM trials WHERE study = ? AND number >= 0 ORDER BY number", arguments: [study])
            let present = Set(numbers)
            let missing = (0..<(numbers.last.map { $0 + 1 } ?? 0)).filter { !present.contains($0) }
            let reason = StopReason(rule: .error, detail: "no record of this trial survived (a commit that failed before it reached the disk)")
            for number in missing {
                let now = clock()
                try db.execute(sql: "INSERT INTO trials (study, number, config, state, stop_reason, updated_at, ended_at) VALUES (?, ?, '{}', ?, ?, ?, ?)",
                               arguments: [study, number, TrialState.cancelled.rawValue, String(decoding: try JSONEncoder().encode(reason), as: UTF8.self), now, now])
                try log(db, "trial_filled", ["study": .string(study), "trial": .number(Double(number))])
            }
            return missing
        }
    }

    /// Puts a running trial back in the queue (its worker was lost, left, or failed for its own
    /// reasons); its next assignment is a new attempt, and reports of the old one become stale.
    /// The attempt is kept with `why` and, for a machine's failure, its `cause`.
    public func requeue(study: String, number: Int, why: StopReason, cause: FailureCause? = nil) throws {
        try write { db in
            try endAttempt(db, study: study, number: number, outcome: .requeued, cause: cause, reason: why, value: nil)
            try db.cachedStatement(sql: "UPDATE trials SET state = ?, worker = NULL, updated_at = ? WHERE study = ? AND number = ? AND state = ?").execute(
                           arguments: [TrialState.queued.rawValue, clock(), study, number, TrialState.running.rawValue])
            try log(db, "requeued", ["study": .string(study), "trial": .number(Double(number)), "why": .string(why.detail)])
        }
    }

    public enum Recorded: Equatable, Sendable {
        /// Stored now.
        case stored
        /// This sequence number was stored before (a resend); nothing changed.
        case duplicate
        /// The attempt is not the trial's current one; nothing changed.
        case stale(current: Int)
    }

    /// Stores one metric report of an attempt, once: a resent sequence number is a duplicate,
    /// a superseded attempt is stale.
    public func record(study: String, number: Int, attempt: Int, seq: Int, epoch: Int, metrics: [String: Double]) throws -> Recorded {
        try write { db in
            let current = try Int.fetchOne(db.cachedStatement(sql: "SELECT attempt FROM trials WHERE study = ? AND number = ?"), arguments: [study, number])
            guard let current else { throw StoreError("trial \(number) of study \(study) does not exist") }
            guard current == attempt else { return .stale(current: current) }
            let values = Config.object(metrics.mapValues(Config.init(metric:))).json
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO metrics (study, number, attempt, seq, epoch, value_json) VALUES (?, ?, ?, ?, ?, ?)").execute(
                           arguments: [study, number, attempt, seq, epoch, values])
            return db.changesCount == 1 ? .stored : .duplicate
        }
    }

    /// Ends an attempt with its final state, objective and stop reason (kept in `attempts` too,
    /// with the failure's `cause`). `values`: with several objectives, every one's final value
    /// (the first is `value`); `violations`: with constraints, how far past each bound. False when stale.
    @discardableResult
    public func finish(study: String, number: Int, attempt: Int, state: TrialState, value: Double?, values: [Double] = [],
                       violations: [Double] = [], reason: StopReason?, cause: FailureCause? = nil) throws -> Bool {
        try write { db in
            let now = clock()
            let current = try Int.fetchOne(db.cachedStatement(sql: "SELECT attempt FROM trials WHERE study = ? AND number = ?"), arguments: [study, number])
            guard current == attempt else { return false }
            if let outcome = AttemptOutcome(state) {
                try endAttempt(db, study: study, number: number, outcome: outcome, cause: cause, reason: reason, value: value)
            }
            try db.cachedStatement(sql: """
                UPDATE trials SET state = ?, value = ?, values_json = ?, violations_json = ?, stop_reason = ?, updated_at = ?, ended_at = ?
                WHERE study = ? AND number = ? AND attempt = ?
                """).execute(arguments: [state.rawValue, value.flatMap { $0.isFinite ? $0 : nil }, Self.json(values), Self.json(violations),
                                         try Self.json(reason), now, now,
                                         study, number, attempt])
            return db.changesCount == 1
        }
    }

    static func json(_ reason: StopReason?) throws -> String? {
        try reason.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
    }

    /// Final values as a JSON array (null for a missing or non-finite one); nil for none.
    static func json(_ values: [Double]) -> String? {
        values.isEmpty ? nil : Config.array(values.map { $0.isFinite ? .number($0) : .null }).json
    }

    /// Reports by epoch as a JSON object (finite ones); nil for none.
    static func json(reports: [Int: Double]) -> String? {
        let finite = reports.filter { $0.value.isFinite }
        return finite.isEmpty ? nil : Config.object(Dictionary(uniqueKeysWithValues: finite.map { (String($0.key), Config.number($0.value)) })).json
    }

    /// Reports read back (`json(reports:)`).
    static func reports(_ text: String?) throws -> [Int: Double] {
        guard let text else { return [:] }
        guard case let .object(items) = try Config.parse(json: text, source: "store") else { throw StoreError("bad warm-start reports in the store: \(text)") }
        return Dictionary(uniqueKeysWithValues: items.compactMap { key, value in Int(key).map { ($0, value.metric) } })
    }

    /// Final values read back (`json(_ values:)`): NaN where one was missing.
    static func values(_ text: String?) throws -> [Double] {
        guard let text else { return [] }
        guard case let .array(items) = try Config.parse(json: text, source: "store") else { throw StoreError("bad final values in the store: \(text)") }
        return items.map(\.metric)
    }

    /// The study's trials as samplers and stoppers see them: configuration, state, the
    /// objective `metric` per epoch of the current attempt, and the final value.
    public func history(study: String, metric: String) throws -> [Search.Trial] {
        try history(study: study, metrics: [metric])
    }

    /// `history` of a study with several objectives (`metrics`, in the spec's order, the first
    /// being the objective): every one's value per epoch (`stepValues`, NaN where one was not
    /// reported) and final (`values`) as well. With one metric, the same as `history(metric:)`.
    /// `constraints`: each trial's `violations`, final once it finished, else its latest reports'.
    public func history(study: String, metrics: [String], constraints: [Constraint] = []) throws -> [Search.Trial] {
        let metric = metrics[0], several = metrics.count > 1
        return try read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT number, config, state, attempt, value, values_json, violations_json, stop_reason FROM trials WHERE study = ? AND number >= 0 ORDER BY number", arguments: [study])
            var reports: [Int: [Int: Double]] = [:]
            var steps: [Int: [Int: [Double]]] = [:]
            var latest: [Int: [Double]] = [:], stepViolations: [Int: [Int: [Double]]] = [:]
            let metricRows = try Row.fetchAll(db, sql: """
                SELECT m.number, m.epoch, m.value_json FROM metrics m JOIN trials t ON t.study = m.study AND t.number = m.number AND t.attempt = m.attempt
                WHERE m.study = ? AND t.state != ? ORDER BY m.number, m.seq
                """, arguments: [study, TrialState.queued.rawValue])
            // A queued trial's reports are of an attempt that ended (it runs again afresh).
            for row in metricRows {
                let values = try Config.parse(json: row["value_json"], source: "store")
                let number: Int = row["number"], epoch: Int = row["epoch"]
                if let value = values[path: metric] { reports[number, default: [:]][epoch] = value.metric }
                if several { steps[number, default: [:]][epoch] = metrics.map { values[path: $0]?.metric ?? .nan } }
                if !constraints.isEmpty {
                    let before = latest[number] ?? Array(repeating: .nan, count: constraints.count)
                    latest[number] = constraints.indices.map { i in values[path: constraints[i].metric].map { constraints[i].violation($0.metric) } ?? before[i] }
                    stepViolations[number, default: [:]][epoch] = latest[number]
                }
            }
            return try rows.map { row in
                let number: Int = row["number"]
                guard case let .object(values) = try Config.parse(json: row["config"], source: "store") else { throw StoreError("trial \(number) has a bad config") }
                let reason = try (row["stop_reason"] as String?).map { try JSONDecoder().decode(StopReason.self, from: Data($0.utf8)) }
                let finals = try Self.values(row["values_json"])
                let violations = constraints.isEmpty ? [] : try (row["violations_json"] as String?).map { try Self.values($0) } ?? latest[number] ?? []
                return Search.Trial(number: number, configuration: Search.Configuration(values),
                                    state: try Self.state(row["state"]), reports: reports[number] ?? [:], value: row["value"], reason: reason,
                                    stepValues: several ? steps[number] ?? [:] : [:], values: several ? finals : [], violations: violations,
                                    stepViolations: stepViolations[number] ?? [:])
            }
        }
    }

    /// What the coordinator keeps of a trial beside its history: id, worker and times.
    public struct TrialInfo: Equatable, Sendable {
        public let id: Int
        public let number: Int
        public let attempt: Int
        public let state: TrialState
        public let worker: String?
        public let startedAt: Double?
        public let endedAt: Double?
        /// The final trial's configuration; nil for search trials, whose configurations
        /// `history` reads (parsing 100,000 of them twice was a second of every restart).
        public let config: Config?
    }

    /// Every trial of a study, the final one included, by number.
    public func trialInfo(study: String) throws -> [TrialInfo] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT rowid, number, attempt, state, worker, started_at, ended_at, CASE WHEN number = ? THEN config END AS config FROM trials WHERE study = ? ORDER BY number",
                             arguments: [Self.finalNumber, study]).map { row in
                TrialInfo(id: row["rowid"], number: row["number"], attempt: row["attempt"], state: try Self.state(row["state"]),
                          worker: row["worker"], startedAt: row["started_at"], endedAt: row["ended_at"],
                          config: try (row["config"] as String?).map { try Config.parse(json: $0, source: "store") })
            }
        }
    }

    /// Every trial of a study with its parameters, state, stop reason and every metric of every
    /// epoch of its current attempt, as `sweep export` writes them; `numbers`: only those trials.
    public func export(study: String, numbers: [Int]? = nil) throws -> [Config] {
        try read { db in try export(db, study: study, numbers: numbers) }
    }

    /// `export` as last committed, on a reader connection of its own (WAL readers do not wait
    /// for the writer): it may run on another thread while a batch is open.
    public func exportCommitted(study: String, numbers: [Int]? = nil) throws -> [Config] {
        try database.read { db in try export(db, study: study, numbers: numbers) }
    }

    private func export(_ db: Database, study: String, numbers: [Int]?) throws -> [Config] {
        // Trial numbers are integers: written into the SQL, they cannot inject anything.
        let list = numbers.map { " IN (\($0.map(String.init).joined(separator: ",")))" }
        let only = list.map { " AND t.number\($0)" } ?? ""
        var epochs: [Int: [Config]] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT m.number, m.epoch, m.value_json FROM metrics m JOIN trials t ON t.study = m.study AND t.number = m.number AND t.attempt = m.attempt
            WHERE m.study = ?\(only) ORDER BY m.number, m.seq
            """, arguments: [study]) {
            var values = try Config.parse(json: row["value_json"], source: "store")
            values = values.setting("epoch", to: .number(Double(row["epoch"] as Int)))
            epochs[row["number"], default: []].append(values)
        }
        let ended = try attempts(db, study: study, only: list.map { " AND number\($0)" } ?? "")
        return try Row.fetchAll(db, sql: "SELECT * FROM trials t WHERE study = ?\(only) ORDER BY number < 0, number", arguments: [study]).map { row in
            let number: Int = row["number"]
            var trial: [String: Config] = [
                "trial": .number(Double(number)), "status": .string(row["state"]), "attempt": .number(Double(row["attempt"] as Int)),
                "config": try Config.parse(json: row["config"], source: "store"), "metrics": .array(epochs[number] ?? []),
                "origin": .string(row["origin"]), "attempts": .array(ended[number] ?? []),
            ]
            if number == Self.finalNumber { trial["final"] = .bool(true) }
            if let value: Double = row["value"] { trial["value"] = .number(value) }
            if let values: String = row["values_json"] { trial["values"] = try Config.parse(json: values, source: "store") }
            if let violations: String = row["violations_json"] {
                trial["violations"] = try Config.parse(json: violations, source: "store")
                trial["feasible"] = .bool(Feasibility.feasible(try Self.values(violations)))
            }
            if let worker: String = row["worker"] { trial["worker"] = .string(worker) }
            if let reason: String = row["stop_reason"] { trial["stop_reason"] = try Config.parse(json: reason, source: "store") }
            if let start: Double = row["started_at"] {
                trial["elapsed_s"] = .number(((row["ended_at"] as Double?) ?? clock()) - start)
                trial["started_at"] = .number(start)
            }
            if let end: Double = row["ended_at"] { trial["ended_at"] = .number(end) }
            return .object(trial)
        }
    }

    /// The stop reason stored with a trial.
    public func stopReason(study: String, number: Int) throws -> StopReason? {
        try read { db in
            guard let text = try String.fetchOne(db, sql: "SELECT stop_reason FROM trials WHERE study = ? AND number = ?", arguments: [study, number]) else { return nil }
            return try JSONDecoder().decode(StopReason.self, from: Data(text.utf8))
        }
    }

}

/// A store operation on something that does not exist or is inconsistent.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
