import Foundation
import Config

/// The next study's spec: the old one with the advice's changes, warm-started from the study it
/// read, as YAML with a comment on every change saying why (`sweep submit` takes it unchanged).
extension Advice {
    public func next(spec: Config, study: String) -> (config: Config, yaml: String) {
        guard case var .object(top) = spec else { return (spec, spec.json) }
        var notes: [String: [String]] = [:]   // a top-level key or `space.NAME` → why it changed
        var space: [String: Config] = if case let .object(s)? = top["space"] { s } else { [:] }
        for change in changes {
            switch change {
            case let .range(name, low, high, why):
                guard case var .object(domain)? = space[name] else { continue }
                let integer = domain["type"] == .string("int")
                domain["low"] = .number(Self.bound(low, integer: integer))
                domain["high"] = .number(Self.bound(high, integer: integer))
                if integer, case let .number(step)? = domain["step"], step > 1 { domain["step"] = .number(1) }
                if !integer, domain["step"] != nil { domain["step"] = nil }
                space[name] = .object(domain)
                notes["space.\(name)", default: []].append("range → [\(Config.number(domain["low"]!.metric)), \(Config.number(domain["high"]!.metric))]: \(why)")
            case let .drop(name, value, why):
                guard case var .object(domain)? = space[name], case let .array(values)? = domain["values"] else { continue }
                domain["values"] = .array(values.filter { $0 != value })
                space[name] = .object(domain)
                notes["space.\(name)", default: []].append("dropped \(value): \(why)")
            case let .search(name, domain, why):
                guard space[name] == nil else { continue }
                space[name] = domain
                notes["space.\(name)", default: []].append("new: \(why)")
            case let .set(path, value, why):
                let keys = path.split(separator: ".").map(String.init)
                top[keys[0]] = keys.count == 1 ? value : (top[keys[0]] ?? .object([:])).setting(keys.dropFirst().joined(separator: "."), to: value)
                // An enqueue's configurations follow on their own line: the note says why.
                let shown = path == "enqueue" ? "" : "\(keys.dropFirst().joined(separator: ".").isEmpty ? keys[0] : keys.dropFirst().joined(separator: ".")) → \(value.json): "
                notes[keys[0], default: []].append(shown + why)
            }
        }
        top["space"] = .object(space)
        let name = if case let .string(n)? = top["study"] { n } else { "study" }
        top["study"] = .string(name + "-next")
        top["warm_start"] = .string(study)
        notes["warm_start", default: []].append("the samplers start from \(study)'s trials that fit this space")
        return (.object(top), yaml(top, space: space, notes: notes, from: study))
    }

    /// A range bound as the next spec writes it: an integer's as it is, a float's rounded.
    static func bound(_ x: Double, integer: Bool) -> Double { integer ? x : round(x) }

    /// Four significant digits: a range bound a person reads.
    static func round(_ x: Double) -> Double {
        guard x != 0, x.isFinite else { return x }
        let scale = Foundation.pow(10, 3 - Foundation.floor(Foundation.log10(abs(x))))
        return (x * scale).rounded() / scale
    }

    private func yaml(_ top: [String: Config], space: [String: Config], notes: [String: [String]], from study: String) -> String {
        var lines = ["# The next study after \(study), written by sweep advise. What the advisor found:"]
        for finding in findings { lines += wrap("- " + finding.sentence, prefix: "#   ") }
        if findings.isEmpty { lines.append("#   nothing the data supports changing: the same study, warm-started") }
        let order = ["study", "objective", "runner", "trial", "command", "space", "strategy", "budget", "retries", "stopper", "priority", "seed", "warm_start", "enqueue"]
        let keys = order.filter { top[$0] != nil } + top.keys.filter { !order.contains($0) }.sorted()
        for key in keys {
            for why in notes[key] ?? [] { lines += wrap(why, prefix: "# ") }
            guard key == "space" else {
                lines.append("\(key): \(top[key]!.json)")
                continue
            }
            lines.append("space:")
            for name in space.keys.sorted() {
                for why in notes["space.\(name)"] ?? [] { lines += wrap(why, prefix: "  # ") }
                lines.append("  \(Config.string(name).json): \(space[name]!.json)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func wrap(_ text: String, prefix: String, width: Int = 100) -> [String] {
        var lines: [String] = [], line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty, prefix.count + line.count + word.count + 1 > width {
                lines.append(prefix + line)
                line = "  "
            }
            line += (line.isEmpty || line == "  " ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(prefix + line) }
        return lines
    }
}
