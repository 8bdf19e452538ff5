/// A command template's `{name}` placeholders. A placeholder is an identifier or a dotted key
/// (letters, digits, `_`, `.`, `-`, starting with a letter or `_`); other braces (JSON in a shell
/// script) stay as they are.
public enum Template {
    /// Names the template takes besides the space's parameters.
    public static let builtins = ["trial", "seed", "study"]

    /// The placeholder names in one argument, in order.
    public static func placeholders(_ argument: String) -> [String] {
        var names: [String] = []
        _ = render(argument) { names.append($0); return "" }
        return names
    }

    /// The argument with each placeholder replaced by `value(name)`; nil when a value is missing.
    public static func render(_ argument: String, _ value: (String) -> String?) -> String? {
        var out = "", rest = Substring(argument)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            let name = String(rest[rest.index(after: open)..<close])
            guard isPlaceholder(name) else {
                out += rest[open...open]
                rest = rest[rest.index(after: open)...]
                continue
            }
            guard let text = value(name) else { return nil }
            out += text
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    static func isPlaceholder(_ name: String) -> Bool {
        guard let first = name.first, first.isLetter || first == "_" else { return false }
        return name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-" }
    }
}
