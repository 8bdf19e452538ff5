#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The message types of SWEEP/1 (Protocols/SWEEP-1.md §4).
public enum MessageType: String, CaseIterable, Codable, Sendable {
    // Worker ↔ coordinator.
    case hello = "HELLO", welcome = "WELCOME", assign = "ASSIGN", accept = "ACCEPT", reject = "REJECT"
    case metric = "METRIC", done = "DONE", ack = "ACK", decision = "DECISION", stop = "STOP"
    case heartbeat = "HEARTBEAT", bye = "BYE"
    // Client ↔ coordinator.
    case submit = "SUBMIT", submitted = "SUBMITTED", status = "STATUS", statusReply = "STATUS_REPLY"
    case cancel = "CANCEL", ok = "OK", follow = "FOLLOW", snapshot = "SNAPSHOT", update = "UPDATE"
    case unfollow = "UNFOLLOW", export = "EXPORT", exported = "EXPORTED", workers = "WORKERS"
    case workersReply = "WORKERS_REPLY", error = "ERROR"
}

/// Frame 1 of every message.
public struct Header: Codable, Equatable, Sendable {
    public var type: MessageType
    /// Unique per sender; replies quote it in `re`.
    public var id: String
    /// The id of the request this message answers.
    public var re: String?
    /// The sender's clock, RFC 3339 UTC (informative).
    public var ts: String
    /// The sender's minor version.
    public var minor: Int

    public init(type: MessageType, id: String, re: String? = nil, ts: String = Header.now(), minor: Int = Envelope.minor) {
        self.type = type
        self.id = id
        self.re = re
        self.ts = ts
        self.minor = minor
    }

    /// Now as RFC 3339 UTC with milliseconds, formatted by hand: a Foundation date formatter
    /// costs tens of microseconds to build, which was a third of the coordinator's time.
    public static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var parts = tm()
        var seconds = spec.tv_sec
        gmtime_r(&seconds, &parts)
        func pad(_ n: Int32, _ width: Int) -> String {
            let digits = String(n)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(spec.tv_nsec / 1_000_000), 3))Z"
    }
}

/// One SWEEP/1 message: header and body (a JSON object, kept as bytes until a typed reader asks).
public struct Envelope: Equatable, Sendable {
    public static let protocolName = "SWEEP/1"
    public static let major = 1
    public static let minor = 0

    public var header: Header
    /// The body's JSON text (always an object).
    public var body: Data

    public init(header: Header, body: Data) {
        self.header = header
        self.body = body
    }

    /// A message with an Encodable body.
    public init<Body: Encodable>(_ type: MessageType, id: String, re: String? = nil, body: Body) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        self.init(header: Header(type: type, id: id, re: re), body: try encoder.encode(body))
    }

    /// Reads the body as `Body`; unknown fields are ignored.
    public func decode<Body: Decodable>(_: Body.Type) throws(ProtocolError) -> Body {
        do { return try JSONDecoder().decode(Body.self, from: body) } catch {
            throw ProtocolError(.badRequest, "\(header.type.rawValue) body does not match Protocols/schemas/\(header.type.rawValue).json: \(error)")
        }
    }

    /// The three frames: protocol name, header JSON, body JSON (a ROUTER adds the peer).
    public func frames() -> [Data] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return [Data(Self.protocolName.utf8), (try? encoder.encode(header)) ?? Data("{}".utf8), body]
    }

    /// Parses frames by the rules of SWEEP-1.md §2: three frames, the protocol name, a header
    /// object with a known type, a body object. Throws the error to answer with.
    public init(frames: [Data]) throws(ProtocolError) {
        guard frames.count == 3 else {
            throw ProtocolError(.badRequest, "a SWEEP/1 message has 3 frames (protocol, header, body); got \(frames.count)")
        }
        let name = String(decoding: frames[0], as: UTF8.self)
        guard name == Self.protocolName else {
            throw ProtocolError(.unsupportedProtocol, "protocol '\(name.prefix(40))' is not supported; this peer speaks \(Self.protocolName)", supported: [Self.major])
        }
        guard let header = try? JSONSerialization.jsonObject(with: frames[1]) as? [String: Any] else {
            throw ProtocolError(.badRequest, "frame 1 (header) must be a JSON object")
        }
        guard let typeName = header["type"] as? String else { throw ProtocolError(.badRequest, "header.type is missing") }
        guard let type = MessageType(rawValue: typeName) else {
            throw ProtocolError(.unknownType, "message type '\(typeName.prefix(40))' is unknown", re: header["id"] as? String)
        }
        guard let id = header["id"] as? String else { throw ProtocolError(.badRequest, "header.id is missing", re: nil) }
        guard (try? JSONSerialization.jsonObject(with: frames[2])) is [String: Any] else {
            throw ProtocolError(.badRequest, "frame 2 (body) of \(typeName) must be a JSON object", re: id)
        }
        self.header = Header(type: type, id: id, re: header["re"] as? String, ts: header["ts"] as? String ?? "", minor: header["minor"] as? Int ?? 0)
        body = frames[2]
    }
}

/// A message a peer cannot accept, and the `ERROR` reply it gets.
public struct ProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Codable, Sendable {
        case unsupportedProtocol = "unsupported_protocol", badRequest = "bad_request", unknownType = "unknown_type"
        case unknownPeer = "unknown_peer", invalidSpec = "invalid_spec", unknownStudy = "unknown_study"
        case staleAttempt = "stale_attempt", `internal`
    }

    /// The body of an `ERROR` message.
    public struct Body: Codable, Equatable, Sendable {
        public struct Problem: Codable, Equatable, Sendable {
            public let path: String
            public let message: String
            public init(path: String, message: String) {
                self.path = path
                self.message = message
            }
        }
        public var code: Code
        public var message: String
        public var supported: [Int]?
        public var problems: [Problem]?
    }

    public let body: Body
    /// The id of the offending request, when it could be read.
    public let re: String?

    public init(_ code: Code, _ message: String, supported: [Int]? = nil, problems: [Body.Problem]? = nil, re: String? = nil) {
        body = Body(code: code, message: message, supported: supported, problems: problems)
        self.re = re
    }

    public var code: Code { body.code }
    public var description: String { "\(body.code.rawValue): \(body.message)" }

    /// The `ERROR` message answering the offending one.
    public func reply(id: String) -> Envelope {
        (try? Envelope(.error, id: id, re: re, body: body)) ?? Envelope(header: Header(type: .error, id: id, re: re), body: Data("{}".utf8))
    }
}
