import Foundation
import Synchronization
import Config

/// Protocols/ at the repository root.
public let protocols = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Protocols").standardized

/// A file under Protocols/ (`schemas/ACK.json`), read as JSON.
public func load(_ relative: String) throws -> Config {
    try Config.parse(json: String(decoding: Data(contentsOf: protocols.appendingPathComponent(relative)), as: UTF8.self), source: relative)
}

/// The part of JSON Schema 2020-12 that Protocols/schemas uses (type, enum, minimum, properties,
/// required, additionalProperties, items): every place `value` breaks `schema`, by path.
public func violations(_ value: Config, _ schema: Config, at path: String = "body") -> [String] {
    guard case let .object(rules) = schema else { return [] }
    var found: [String] = []
    if let type = rules["type"] {
        let allowed: [String] = switch type {
        case let .string(one): [one]
        case let .array(many): many.compactMap { if case let .string(s) = $0 { s } else { nil } }
        default: []
        }
        if !allowed.contains(where: { matches(value, $0) }) { found.append("\(path): \(value.json) is not \(allowed.joined(separator: " or "))") }
    }
    if case let .array(options)? = rules["enum"], !options.contains(value) { found.append("\(path): \(value.json) is not one of \(Config.array(options).json)") }
    if case let .number(minimum)? = rules["minimum"], case let .number(n) = value, n < minimum { found.append("\(path): \(n) < \(minimum)") }
    if case let .object(object) = value {
        if case let .array(required)? = rules["required"] {
            for case let .string(key) in required where object[key] == nil { found.append("\(path).\(key) is required") }
        }
        let properties: [String: Config] = if case let .object(p)? = rules["properties"] { p } else { [:] }
        for (key, item) in object {
            if let rule = properties[key] { found += violations(item, rule, at: "\(path).\(key)") }
            else if let rule = rules["additionalProperties"] { found += violations(item, rule, at: "\(path).\(key)") }
        }
    }
    if case let .array(items) = value, let rule = rules["items"] {
        for (i, item) in items.enumerated() { found += violations(item, rule, at: "\(path)[\(i)]") }
    }
    return found
}

private func matches(_ value: Config, _ type: String) -> Bool {
    switch (type, value) {
    case ("null", .null), ("boolean", .bool), ("number", .number), ("string", .string), ("array", .array), ("object", .object): true
    case let ("integer", .number(n)): n == n.rounded()
    default: false
    }
}

/// The schemas read so far: the coordinator's tests check every message they see.
private let schemas = Mutex<[String: Config]>([:])

/// Where a message body breaks its type's schema in Protocols/schemas (empty: it conforms).
public func violations(type: String, body: Foundation.Data) -> [String] {
    do {
        let schema = try schemas.withLock { cache in
            if let known = cache[type] { return known }
            let read = try load("schemas/\(type).json")
            cache[type] = read
            return read
        }
        return violations(try Config.parse(json: String(decoding: body, as: UTF8.self), source: type), schema)
    } catch {
        return ["\(type): \(error)"]
    }
}
