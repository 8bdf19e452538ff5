import Foundation

/// Rows of one benchmark run: printed as a table and written as JSON to bench-results/.
struct Report {
    struct Row: Codable {
        let name: String
        let value: Double
        let unit: String
        var note: String = ""
    }

    let suite: String
    private(set) var rows: [Row] = []

    init(suite: String) { self.suite = suite }

    mutating func add(_ name: String, _ value: Double, _ unit: String, note: String = "") {
        let row = Row(name: name, value: value, unit: unit, note: note)
        rows.append(row)
        let number = String(format: "%14.2f", value)
        print("  \(name.padding(toLength: 44, withPad: " ", startingAt: 0))\(number) \(unit.padding(toLength: 8, withPad: " ", startingAt: 0)) \(note)")
    }

    /// A row kept for the JSON file without printing it (for suites that print their own table).
    mutating func record(_ name: String, _ value: Double, _ unit: String, note: String = "") {
        rows.append(Row(name: name, value: value, unit: unit, note: note))
    }

    func write() throws {
        let directory = URL(fileURLWithPath: "bench-results", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        struct Document: Codable { let suite: String; let machine: String; let rows: [Row] }
        let document = Document(suite: suite, machine: machineDescription(), rows: rows)
        try encoder.encode(document).write(to: directory.appendingPathComponent("\(suite).json"))
    }
}

/// CPU model and core count, for the record.
func machineDescription() -> String {
    let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }?
        .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
    return "\(model), \(ProcessInfo.processInfo.activeProcessorCount) cores"
}

/// The q-quantile of already sorted values.
func quantile(_ sorted: [Double], _ q: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * q + 0.5))]
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
