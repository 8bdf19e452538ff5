import Foundation
import GRDB
import Config
import Search

/// A study's life after submit: attempts kept as they end, retries, more budget, warm-start
/// history, its note, tags and name, deletion, and quarantined workers.
extension Store {
    // MARK: Attempts

    /// Keeps how the trial's current attempt ended (once: a second end of one attempt is ignored).
    func endAttempt(_ db: Database, study: String, number: Int, outcome: AttemptOutcome, cause: FailureCause?, reason: StopReason?,
                    value: Double?) throws {
        try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO attempts (study, number, attempt, worker, outcome, cause, stop_reason, value, started_at, ended_at)
            SELECT study, number, attempt, worker, ?, ?, ?, ?, started_at, ? FROM trials WHERE study = ? AND number = ? AND attempt > 0
            """).execute(arguments: [outcome.rawValue, cause?.rawValue, try Self.json(reason), value.flatMap { $0.isFinite ? $0 : nil }, clock(),
                                     study, number])
    }

    /// Every ended attempt of a study's trials (`only`: an SQL condition on `number`), by trial
    /// number, oldest first, as export shows them.
    func attempts(_ db: Database, study: String, only: String = "") throws -> [Int: [Config]] {
        var result: [Int: [Config]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT * FROM attempts WHERE study = ?\(only) ORDER BY number, attempt", arguments: [study]) {
            var attempt: [String: Config] = ["attempt": .number(Double(row["attempt"] as Int)), "outcome": .string(row["outcome"])]
            if let worker: String = row["worker"] { attempt["worker"] = .string(worker) }
            if let cause: String = row["cause"] { attempt["cause"] = .string(cause) }
            if let value: Double = row["value"] { attempt["value"] = .number(value) }
            if let reason: String = row["stop_reason"] { attempt["stop_reason"] = try Config.parse(json: reason, source: "store") }
            if let start: Double = row["started_at"] { attempt["elapsed_s"] = .number((row["ended_at"] as Double) - start) }
            result[row["number"], default: []].append(.object(attempt))
        }
        return result
    }

    /// How many attempts of each trial failed for the trial's own reasons (what `retries.max_failures`
    /// counts): those that ended it, and those re-queued to run again after a failure or a timeout.
    public func failures(study: String) throws -> [Int: Int] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT number, COUNT(*) AS n FROM attempts WHERE study = ? AND (cause IS NULL OR cause = ?)
                  AND (outcome = ? OR (outcome = ? AND json_extract(stop_reason, '$.rule') IN (?, ?))) GROUP BY number
                """, arguments: [study, FailureCause.trial.rawValue, AttemptOutcome.failed.rawValue, AttemptOutcome.requeued.rawValue,
                                 StopRule.error.rawValue, StopRule.timeout.rawValue])
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["number"], $0["n"]) })
        }
    }

    /// Where each trial also came from: `origin` of every trial that was not suggested.
    public func origins(study: String) throws -> [Int: Origin] {
        try read { db in
            var result: [Int: Origin] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT number, origin FROM trials WHERE study = ? AND origin != 'suggested'", arguments: [study]) {
                result[row["number"]] = try Self.state(row["origin"])
            }
            return result
        }
    }

    // MARK: Steering

    /// Finished trials go back to the queue to run again as their next attempt (their earlier
    /// attempts stay in `attempts`); a study that had ended runs again.
    public func retry(study: String, numbers: [Int]) throws {
        try write { db in
            for number in numbers {
                try db.execute(sql: """
                    UPDATE trials SET state = ?, worker = NULL, value = NULL, values_json = NULL, violations_json = NULL, stop_reason = NULL, updated_at = ?, ended_at = NULL
                    WHERE study = ? AND number = ?
                    """, arguments: [TrialState.queued.rawValue, clock(), study, number])
            }
            try reopen(db, study: study)
            try log(db, "retried", ["study": .string(study), "trials": .array(numbers.map { .number(Double($0)) })])
        }
    }

    /// The study goes on with `spec` (its budget raised): running again, its test score cleared
    /// (the final trial's attempts keep the old one).
    public func extend(study: String, spec: Config) throws {
        try write { db in
            try db.execute(sql: "UPDATE studies SET spec = ? WHERE id = ?", arguments: [spec.json, study])
            try reopen(db, study: study)
            try log(db, "extended", ["study": .string(study), "budget": spec[path: "budget"] ?? .null])
        }
    }

    private func reopen(_ db: Database, study: String) throws {
        try db.execute(sql: "UPDATE studies SET state = ?, test_score = NULL, reason = NULL WHERE id = ? AND state NOT IN (?, ?)",
                       arguments: [StudyState.running.rawValue, study, StudyState.running.rawValue, StudyState.testing.rawValue])
    }

    /// Renames a study, or sets its note (nil clears it) and tags.
    public func describe(study: String, name: String? = nil, note: String?? = nil, tags: [String]? = nil) throws {
        try write { db in
            guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM studies WHERE id = ?", arguments: [study]) == 1 else { throw StoreError("no study \(study)") }
            if let name { try db.execute(sql: "UPDATE studies SET name = ? WHERE id = ?", arguments: [name, study]) }
            if let note { try db.execute(sql: "UPDATE studies SET note = ? WHERE id = ?", arguments: [note, study]) }
            if let tags {
                try db.execute(sql: "UPDATE studies SET tags = ? WHERE id = ?", arguments: [String(decoding: try JSONEncoder().encode(tags), as: UTF8.self), study])
            }
        }
    }

    /// Removes a study and everything stored of it (its id is not given out again).
    public func delete(study: String) throws {
        try write { db in
            for table in ["metrics", "logs", "attempts", "warm", "trials"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE study = ?", arguments: [study])
            }
            try db.execute(sql: "DELETE FROM studies WHERE id = ?", arguments: [study])
            guard db.changesCount == 1 else { throw StoreError("no study \(study)") }
            try log(db, "study_deleted", ["study": .string(study)])
        }
    }

    // MARK: Warm start

    /// Finished trials of an earlier study (or an export) that fit this study's space: samplers
    /// see them as history (with their objective by epoch); they are not this study's trials and
    /// use none of its budget.
    public func addWarm(study: String, trials: [Search.Trial], source: String) throws {
        try write { db in
            let insert = try db.cachedStatement(sql: """
                INSERT INTO warm (study, position, config, state, value, values_json, violations_json, reports_json, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for (position, trial) in trials.enumerated() {
                try insert.execute(arguments: [study, position, Config.object(trial.configuration.values).json, trial.state.rawValue,
                                               trial.value.flatMap { $0.isFinite ? $0 : nil }, Self.json(trial.values), Self.json(trial.violations),
                                               Self.json(reports: trial.reports), source])
            }
        }
    }

    /// The warm-start history, numbered −2, −3, … (below the final trial's −1) so no trial of the
    /// study shares a number with one.
    public func warm(study: String) throws -> [Search.Trial] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM warm WHERE study = ? ORDER BY position", arguments: [study]).map { row in
                guard case let .object(values) = try Config.parse(json: row["config"], source: "store") else { throw StoreError("a warm-start trial has a bad config") }
                return Search.Trial(number: -2 - (row["position"] as Int), configuration: Search.Configuration(values), state: try Self.state(row["state"]),
                                    reports: try Self.reports(row["reports_json"]), value: row["value"], values: try Self.values(row["values_json"]),
                                    violations: try Self.values(row["violations_json"]))
            }
        }
    }

    // MARK: Quarantine

    /// Quarantines a worker (the reason and the process it names: a restart releases it), or releases it (nil).
    public func quarantine(worker: String, _ quarantine: Config?) throws {
        try write { db in
            try db.execute(sql: "UPDATE workers SET quarantine = ? WHERE name = ?", arguments: [quarantine?.json, worker])
            try log(db, quarantine == nil ? "worker_released" : "worker_quarantined", ["worker": .string(worker), "why": quarantine ?? .null])
        }
    }

    /// A worker's quarantine as stored, if it is quarantined.
    public func quarantine(worker: String) throws -> Config? {
        try read { db in
            try (String.fetchOne(db, sql: "SELECT quarantine FROM workers WHERE name = ?", arguments: [worker])).map { try Config.parse(json: $0, source: "store") }
        }
    }
}
