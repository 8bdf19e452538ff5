import Foundation

/// A message a peer cannot accept, and the `ERROR` reply it gets.
public struct ProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Codable, Sendable, CaseIterable {
        case unsupportedProtocol = "unsupported_protocol", badRequest = "bad_request", unknownType = "unknown_type"
        case unknownPeer = "unknown_peer", invalidSpec = "invalid_spec", unknownStudy = "unknown_study"
        case staleAttempt = "stale_attempt", tooLarge = "too_large", `internal`
    }

    /// The body of an `ERROR` message.
    public struct Body: MessageBody {
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

        public init(code: Code, message: String, supported: [Int]? = nil, problems: [Problem]? = nil) {
            self.code = code
            self.message = message
            self.supported = supported
            self.problems = problems
        }

        public func problem() -> String? { check(supported ?? [], "supported") }
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
        Envelope(.error, id: id, re: re, body: body)
    }
}
