import Foundation
import Testing
@testable import Wire

/// Protocols/ at the repository root.
let protocols = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Protocols").standardized

/// A JSON value compared by structure (key order and number spelling do not matter).
func json(_ data: Data) -> NSObject? { try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) as? NSObject }

@Suite("SWEEP/1 protocol")
struct ProtocolTests {
    @Test("every message type has a schema and an example, and every example decodes and re-encodes", arguments: MessageType.allCases)
    func examples(type: MessageType) throws {
        let schema = protocols.appendingPathComponent("schemas/\(type.rawValue).json")
        #expect(FileManager.default.fileExists(atPath: schema.path), "no schema for \(type.rawValue)")
        let example = try JSONSerialization.jsonObject(with: Data(contentsOf: protocols.appendingPathComponent("examples/\(type.rawValue).json"))) as! [String: Any]
        let frames = [Data(Envelope.protocolName.utf8),
                      try JSONSerialization.data(withJSONObject: example["header"]!),
                      try JSONSerialization.data(withJSONObject: example["body"]!)]
        let envelope = try Envelope(frames: frames)
        #expect(envelope.header.type == type)
        let again = try Envelope(frames: envelope.frames())
        #expect(again.header == envelope.header)
        #expect(json(again.body) == json(frames[2]))
    }

    @Test("typed bodies read what the examples say, ignoring unknown fields")
    func typedBodies() throws {
        struct Ack: Codable, Equatable { let trial: Int; let attempt: Int; let seq: Int }
        let frames = [Data("SWEEP/1".utf8), Data(#"{"type":"ACK","id":"a1","minor":3,"extra":true}"#.utf8),
                      Data(#"{"trial":13,"attempt":1,"seq":3,"future_field":[1,2]}"#.utf8)]
        let envelope = try Envelope(frames: frames)
        #expect(try envelope.decode(Ack.self) == Ack(trial: 13, attempt: 1, seq: 3))
        #expect(envelope.header.minor == 3)
        let wrong = #expect(throws: ProtocolError.self) {
            _ = try Envelope(frames: [frames[0], frames[1], Data(#"{"trial":"x"}"#.utf8)]).decode(Ack.self)
        }
        #expect(wrong?.code == .badRequest)
        let built = try Envelope(.ack, id: "c9", re: "m4", body: Ack(trial: 1, attempt: 2, seq: 3))
        #expect(try Envelope(frames: built.frames()).decode(Ack.self) == Ack(trial: 1, attempt: 2, seq: 3))
        #expect(built.header.re == "m4")
    }

    @Test("malformed messages get the error the protocol names, quoting the request when it can")
    func malformed() throws {
        func code(_ frames: [Data]) -> ProtocolError? {
            do { _ = try Envelope(frames: frames); return nil } catch { return error }
        }
        let header = Data(#"{"type":"HEARTBEAT","id":"h1"}"#.utf8), body = Data("{}".utf8)
        #expect(code([header, body])?.code == .badRequest)
        let old = code([Data("HPO/0".utf8), header, body])
        #expect(old?.code == .unsupportedProtocol && old?.body.supported == [1])
        #expect(code([Data("SWEEP/1".utf8), Data("not json".utf8), body])?.code == .badRequest)
        #expect(code([Data("SWEEP/1".utf8), Data("[1]".utf8), body])?.code == .badRequest)
        let unknown = code([Data("SWEEP/1".utf8), Data(#"{"type":"DANCE","id":"d1"}"#.utf8), body])
        #expect(unknown?.code == .unknownType && unknown?.re == "d1")
        #expect(code([Data("SWEEP/1".utf8), header, Data("[]".utf8)])?.code == .badRequest)
        #expect(code([Data("SWEEP/1".utf8), Data(#"{"type":"HEARTBEAT"}"#.utf8), body])?.code == .badRequest)
        // The reply is itself a valid message carrying the code.
        let reply = try Envelope(frames: unknown!.reply(id: "e1").frames())
        #expect(reply.header.type == .error && reply.header.re == "d1")
        #expect(try reply.decode(ProtocolError.Body.self).code == .unknownType)
    }
}
