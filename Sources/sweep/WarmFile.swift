import Foundation
import Config
import Protocol

/// What `sweep submit --warm-start` sends: a study id as it is, or the trials of a file
/// `sweep export` wrote (JSON: the EXPORTED body; CSV: one row per trial and epoch).
enum WarmFile {
    /// The export file a spec's `warm_start` names (as `sweep advise FILE --next` writes it):
    /// relative to the spec's folder, else to the working folder. Nil when it names no file (a
    /// study id).
    static func named(_ name: String, besides spec: String) -> String? {
        let fm = FileManager.default
        if !name.hasPrefix("/") {
            let beside = ((spec as NSString).deletingLastPathComponent as NSString).appendingPathComponent(name)
            if fm.fileExists(atPath: beside) { return beside }
        }
        return fm.fileExists(atPath: name) ? name : nil
    }

    static func read(_ argument: String) throws -> Body.WarmStart {
        guard FileManager.default.fileExists(atPath: argument) else {
            if argument.hasPrefix("s-") { return Body.WarmStart(study: argument) }
            throw Failure("--warm-start \(argument): no such file, and not a study id (s-000001)")
        }
        if argument.hasSuffix(".csv") {
            return Body.WarmStart(trials: try csv(String(contentsOfFile: argument, encoding: .utf8), file: argument), source: argument)
        }
        let exported = try Config.load(path: argument)
        guard case let .array(trials)? = exported[path: "trials"] else {
            throw Failure("--warm-start \(argument): not an export (sweep export STUDY --format json writes one): it has no trials list")
        }
        let metric: String? = if case let .string(m)? = exported[path: "metric"] { m } else { nil }
        // The final trial is a retraining of one of the others: not a configuration of its own.
        return Body.WarmStart(trials: trials.filter { $0[path: "final"] != .bool(true) }, metric: metric, source: argument)
    }

    /// One `{config, status, value}` per trial of a CSV export (its first row per trial holds them).
    static func csv(_ text: String, file: String) throws -> [Config] {
        var lines = rows(text)
        guard !lines.isEmpty else { throw Failure("--warm-start \(file): the file is empty") }
        let header = lines.removeFirst()
        guard let trial = header.firstIndex(of: "trial"), let status = header.firstIndex(of: "status"), let value = header.firstIndex(of: "value") else {
            throw Failure("--warm-start \(file): not a sweep export (it needs the columns trial, status, value and param.*)")
        }
        let params = header.enumerated().filter { $0.element.hasPrefix("param.") }
        var seen = Set<String>(), trials: [Config] = []
        for row in lines where row.count == header.count && row[trial] != "final" && seen.insert(row[trial]).inserted {
            var config: [String: Config] = [:]
            for (i, name) in params where !row[i].isEmpty { config[String(name.dropFirst(6))] = scalar(row[i]) }
            var object: [String: Config] = ["config": .object(config), "status": .string(row[status])]
            if let v = Double(row[value]) { object["value"] = .number(v) }
            trials.append(.object(object))
        }
        return trials
    }

    /// A cell as the export wrote it: a number, a boolean, or text.
    static func scalar(_ cell: String) -> Config {
        if let number = Double(cell) { return .number(number) }
        if cell == "true" || cell == "false" { return .bool(cell == "true") }
        return .string(cell)
    }

    /// CSV rows with quoted cells ("a, b" and "" for a quote), as `sweep export` writes them.
    static func rows(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], cell = "", quoted = false
        var chars = text.makeIterator()
        var pending: Character?
        while let c = pending ?? chars.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    let next = chars.next()
                    if next == "\"" { cell.append("\"") } else { quoted = false; pending = next }
                } else { cell.append(c) }
                continue
            }
            switch c {
            case "\"": quoted = true
            case ",": row.append(cell); cell = ""
            case "\n": row.append(cell); rows.append(row); row = []; cell = ""
            default: cell.append(c)
            }
        }
        if !cell.isEmpty || !row.isEmpty { row.append(cell); rows.append(row) }
        return rows
    }
}
