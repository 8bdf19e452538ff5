import Foundation

/// The anchor scripts of shared/anchors (PyTorch, Optuna), run in the same `make bench` so that
/// ratios compare like with like. `ANCHOR_PYTHON` (default /opt/anchor-venv/bin/python) and
/// `ANCHORS_DIR` (default ../shared/anchors) say where they are.
enum Anchor {
    static var directory: String {
        ProcessInfo.processInfo.environment["ANCHORS_DIR"]
            ?? ((FileManager.default.currentDirectoryPath as NSString).deletingLastPathComponent + "/shared/anchors")
    }

    /// The `SUMMARY …` line a script of the anchors folder prints last, or nil (with the reason
    /// printed) when the anchor Python or the script is missing or prints none.
    static func summary(_ script: String, _ arguments: [String]) -> String? {
        lines(directory + "/" + script, arguments)?.last { $0.hasPrefix("SUMMARY") }
    }

    /// Every line a script prints when it ends with a `SUMMARY` line, or nil (with the reason
    /// printed) when the anchor Python or the script is missing or prints none.
    static func lines(_ path: String, _ arguments: [String]) -> [String]? {
        let python = ProcessInfo.processInfo.environment["ANCHOR_PYTHON"] ?? "/opt/anchor-venv/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python), FileManager.default.fileExists(atPath: path) else {
            print("  (no anchor: needs \(python) and \(path))")
            return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [path] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: path).deletingLastPathComponent()
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch {
            print("  (anchor \(path) did not start: \(error))")
            return nil
        }
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let lines = text.split(separator: "\n").map(String.init)
        guard lines.contains(where: { $0.hasPrefix("SUMMARY") }) else {
            print("  (anchor \(path) printed no summary: \(text.suffix(300)))")
            return nil
        }
        return lines
    }

    /// The number after `word` in a summary line ("median 371.2", "max=47300").
    static func number(after word: String, in line: String) -> Double? {
        let words = line.split(separator: " ")
        if let i = words.firstIndex(where: { $0 == word }), i + 1 < words.count { return Double(words[i + 1]) }
        return words.first { $0.hasPrefix(word + "=") }.flatMap { Double($0.dropFirst(word.count + 1)) }
    }
}
