import ArgumentParser
import Foundation
import Config
import Wire

/// A connection to the coordinator's client endpoint: requests with their replies, and the
/// messages it pushes (leaderboard UPDATEs).
final class Client: @unchecked Sendable {
    let bridge: Bridge
    let socket: SocketID
    let endpoint: String
    private var events: AsyncStream<Bridge.Event>.Iterator

    init(endpoint: String) async throws {
        bridge = Bridge(context: try Context(), name: "sweep-io")
        self.endpoint = endpoint
        let target = try Endpoint(parsing: endpoint)
        socket = try await bridge.open(.dealer) { socket in
            try socket.set(.linger, .zero)
            try socket.connect(target)
        }
        events = bridge.events.makeAsyncIterator()
    }

    /// Sends a message; returns its id.
    @discardableResult
    func send<B: Encodable>(_ type: MessageType, _ body: B) async throws -> String {
        let id = UUID().uuidString
        try await bridge.send(Message(try Envelope(type, id: id, body: body).frames()), on: socket)
        return id
    }

    /// The next message from the coordinator; nil when `timeout` passes first, which closes the
    /// connection (a stream cannot be waited on with a deadline and then reused).
    func next(timeout: Duration? = nil) async throws -> Envelope? {
        let timer = timeout.map { timeout in
            Task { [bridge] in
                try? await Task.sleep(for: timeout)
                if !Task.isCancelled { bridge.stop() }
            }
        }
        defer { timer?.cancel() }
        while let event = await events.next() {
            guard case let .message(_, message) = event, let envelope = try? Envelope(frames: message.frames) else { continue }
            if envelope.header.type == .error, let error = try? envelope.decode(ProtocolError.Body.self) {
                let problems = (error.problems ?? []).map { "\n  \($0.path) \($0.message)" }.joined()
                throw ValidationError("\(error.code.rawValue): \(error.message)\(problems)")
            }
            return envelope
        }
        return nil
    }

    /// Sends a request and waits for the reply that quotes it (an `ERROR` becomes a thrown error).
    func request<B: Encodable>(_ type: MessageType, _ body: B, timeout: Duration = .seconds(10)) async throws -> Envelope {
        let id = try await send(type, body)
        let timer = Task { [bridge] in
            try? await Task.sleep(for: timeout)
            if !Task.isCancelled { bridge.stop() }
        }
        defer { timer.cancel() }
        while let reply = try await next() {
            if reply.header.re == id { return reply }
        }
        throw ValidationError("no answer from the coordinator at \(endpoint) within \(timeout) (is it running? is this its client endpoint?)")
    }

    func close() { bridge.stop() }
}

/// The option every client command shares.
struct CoordinatorOption: ParsableArguments {
    @Option(name: .customLong("coordinator"), help: "The coordinator's client endpoint.")
    var endpoint = "tcp://127.0.0.1:5556"

    func connect() async throws -> Client { try await Client(endpoint: endpoint) }
}
