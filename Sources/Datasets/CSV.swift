import Foundation

/// A CSV table with a header row, turned into a dataset: the target column becomes class
/// indices (classification) or values (regression); numeric feature columns are standardized
/// (mean 0, standard deviation 1) and text columns are one-hot encoded.
public enum CSVTable {
    public enum TargetKind: String, Sendable { case classification, regression }

    public static func load(path: String, target: String, task: TargetKind) throws -> Dataset {
        guard let data = FileManager.default.contents(atPath: path) else { throw DataError(path, "file not found or unreadable") }
        guard let text = String(data: data, encoding: .utf8) else { throw DataError(path, "is not UTF-8 text") }
        return try parse(text, source: path, target: target, task: task)
    }

    public static func parse(_ text: String, source: String, target: String, task: TargetKind) throws -> Dataset {
        var rows = try records(text, source: source)
        guard !rows.isEmpty else { throw DataError(source, "is empty (expected a header row)") }
        let header = rows.removeFirst().map { $0.trimmingCharacters(in: .whitespaces) }
        guard let targetIndex = header.firstIndex(of: target) else {
            throw DataError(source, "has no column '\(target)' (columns: \(header.joined(separator: ", ")))")
        }
        guard !rows.isEmpty else { throw DataError(source, "has a header but no rows") }
        for (i, row) in rows.enumerated() where row.count != header.count {
            throw DataError(source, "line \(i + 2) has \(row.count) fields, the header has \(header.count)")
        }
        // Features: standardized numbers, or one-hot categories.
        var columns: [[Float]] = []
        for c in header.indices where c != targetIndex {
            let cells = rows.map { $0[c].trimmingCharacters(in: .whitespaces) }
            if let numbers = numeric(cells) {
                let mean = numbers.reduce(0, +) / Double(numbers.count)
                let variance = numbers.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(numbers.count)
                let std = variance > 0 ? variance.squareRoot() : 1
                columns.append(numbers.map { Float(($0 - mean) / std) })
            } else {
                for category in Array(Set(cells)).sorted() { columns.append(cells.map { $0 == category ? 1 : 0 }) }
            }
        }
        var features: [Float] = []
        features.reserveCapacity(rows.count * columns.count)
        for r in rows.indices { for column in columns { features.append(column[r]) } }
        let cells = rows.map { $0[targetIndex].trimmingCharacters(in: .whitespaces) }
        let targets: Targets
        switch task {
        case .classification:
            let classes = Array(Set(cells)).sorted { a, b in
                if let x = Double(a), let y = Double(b) { return x < y }
                return a < b
            }
            let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
            targets = .classes(cells.map { index[$0]! }, count: classes.count)
        case .regression:
            guard let values = numeric(cells) else {
                let bad = cells.first { Double($0) == nil } ?? ""
                throw DataError(source, "target column '\(target)' must be numeric for regression (found '\(bad)')")
            }
            targets = .values(values.map { Float($0) }, width: 1)
        }
        return try Dataset(shape: [rows.count, columns.count], features: features, targets: targets)
    }

    private static func numeric(_ cells: [String]) -> [Double]? {
        var values: [Double] = []
        for cell in cells {
            guard let v = Double(cell) else { return nil }
            values.append(v)
        }
        return values
    }

    /// RFC 4180 records: commas, double-quoted fields with "" escapes, LF or CRLF lines.
    static func records(_ text: String, source: String) throws -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = ""
        var quoted = false, atFieldStart = true, line = 1
        var iterator = text.makeIterator()
        while let ch = iterator.next() {
            if quoted {
                if ch == "\"" {
                    // Either an escaped quote or the end of the quoted field.
                    var lookahead = iterator
                    if lookahead.next() == "\"" { field.append("\""); iterator = lookahead } else { quoted = false }
                } else {
                    if ch == "\n" { line += 1 }
                    field.append(ch)
                }
                continue
            }
            switch ch {
            case "\"" where atFieldStart: quoted = true; atFieldStart = false
            case ",": row.append(field); field = ""; atFieldStart = true
            case "\n", "\r\n":
                row.append(field); field = ""; atFieldStart = true
                if !(row.count == 1 && row[0].isEmpty) { rows.append(row) }
                row = []; line += 1
            case "\r": continue
            default: field.append(ch); atFieldStart = false
            }
        }
        if quoted { throw DataError(source, "line \(line): a quoted field is never closed") }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}
