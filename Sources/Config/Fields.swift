/// Reads typed fields out of a `Config` tree, collecting every problem with its path instead
/// of stopping at the first.
public final class Fields {
    public private(set) var problems: [SpecError.Problem] = []

    public init() {}

    public func fail(_ path: String, _ message: String) {
        problems.append(SpecError.Problem(path: path, message: message))
    }

    /// Throws every problem collected so far, if any.
    public func check() throws {
        if !problems.isEmpty { throw SpecError(problems) }
    }

    /// The object at `path` (empty when absent); unknown keys are problems with a suggestion.
    public func object(_ value: Config?, _ path: String, known: [String]) -> [String: Config] {
        switch value {
        case nil, .null?: return [:]
        case let .object(o)?:
            for key in o.keys.sorted() where !known.contains(key) {
                fail(join(path, key), "is not a known key\(suggestion(key, known)); known keys: \(known.joined(separator: ", "))")
            }
            return o
        case let other?:
            fail(path, "must be a mapping of keys to values (got \(other))")
            return [:]
        }
    }

    public func string(_ o: [String: Config], _ key: String, _ path: String, default fallback: String, oneOf choices: [String]? = nil) -> String {
        guard let value = o[key], value != .null else { return fallback }
        let text: String
        switch value {
        case .string(let s): text = s
        case .number, .bool: text = value.description
        default:
            fail(join(path, key), "must be text (got \(value))")
            return fallback
        }
        if let choices, !choices.contains(text) {
            fail(join(path, key), "must be one of \(choices.joined(separator: ", ")) (got '\(text)')\(suggestion(text, choices))")
            return fallback
        }
        return text
    }

    public func double(_ o: [String: Config], _ key: String, _ path: String, default fallback: Double, _ valid: ClosedRange<Double>? = nil, rule: String = "") -> Double {
        guard let value = o[key], value != .null else { return fallback }
        guard case let .number(d) = value else {
            fail(join(path, key), "must be a number (got \(value))")
            return fallback
        }
        if let valid, !valid.contains(d) {
            fail(join(path, key), rule.isEmpty ? "must be in [\(valid.lowerBound), \(valid.upperBound)] (got \(value))" : "must be \(rule) (got \(value))")
            return fallback
        }
        return d
    }

    public func optionalDouble(_ o: [String: Config], _ key: String, _ path: String, _ valid: ClosedRange<Double>, rule: String) -> Double? {
        guard let value = o[key], value != .null else { return nil }
        return double(o, key, path, default: 0, valid, rule: rule)
    }

    public func int(_ o: [String: Config], _ key: String, _ path: String, default fallback: Int, _ valid: ClosedRange<Int>? = nil, rule: String = "") -> Int {
        guard let value = o[key], value != .null else { return fallback }
        guard case let .number(d) = value, d == d.rounded(), abs(d) < 1e15 else {
            fail(join(path, key), "must be a whole number (got \(value))")
            return fallback
        }
        let i = Int(d)
        if let valid, !valid.contains(i) {
            fail(join(path, key), rule.isEmpty ? "must be in \(valid.lowerBound)…\(valid.upperBound) (got \(i))" : "must be \(rule) (got \(i))")
            return fallback
        }
        return i
    }

    public func optionalInt(_ o: [String: Config], _ key: String, _ path: String, _ valid: ClosedRange<Int>, rule: String) -> Int? {
        guard let value = o[key], value != .null else { return nil }
        return int(o, key, path, default: 0, valid, rule: rule)
    }

    public func bool(_ o: [String: Config], _ key: String, _ path: String, default fallback: Bool) -> Bool {
        guard let value = o[key], value != .null else { return fallback }
        guard case let .bool(b) = value else {
            fail(join(path, key), "must be true or false (got \(value))")
            return fallback
        }
        return b
    }

    public func ints(_ o: [String: Config], _ key: String, _ path: String, default fallback: [Int], _ valid: ClosedRange<Int>) -> [Int] {
        guard let value = o[key], value != .null else { return fallback }
        if case .number = value { return [int(o, key, path, default: 0, valid)] }
        guard case let .array(items) = value else {
            fail(join(path, key), "must be a list of whole numbers (got \(value))")
            return fallback
        }
        return items.enumerated().map { i, item in int(["\(i)": item], "\(i)", join(path, key), default: 0, valid) }
    }

    private func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
}
