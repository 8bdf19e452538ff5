import ArgumentParser
import Foundation
import Config
import Wire

/// A request/reply connection to the coordinator's client endpoint.
final class Client: @unchecked Sendable {
    let bridge: Bridge
    let socket: SocketID
    private var events: AsyncStream<Bridge.Event>.Iterator

    init(endpoint: String) async throws {
        bridge = Bridge(context: try Context(), name: "sweep-io")
        let target = try Endpoint(parsing: endpoint)
        socket = try await bridge.open(.dealer) { try $0.connect(target) }
        events = bridge.events.makeAsyncIterator()
    }

    /// Sends a request and waits for the reply that quotes it (an `ERROR` becomes a thrown error).
    func request<B: Encodable>(_ type: MessageType, _ body: B, timeout: Duration = .seconds(10)) async throws -> Envelope {
        let id = UUID().uuidString
        try await bridge.send(Message(try Envelope(type, id: id, body: body).frames()), on: socket)
        let deadline = ContinuousClock.now + timeout
        let timer = Task { [bridge] in
            try? await Task.sleep(until: deadline)
            if !Task.isCancelled { bridge.stop() }
        }
        defer { timer.cancel() }
        while let event = await events.next() {
            guard case let .message(_, message) = event, let reply = try? Envelope(frames: message.frames), reply.header.re == id else { continue }
            if reply.header.type == .error, let error = try? reply.decode(ProtocolError.Body.self) {
                let problems = (error.problems ?? []).map { "\n  \($0.path) \($0.message)" }.joined()
                throw ValidationError("\(error.code.rawValue): \(error.message)\(problems)")
            }
            return reply
        }
        throw ValidationError("no answer from the coordinator at its client endpoint within \(timeout) (is it running?)")
    }

    func close() { bridge.stop() }
}

struct Submit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Submit a search spec to the coordinator; prints the study id.",
        discussion: "Example:\n  sweep submit examples/fashion-mnist-mlp.yaml")
    @Argument(help: "A search spec file (YAML or JSON).") var spec: String
    @Option(help: "The coordinator's client endpoint.") var coordinator = "tcp://127.0.0.1:5556"

    mutating func run() async throws {
        let config = try Config.load(path: spec)
        let client = try await Client(endpoint: coordinator)
        defer { client.close() }
        let reply = try await client.request(.submit, ["spec": config])
        struct Submitted: Decodable { let study: String }
        print(try reply.decode(Submitted.self).study)
    }
}

struct Leaderboard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a study's leaderboard; with --follow, keep printing until the study ends.",
        discussion: "Example:\n  sweep leaderboard s-000001 --follow --top 10")
    @Argument(help: "The study id.") var study: String
    @Option(help: "Rows to show.") var top = 10
    @Flag(help: "Keep printing until the study is no longer running.") var follow = false
    @Flag(help: "Print JSON instead of a table.") var json = false
    @Option(help: "The coordinator's client endpoint.") var coordinator = "tcp://127.0.0.1:5556"

    struct Row: Decodable { let rank: Int; let trial: Int; let status: String; let objective: Double?; let epoch: Int?; let params: Config }
    struct Rows: Decodable { let rows: [Row] }
    struct Status: Decodable { let studies: [Study] }
    struct Study: Decodable { let state: String; let trials: Int; let running: Int; let completed: Int; let pruned: Int; let failed: Int }

    mutating func run() async throws {
        let client = try await Client(endpoint: coordinator)
        defer { client.close() }
        var previous = ""
        while true {
            let snapshot = try await client.request(.follow, ["study": Config.string(study), "top": .number(Double(top))])
            let status = try await client.request(.status, ["study": study]).decode(Status.self).studies.first
            let text = json ? String(decoding: snapshot.body, as: UTF8.self) : table(try snapshot.decode(Rows.self).rows, status)
            if text != previous { print(text + "\n"); previous = text }
            guard follow, status?.state == "running" else { break }
            try await Task.sleep(for: .seconds(1))
        }
    }

    func table(_ rows: [Row], _ status: Study?) -> String {
        var lines = status.map { ["\(study): \($0.state), \($0.trials) trials (\($0.running) running, \($0.completed) completed, \($0.pruned) pruned, \($0.failed) failed)"] } ?? []
        lines.append("rank  trial  status     objective  epoch  parameters")
        for r in rows {
            let value = r.objective.map { String(format: "%.4f", $0) } ?? "-"
            let params: String = if case let .object(o) = r.params { o.keys.sorted().map { "\($0)=\(o[$0]!)" }.joined(separator: " ") } else { "" }
            lines.append("\(String(r.rank).padding(toLength: 4, withPad: " ", startingAt: 0))  \(String(r.trial).padding(toLength: 5, withPad: " ", startingAt: 0))  \(r.status.padding(toLength: 9, withPad: " ", startingAt: 0))  \(value.padding(toLength: 9, withPad: " ", startingAt: 0))  \((r.epoch.map(String.init) ?? "-").padding(toLength: 5, withPad: " ", startingAt: 0))  \(params)")
        }
        return lines.joined(separator: "\n")
    }
}

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the state of every study (or one).",
                                                    discussion: "Example:\n  sweep status")
    @Argument(help: "A study id (all studies when absent).") var study: String?
    @Option(help: "The coordinator's client endpoint.") var coordinator = "tcp://127.0.0.1:5556"

    mutating func run() async throws {
        let client = try await Client(endpoint: coordinator)
        defer { client.close() }
        let reply = try await client.request(.status, study.map { ["study": $0] } ?? [:])
        print(String(decoding: reply.body, as: UTF8.self))
    }
}

struct Cancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Cancel a study.", discussion: "Example:\n  sweep cancel s-000001")
    @Argument(help: "The study id.") var study: String
    @Option(help: "The coordinator's client endpoint.") var coordinator = "tcp://127.0.0.1:5556"

    mutating func run() async throws {
        let client = try await Client(endpoint: coordinator)
        defer { client.close() }
        _ = try await client.request(.cancel, ["study": study])
        print("cancelled \(study)")
    }
}
