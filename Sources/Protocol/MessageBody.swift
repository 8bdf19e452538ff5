/// The body of a SWEEP/1 message, typed. Decoding checks what the schema's types and required
/// fields say; `problem()` checks the rest (ranges), so a body that breaks its schema in any
/// way is refused with one `bad_request` naming the field.
public protocol MessageBody: Codable, Equatable, Sendable {
    /// What breaks the schema beyond types and required fields (nil: nothing).
    func problem() -> String?
}

extension MessageBody {
    public func problem() -> String? { nil }
}

/// The range checks the schemas state, as one-line problems naming the field.
func check(_ value: Int?, _ field: String, atLeast minimum: Int = 0) -> String? {
    guard let value, value < minimum else { return nil }
    return "\(field) must be ≥ \(minimum) (got \(value))"
}

func check(_ values: [Int], _ field: String, atLeast minimum: Int = 0) -> String? {
    values.enumerated().lazy.compactMap { i, value in check(value, "\(field)[\(i)]", atLeast: minimum) }.first
}

/// The first problem of several fields (or of the items of a list).
func first(_ problems: String?...) -> String? { problems.lazy.compactMap(\.self).first }

func first<Item>(_ items: [Item], _ field: String, _ problem: (Item) -> String?) -> String? {
    for (i, item) in items.enumerated() {
        if let problem = problem(item) { return "\(field)[\(i)]\(problem.hasPrefix("must") ? " " : ".")\(problem)" }
    }
    return nil
}

extension Body {
    /// A body with nothing in it (HEARTBEAT, OK, WORKERS); fields sent anyway are ignored.
    public struct Empty: MessageBody {
        public init() {}
    }
}
