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

    /// Opens (creating if needed) the store at `path`.
    public init(path: String) throws {
        self.path = path
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
        return migrator
    }

    /// SQLite's journal mode (`wal`).
    public func journalMode() throws -> String {
        try database.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    // MARK: Studies

    /// Stores a new study and returns its id (`s-000001`, …).
    public func createStudy(name: String, spec: Config, seed: UInt64) throws -> String {
        try database.write { db in
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM studies") ?? 0
            let id = String(format: "s-%06d", count + 1)
            try db.execute(sql: "INSERT INTO studies (id, name, spec, state, seed, created_at) VALUES (?, ?, ?, 'running', ?, ?)",
                           arguments: [id, name, spec.json, Int64(bitPattern: seed), Date().timeIntervalSince1970])
            try Self.log(db, "study_created", ["study": .string(id), "name": .string(name)])
            return id
        }
    }

    public struct StudyRecord: Equatable, Sendable {
        public let id: String
        public let name: String
        public let spec: Config
        public let state: String
        public let seed: UInt64
    }

    public func studies() throws -> [StudyRecord] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM studies ORDER BY id").map { row in
                StudyRecord(id: row["id"], name: row["name"], spec: try Config.parse(yaml: row["spec"], source: "store"),
                            state: row["state"], seed: UInt64(bitPattern: row["seed"]))
            }
        }
    }

    public func setStudyState(_ study: String, _ state: String) throws {
        try database.write { db in
            try db.execute(sql: "UPDATE studies SET state = ? WHERE id = ?", arguments: [state, study])
            try Self.log(db, "study_\(state)", ["study": .string(study)])
        }
    }

    // MARK: Trials

    /// Stores a suggested trial, queued.
    public func addTrial(study: String, number: Int, configuration: Search.Configuration) throws {
        try database.write { db in
            try db.execute(sql: "INSERT INTO trials (study, number, config, state, updated_at) VALUES (?, ?, ?, 'queued', ?)",
                           arguments: [study, number, Config.object(configuration.values).json, Date().timeIntervalSince1970])
        }
    }

    /// Records that `worker` runs the trial as a new attempt, before the assignment is sent.
    /// Returns the attempt number (1 for the first).
    public func assign(study: String, number: Int, worker: String) throws -> Int {
        try database.write { db in
            try db.execute(sql: "UPDATE trials SET attempt = attempt + 1, state = 'running', worker = ?, updated_at = ? WHERE study = ? AND number = ?",
                           arguments: [worker, Date().timeIntervalSince1970, study, number])
            guard db.changesCount == 1 else { throw StoreError("trial \(number) of study \(study) does not exist") }
            let attempt = try Int.fetchOne(db, sql: "SELECT attempt FROM trials WHERE study = ? AND number = ?", arguments: [study, number])!
            try Self.log(db, "assigned", ["study": .string(study), "trial": .number(Double(number)), "attempt": .number(Double(attempt)), "worker": .string(worker)])
            return attempt
        }
    }

    /// Puts a running trial back in the queue (its worker was lost); its next assignment is a
    /// new attempt, and reports of the old one become stale.
    public func requeue(study: String, number: Int) throws {
        try database.write { db in
            try db.execute(sql: "UPDATE trials SET state = 'queued', worker = NULL, updated_at = ? WHERE study = ? AND number = ? AND state = 'running'",
                           arguments: [Date().timeIntervalSince1970, study, number])
            try Self.log(db, "requeued", ["study": .string(study), "trial": .number(Double(number))])
        }
    }

    /// A trial's id across studies (its row id): what the wire protocol calls `trial`.
    public func trialID(study: String, number: Int) throws -> Int {
        try database.read { db in
            guard let id = try Int.fetchOne(db, sql: "SELECT rowid FROM trials WHERE study = ? AND number = ?", arguments: [study, number]) else {
                throw StoreError("trial \(number) of study \(study) does not exist")
            }
            return id
        }
    }

    /// The study, number, current attempt and state of a trial id; nil if unknown.
    public func locate(trialID: Int) throws -> (study: String, number: Int, attempt: Int, state: TrialState)? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT study, number, attempt, state FROM trials WHERE rowid = ?", arguments: [trialID]).map {
                ($0["study"], $0["number"], $0["attempt"], TrialState(rawValue: $0["state"]) ?? .failed)
            }
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
        try database.write { db in
            let current = try Int.fetchOne(db, sql: "SELECT attempt FROM trials WHERE study = ? AND number = ?", arguments: [study, number])
            guard let current else { throw StoreError("trial \(number) of study \(study) does not exist") }
            guard current == attempt else { return .stale(current: current) }
            let values = Config.object(metrics.mapValues(Config.init(metric:))).json
            try db.execute(sql: "INSERT OR IGNORE INTO metrics (study, number, attempt, seq, epoch, value_json) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [study, number, attempt, seq, epoch, values])
            return db.changesCount == 1 ? .stored : .duplicate
        }
    }

    /// Ends an attempt with its final state, objective and stop reason. False when stale.
    @discardableResult
    public func finish(study: String, number: Int, attempt: Int, state: TrialState, value: Double?, reason: StopReason?) throws -> Bool {
        try database.write { db in
            let reasonJSON: String? = try reason.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
            try db.execute(sql: """
                UPDATE trials SET state = ?, value = ?, stop_reason = ?, updated_at = ?
                WHERE study = ? AND number = ? AND attempt = ?
                """, arguments: [state.rawValue, value.flatMap { $0.isFinite ? $0 : nil }, reasonJSON, Date().timeIntervalSince1970, study, number, attempt])
            return db.changesCount == 1
        }
    }

    /// The study's trials as samplers and stoppers see them: configuration, state, the
    /// objective `metric` per epoch of the current attempt, and the final value.
    public func history(study: String, metric: String) throws -> [Search.Trial] {
        try database.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT number, config, state, attempt, value FROM trials WHERE study = ? ORDER BY number", arguments: [study])
            var reports: [Int: [Int: Double]] = [:]
            let metricRows = try Row.fetchAll(db, sql: """
                SELECT m.number, m.epoch, m.value_json FROM metrics m JOIN trials t ON t.study = m.study AND t.number = m.number AND t.attempt = m.attempt
                WHERE m.study = ? ORDER BY m.number, m.seq
                """, arguments: [study])
            for row in metricRows {
                let values = try Config.parse(yaml: row["value_json"], source: "store")
                if let value = values[path: metric] {
                    let number: Int = row["number"], epoch: Int = row["epoch"]
                    reports[number, default: [:]][epoch] = value.metric
                }
            }
            return try rows.map { row in
                let number: Int = row["number"]
                guard case let .object(values) = try Config.parse(yaml: row["config"], source: "store") else { throw StoreError("trial \(number) has a bad config") }
                return Search.Trial(number: number, configuration: Search.Configuration(values),
                                    state: TrialState(rawValue: row["state"]) ?? .failed, reports: reports[number] ?? [:], value: row["value"])
            }
        }
    }

    /// The stop reason stored with a trial.
    public func stopReason(study: String, number: Int) throws -> StopReason? {
        try database.read { db in
            guard let text = try String.fetchOne(db, sql: "SELECT stop_reason FROM trials WHERE study = ? AND number = ?", arguments: [study, number]) else { return nil }
            return try JSONDecoder().decode(StopReason.self, from: Data(text.utf8))
        }
    }

    // MARK: Workers and events

    public func workerSeen(name: String, host: String, cores: Int, threads: Int, version: String) throws {
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO workers (name, host, cores, threads, version, last_seen) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET host = excluded.host, cores = excluded.cores, threads = excluded.threads,
                    version = excluded.version, last_seen = excluded.last_seen
                """, arguments: [name, host, cores, threads, version, Date().timeIntervalSince1970])
        }
    }

    public func eventCount(kind: String) throws -> Int {
        try database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events WHERE kind = ?", arguments: [kind]) ?? 0 }
    }

    static func log(_ db: Database, _ kind: String, _ detail: [String: Config]) throws {
        try db.execute(sql: "INSERT INTO events (at, kind, detail) VALUES (?, ?, ?)",
                       arguments: [Date().timeIntervalSince1970, kind, Config.object(detail).json])
    }
}

/// A store operation on something that does not exist or is inconsistent.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
