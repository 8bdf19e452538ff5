import Foundation
import Testing
import Config
import Search
import TestSupport
@testable import Protocol

/// The frames of an example message file.
func frames(_ example: Config) -> [Data] {
    [Data(Envelope.protocolName.utf8), Data(example[path: "header"]!.json.utf8), Data(example[path: "body"]!.json.utf8)]
}

/// A JSON value with its nulls dropped (an absent optional and a null mean the same).
func dense(_ value: Config) -> Config {
    switch value {
    case let .object(o): .object(o.filter { $0.value != .null }.mapValues(dense))
    case let .array(a): .array(a.map(dense))
    default: value
    }
}

/// Decodes a body as `B` and encodes it again.
func again<B: MessageBody>(_: B.Type, _ envelope: Envelope) throws -> Envelope {
    Envelope(header: envelope.header, body: Envelope(envelope.header.type, id: envelope.header.id, body: try envelope.decode(B.self)).body)
}

@Suite("SWEEP/1 protocol")
struct ProtocolTests {
    @Test("every example decodes into its typed body, meets its schema, and re-encodes to the same JSON", arguments: MessageType.allCases)
    func examples(type: MessageType) throws {
        let schema = try load("schemas/\(type.rawValue).json")
        let example = try load("examples/\(type.rawValue).json")
        #expect(violations(example[path: "body"]!, schema) == [], "the example breaks its own schema")
        let envelope = try Envelope(frames: frames(example))
        #expect(envelope.header.type == type)
        let encoded = try again(type.body, envelope)
        let body = try Config.parse(json: String(decoding: encoded.body, as: UTF8.self), source: "encoded")
        #expect(violations(body, schema) == [], "the Swift body breaks the schema")
        #expect(dense(body) == dense(example[path: "body"]!))
        #expect(try Envelope(frames: encoded.frames()).header == envelope.header)
    }

    @Test("a body that breaks its schema is refused whole with bad_request naming the field")
    func refused() throws {
        func refusal<B: MessageBody>(_ type: MessageType, _ body: String, as _: B.Type) -> String? {
            let envelope = try! Envelope(frames: [Data("SWEEP/1".utf8), Data(#"{"type":"\#(type.rawValue)","id":"m1"}"#.utf8), Data(body.utf8)])
            do { _ = try envelope.decode(B.self); return nil } catch {
                #expect(error.code == .badRequest && error.re == "m1")
                return error.body.message
            }
        }
        #expect(refusal(.ack, #"{"trial":1,"attempt":-1,"seq":0}"#, as: Body.Ack.self)?.hasSuffix("attempt must be ≥ 0 (got -1)") == true)
        #expect(refusal(.ack, #"{"trial":1,"seq":0}"#, as: Body.Ack.self)?.hasSuffix("attempt is required") == true)
        #expect(refusal(.ack, #"{"trial":"x","attempt":0,"seq":0}"#, as: Body.Ack.self)?.hasSuffix("trial must be an integer") == true)
        #expect(refusal(.done, #"{"trial":1,"attempt":1,"seq":2,"status":"finished"}"#, as: Body.Done.self)?.contains("status") == true)
        #expect(refusal(.assign, #"{"trial":1,"attempt":1,"study":"s","kind":"shell","seed":1,"metric":"m"}"#, as: Body.Assign.self)?.contains("kind") == true)
        #expect(refusal(.hello, #"{"worker":"w","boot_id":"b","host":"h","cores":2,"threads":1,"version":"1","proto_min":1,"proto_max":1,"running":[{"trial":3,"attempt":-2,"last_seq":0}]}"#,
                        as: Body.Hello.self) == "HELLO body does not match Protocols/schemas/HELLO.json: running[0].attempt must be ≥ 0 (got -2)")
        #expect(refusal(.submit, #"{"spec":[1]}"#, as: Body.Submit.self)?.contains("spec must be an object") == true)
        #expect(refusal(.decision, #"{"trial":1,"attempt":1,"epoch":2,"continue":false,"reason":{"rule":"whim","detail":"d"}}"#, as: Body.Decision.self)?.contains("rule") == true)
    }

    @Test("unknown fields are ignored, and non-finite metrics travel as \"nan\", \"inf\" and \"-inf\"")
    func tolerant() throws {
        let frames = [Data("SWEEP/1".utf8), Data(#"{"type":"METRIC","id":"a1","minor":3,"extra":true}"#.utf8),
                      Data(#"{"trial":13,"attempt":1,"seq":3,"epoch":2,"metrics":{"loss":"nan","up":"inf","down":"-inf","acc":0.5},"future_field":[1,2]}"#.utf8)]
        let envelope = try Envelope(frames: frames)
        let metric = try envelope.decode(Body.Metric.self)
        #expect(metric.metrics["loss"]!.isNaN && metric.metrics["up"] == .infinity && metric.metrics["down"] == -.infinity && metric.metrics["acc"] == 0.5)
        #expect(envelope.header.minor == 3)
        let built = Envelope(.metric, id: "w1-4", re: "m4", body: metric)
        let body = try Config.parse(json: String(decoding: built.body, as: UTF8.self), source: "built")
        #expect(body[path: "metrics.loss"] == .string("nan") && body[path: "metrics.down"] == .string("-inf"))
        #expect(violations(body, try load("schemas/METRIC.json")) == [])
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

    @Test("the closed sets in the schemas are the Swift enums' raw values")
    func closedSets() throws {
        func options(_ schema: String, _ path: String) throws -> Set<String> {
            guard case let .array(values)? = try load("schemas/\(schema).json")[path: path] else { return [] }
            return Set(values.compactMap { if case let .string(s) = $0 { s } else { nil } })
        }
        #expect(try options("ASSIGN", "properties.kind.enum") == Set(TrialKind.allCases.map(\.rawValue)))
        #expect(try options("DONE", "properties.status.enum") == Set(RunStatus.allCases.map(\.rawValue)))
        #expect(try options("STOP", "properties.reason.enum") == Set(StopOrder.allCases.map(\.rawValue)))
        #expect(try options("DECISION", "properties.reason.properties.rule.enum") == Set(StopRule.allCases.map(\.rawValue)))
        #expect(try options("STATUS_REPLY", "properties.studies.items.properties.state.enum") == Set(StudyState.allCases.map(\.rawValue)))
        #expect(try options("SNAPSHOT", "properties.rows.items.properties.status.enum") == Set(TrialState.allCases.map(\.rawValue)))
        #expect(try options("WORKERS_REPLY", "properties.workers.items.properties.state.enum") == Set(WorkerState.allCases.map(\.rawValue)))
        #expect(try options("ERROR", "properties.code.enum") == Set(ProtocolError.Code.allCases.map(\.rawValue)))
    }
}
