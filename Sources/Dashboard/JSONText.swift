import Foundation
import Config

/// JSON written straight into a string: a 100,000-trial study is tens of megabytes, which
/// Foundation's encoders build several times slower through intermediate trees.
struct JSONText {
    private(set) var text = ""

    init(capacity: Int = 0) { text.reserveCapacity(capacity) }

    mutating func raw(_ s: String) { text += s }

    /// A number; JSON has no NaN or infinity, so those are null (a diverged trial says so in its status).
    mutating func number(_ d: Double?) {
        guard let d, d.isFinite else { return text += "null" }
        if d == d.rounded(), abs(d) < 1e15 { text += String(Int(d)) } else { text += String(d) }
    }

    /// `d` to `digits` significant digits (shortest text of the rounded value).
    mutating func number(_ d: Double, significant digits: Int) {
        guard d.isFinite, d != 0 else { return number(d) }
        let shift = digits - 1 - Int(log10(abs(d)).rounded(.down))
        // Powers of ten up to 1e22 are exact doubles: dividing by one rounds once.
        guard abs(shift) <= 22 else { return number(d) }
        let p = pow(10, Double(abs(shift)))
        number(shift >= 0 ? (d * p).rounded() / p : (d / p).rounded() * p)
    }

    /// `d` to `decimals` places.
    mutating func number(_ d: Double?, decimals: Int) {
        guard let d, d.isFinite else { return number(d) }
        let p = pow(10, Double(decimals))
        number((d * p).rounded() / p)
    }

    mutating func int(_ i: Int?) { text += i.map(String.init) ?? "null" }

    mutating func string(_ s: String?) {
        guard let s else { return text += "null" }
        text += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            // `<` escaped too: the report puts this text inside a <script> element.
            case "<": text += "\\u003c"
            case _ where scalar.value < 0x20: text += String(format: "\\u%04x", scalar.value)
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }

    mutating func value(_ c: Config?) {
        switch c {
        case nil, .null?: text += "null"
        case let .bool(b)?: text += b ? "true" : "false"
        case let .number(d)?: number(d)
        case let .string(s)?: string(s)
        case let .array(items)?: list(items) { $0.value($1) }
        case let .object(o)?:
            text += "{"
            for (i, key) in o.keys.sorted().enumerated() {
                if i > 0 { text += "," }
                string(key)
                text += ":"
                value(o[key])
            }
            text += "}"
        }
    }

    mutating func list<T>(_ items: some Sequence<T>, _ each: (inout JSONText, T) -> Void) {
        text += "["
        var first = true
        for item in items {
            if !first { text += "," }
            first = false
            each(&self, item)
        }
        text += "]"
    }

    /// A value Foundation encodes (small ones: a status, a reply), with `<` escaped as above.
    mutating func encoded(_ value: some Encodable) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let data = (try? encoder.encode(value)) ?? Data("null".utf8)
        text += String(decoding: data, as: UTF8.self).replacingOccurrences(of: "<", with: "\\u003c")
    }
}
