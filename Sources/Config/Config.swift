import Foundation
import Yams

/// A configuration value as YAML or JSON writes it. Specs are read from this tree, so that
/// every problem can be reported with its path, unknown keys found, and search parameters laid
/// over a base configuration by path before it is read.
public enum Config: Hashable, Sendable, Codable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([Config])
    case object([String: Config])

    public init(from decoder: any Decoder) throws {
        // Each miss is a thrown error (microseconds each): the common cases go first. Bool before
        // String, as YAML would read `true` as a string too.
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let o = try? c.decode([String: Config].self) { self = .object(o) }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else { self = .array(try c.decode([Config].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// Parses YAML (JSON is YAML too).
    public static func parse(yaml text: String, source: String) throws -> Config {
        do {
            return try YAMLDecoder().decode(Config.self, from: text)
        } catch let error as DecodingError {
            // The parser's own words (line, column, what it expected) are under the decoding error.
            if case let .dataCorrupted(context) = error, let underlying = context.underlyingError {
                throw SpecError.at("", "\(source) is not valid YAML or JSON: \(underlying)")
            }
            throw SpecError.at("", "\(source) is not valid YAML or JSON: \(error)")
        } catch {
            throw SpecError.at("", "\(source) is not valid YAML or JSON: \(error)")
        }
    }

    /// Parses JSON only — several times faster than the YAML reader, for text this program wrote.
    public static func parse(json text: String, source: String) throws -> Config {
        do {
            return try JSONReader.parse(text.utf8)
        } catch {
            throw SpecError.at("", "\(source) is not valid JSON: \(error)")
        }
    }

    /// Reads a YAML or JSON file.
    public static func load(path: String) throws -> Config {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw SpecError.at("", "cannot read \(path) (missing or not UTF-8)")
        }
        return try parse(yaml: text, source: path)
    }

    /// JSON text (keys sorted, so the same value always prints the same). A number JSON cannot
    /// hold is written as the wire writes a metric, "nan", "inf" or "-inf": never an empty text.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        // With non-finite numbers spelled out, a tree of these six cases always encodes.
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    public var description: String {
        switch self {
        case .null: "null"
        case .bool(let b): String(b)
        case .number(let d): d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
        case .string(let s): s
        case .array, .object: json
        }
    }

    /// A metric as the wire sends it: a number, or "nan", "inf", "-inf" (NaN for anything else).
    public var metric: Double {
        switch self {
        case .number(let d): d
        case .string("inf"): .infinity
        case .string("-inf"): -.infinity
        default: .nan
        }
    }

    /// A metric value as the wire sends it (the inverse of `metric`).
    public init(metric value: Double) {
        self = value.isFinite ? .number(value) : .string(value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf"))
    }

    /// The value at a dotted path (`optimizer.lr`), if present.
    public subscript(path path: String) -> Config? {
        var node: Config? = self
        for key in path.split(separator: ".") {
            guard case let .object(o)? = node else { return nil }
            node = o[String(key)]
        }
        return node
    }

    /// This value with `value` written at a dotted path, creating objects on the way.
    public func setting(_ path: String, to value: Config) -> Config {
        let keys = path.split(separator: ".").map(String.init)
        return Self.set(self, keys[...], value)
    }

    private static func set(_ node: Config, _ keys: ArraySlice<String>, _ value: Config) -> Config {
        guard let key = keys.first else { return value }
        var object: [String: Config] = if case let .object(o) = node { o } else { [:] }
        object[key] = set(object[key] ?? .null, keys.dropFirst(), value)
        return .object(object)
    }
}
