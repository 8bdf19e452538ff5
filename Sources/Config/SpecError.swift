/// Problems with a spec, each at a field path with what to do:
/// `optimizer.lr must be > 0 (got -1)`.
public struct SpecError: Error, CustomStringConvertible, Equatable, Sendable {
    public struct Problem: Equatable, Sendable, CustomStringConvertible {
        public let path: String
        public let message: String
        public init(path: String, message: String) {
            self.path = path
            self.message = message
        }
        public var description: String { path.isEmpty ? message : "\(path) \(message)" }
    }

    public let problems: [Problem]

    public init(_ problems: [Problem]) { self.problems = problems }

    public static func at(_ path: String, _ message: String) -> SpecError { SpecError([Problem(path: path, message: message)]) }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// ", did you mean 'x'?" when a known name is within two edits of `name`.
public func suggestion(_ name: String, _ known: [String]) -> String {
    let best = known.map { ($0, editDistance(name, $0)) }.min { $0.1 < $1.1 }
    guard let best, best.1 <= 2 else { return "" }
    return " (did you mean '\(best.0)'?)"
}

/// Levenshtein distance.
public func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a), y = Array(b)
    if x.isEmpty { return y.count }
    var previous = Array(0...y.count)
    for i in 1...x.count {
        var current = [i] + [Int](repeating: 0, count: y.count)
        for j in 1..<(y.count + 1) {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[y.count]
}
