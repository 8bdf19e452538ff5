#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Config

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
    public static let minor = 2

    public var header: Header
    /// The body's JSON text (always an object).
    public var body: Data

    public init(header: Header, body: Data) {
        self.header = header
        self.body = body
    }

    /// A message with a typed body.
    public init<B: MessageBody>(_ type: MessageType, id: String, re: String? = nil, body: B) {
        // Every body is plain data with non-finite numbers spelled out: encoding cannot fail.
        self.init(header: Header(type: type, id: id, re: re), body: try! Self.encoder.encode(body))
    }

    /// Reads the body as `B`, checked as its schema says (types, required fields, ranges, closed
    /// sets); unknown fields are ignored. A body that breaks its schema is refused whole.
    public func decode<B: MessageBody>(_: B.Type) throws(ProtocolError) -> B {
        let decoded: B
        do { decoded = try Self.decoder.decode(B.self, from: body) } catch {
            throw ProtocolError(.badRequest, "\(header.type.rawValue) body does not match Protocols/schemas/\(header.type.rawValue).json: \(Self.explain(error))", re: header.id)
        }
        if let problem = decoded.problem() {
            throw ProtocolError(.badRequest, "\(header.type.rawValue) body does not match Protocols/schemas/\(header.type.rawValue).json: \(problem)", re: header.id)
        }
        return decoded
    }

    /// The three frames: protocol name, header JSON, body JSON (a ROUTER adds the peer).
    public func frames() -> [Data] {
        [Data(Self.protocolName.utf8), try! Self.encoder.encode(header), body]
    }

    /// Metrics may be NaN or infinite (a diverged trial): the wire spells them "nan", "inf", "-inf".
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }()

    /// A decoding error as the field path and what was wrong with it.
    static func explain(_ error: any Error) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return keys.isEmpty ? "the body" : String(keys.drop { $0 == "." })
        }
        switch error as? DecodingError {
        case let .keyNotFound(key, context)?:
            let at = path(context)
            return "\(at == "the body" ? "" : at + ".")\(key.stringValue) is required"
        case let .typeMismatch(type, context)?: return "\(path(context)) must be \(Self.kind(type))"
        case let .valueNotFound(type, context)?: return "\(path(context)) must be \(Self.kind(type)), not null"
        case let .dataCorrupted(context)?: return "\(path(context)): \(context.debugDescription)"
        default: return "\(error)"
        }
    }

    private static func kind(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is UInt64.Type: "an integer"
        case is Double.Type: "a number"
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        default: "\(type)".contains("Array") ? "an array" : "an object"
        }
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
        // Checked, not built: a 100,000-trial TRIALS is 35 MB, which JSONSerialization took 2 s to build only to be thrown away.
        guard JSONReader.isObject(frames[2]) else {
            throw ProtocolError(.badRequest, "frame 2 (body) of \(typeName) must be a JSON object", re: id)
        }
        self.header = Header(type: type, id: id, re: header["re"] as? String, ts: header["ts"] as? String ?? "", minor: header["minor"] as? Int ?? 0)
        body = frames[2]
    }
}

