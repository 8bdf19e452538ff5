import Foundation
import GRDB
import Config

/// Workers, events and trial output: what the store keeps beside studies and trials.
extension Store {
    // MARK: Workers and events

    public func workerSeen(name: String, host: String, cores: Int, threads: Int, version: String) throws {
        try write { db in
            try db.execute(sql: """
                INSERT INTO workers (name, host, cores, threads, version, last_seen) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET host = excluded.host, cores = excluded.cores, threads = excluded.threads,
                    version = excluded.version, last_seen = excluded.last_seen
                """, arguments: [name, host, cores, threads, version, clock()])
        }
    }

    // MARK: Output

    /// Keeps lines of a trial attempt's output, at most `keep` per trial (the newest: a failure's
    /// traceback is at the end).
    public func appendOutput(study: String, number: Int, attempt: Int, lines: [(stream: String, text: String)], keep: Int) throws {
        try write { db in
            let insert = try db.cachedStatement(sql: "INSERT INTO logs (study, number, attempt, stream, text) VALUES (?, ?, ?, ?, ?)")
            for line in lines { try insert.execute(arguments: [study, number, attempt, line.stream, line.text]) }
            try db.execute(sql: """
                DELETE FROM logs WHERE study = ? AND number = ? AND id <= (
                    SELECT id FROM logs WHERE study = ? AND number = ? ORDER BY id DESC LIMIT 1 OFFSET ?)
                """, arguments: [study, number, study, number, keep])
        }
    }

    /// The current attempt's output lines after `after` (an id from an earlier answer), and the
    /// id to ask after next time.
    public func output(study: String, number: Int, after: Int) throws -> (lines: [(stream: String, text: String)], next: Int) {
        try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT l.id, l.stream, l.text FROM logs l JOIN trials t ON t.study = l.study AND t.number = l.number AND t.attempt = l.attempt
                WHERE l.study = ? AND l.number = ? AND l.id > ? ORDER BY l.id LIMIT 5000
                """, arguments: [study, number, after])
            return (rows.map { ($0["stream"], $0["text"]) }, rows.last.map { $0["id"] } ?? after)
        }
    }

    /// Drops workers last seen before `cutoff` (Unix seconds); returns how many.
    @discardableResult
    public func forgetWorkers(seenBefore cutoff: Double) throws -> Int {
        try write { db in
            try db.execute(sql: "DELETE FROM workers WHERE last_seen < ?", arguments: [cutoff])
            return db.changesCount
        }
    }

    public func workerCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM workers") ?? 0 }
    }

    public func eventCount(kind: String) throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events WHERE kind = ?", arguments: [kind]) ?? 0 }
    }

    func log(_ db: Database, _ kind: String, _ detail: [String: Config]) throws {
        try db.cachedStatement(sql: "INSERT INTO events (at, kind, detail) VALUES (?, ?, ?)").execute(
                       arguments: [clock(), kind, Config.object(detail).json])
    }
}
