import ArgumentParser
import Foundation
import Synchronization
import Config
import Protocol
import Service
import Wire

/// A connection to the coordinator's client endpoint: requests with their replies, and the
/// messages it pushes (leaderboard UPDATEs).
final class Client: @unchecked Sendable {
    let bridge: Bridge
    let socket: SocketID
    let endpoint: String
    private var messages: AsyncStream<Message>.Iterator
    /// What the socket monitor said went wrong with the handshake, if anything.
    private let hint = Hint()

    final class Hint: Sendable {
        private let text = Mutex<String?>(nil)
        var value: String? { text.withLock { $0 } }
        func set(_ value: String) { text.withLock { $0 = value } }
    }

    init(endpoint: String, security: Security) async throws {
        bridge = Bridge(context: try Context(), name: "sweep-io")
        self.endpoint = endpoint
        let target = try Endpoint(parsing: endpoint)
        socket = try await bridge.open(.dealer, monitor: true) { socket in
            try security.apply(to: socket)
            try socket.set(.linger, .zero)
            try socket.connect(target)
        }
        // Monitor events are kept aside (a refused handshake also makes sends fail), messages
        // queued for `next`.
        let (stream, feed) = AsyncStream.makeStream(of: Message.self)
        messages = stream.makeAsyncIterator()
        Task { [bridge, hint] in
            for await event in bridge.events {
                switch event {
                case let .monitor(_, change):
                    if let text = Security.hint(change, role: "client", domain: "clients") { hint.set(text) }
                case let .message(_, message):
                    feed.yield(message)
                }
            }
            feed.finish()
        }
    }

    /// Sends a message; returns its id and its size in bytes. A socket with no connection (none
    /// yet, or a refused handshake) cannot take it: wait a little, then say what the monitor saw.
    @discardableResult
    func send<B: MessageBody>(_ type: MessageType, _ body: B, timeout: Duration = .seconds(10)) async throws -> (id: String, bytes: Int) {
        let id = UUID().uuidString
        let message = Message(Envelope(type, id: id, body: body).frames())
        let deadline = ContinuousClock.now + timeout
        while true {
            do {
                try await bridge.send(message, on: socket)
                return (id, message.frames.map(\.count).reduce(0, +))
            } catch let error as WireError where error.code == WireError.Code.wouldBlock {
                if let text = hint.value { throw Failure(text) }
                guard ContinuousClock.now < deadline else {
                    throw Failure("no connection to the coordinator at \(endpoint) within \(timeout) (is it running? is this its client endpoint?)")
                }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
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
        while let message = await messages.next() {
            guard let envelope = try? Envelope(frames: message.frames) else { continue }
            if envelope.header.type == .error, let error = try? envelope.decode(ProtocolError.Body.self) {
                let problems = (error.problems ?? []).map { "\n  \($0.path) \($0.message)" }.joined()
                throw Failure("\(error.code.rawValue): \(error.message)\(problems)", code: error.code)
            }
            return envelope
        }
        return nil
    }

    /// Sends a request and waits for the reply that quotes it (an `ERROR` becomes a thrown error).
    func request<B: MessageBody>(_ type: MessageType, _ body: B, timeout: Duration = .seconds(10)) async throws -> Envelope {
        let (id, size) = try await send(type, body)
        let timer = Task { [bridge] in
            try? await Task.sleep(for: timeout)
            if !Task.isCancelled { bridge.stop() }
        }
        defer { timer.cancel() }
        while let reply = try await next() {
            if reply.header.re == id { return reply }
        }
        // A refused key shows as a failed handshake, not a reply: say so instead of a timeout.
        if let text = hint.value { throw Failure(text) }
        // Past four times its max_message, libzmq drops the connection before the coordinator can answer too_large.
        if size > Self.defaultMessageLimit {
            throw Failure("no answer from the coordinator at \(endpoint): the \(type.rawValue) message is \(size) bytes, over the \(Self.defaultMessageLimit) a coordinator takes by default (its max_message setting); make it smaller")
        }
        throw Failure("no answer from the coordinator at \(endpoint) within \(timeout) (is it running? is this its client endpoint?)")
    }

    func close() { bridge.stop() }

    /// A coordinator's max_message unless its operator changed it.
    static let defaultMessageLimit = 1 << 20
}

/// The options every client command shares: where the coordinator is and how to reach it.
struct CoordinatorOption: ParsableArguments {
    @Option(name: .customLong("cluster"), help: "A cluster connection file (default: $SWEEP_CLUSTER).")
    var cluster: String?
    @Option(name: .customLong("coordinator"), help: "The coordinator's client endpoint (default: the cluster file's, else tcp://127.0.0.1:5556).")
    var endpoint: String?
    @Option(help: "Your secret certificate, NAME.key_secret from sweep keygen (default: $SWEEP_KEY).")
    var key: String?
    @Option(help: "The coordinator's public key: its .key file or the Z85 text (default: the cluster file's).")
    var serverKey: String?
    @Flag(help: "No CURVE: no encryption, no authentication. Loopback only.")
    var insecure = false

    func connect() async throws -> Client {
        let environment = ProcessInfo.processInfo.environment
        do {
            let file = try (cluster ?? environment["SWEEP_CLUSTER"]).map { try ClusterFile(path: $0) }
            let target = endpoint ?? file?.clients ?? "tcp://127.0.0.1:5556"
            let security = try Security.client(insecure: insecure, key: key ?? environment["SWEEP_KEY"], serverKey: serverKey ?? file?.serverKey,
                                               endpoint: try Endpoint(parsing: target), role: "client")
            return try await Client(endpoint: target, security: security)
        } catch let error as SecurityError {
            throw ValidationError(error.description)
        } catch let error as CertificateError {
            throw ValidationError(error.description)
        }
    }
}

/// A failure at run time, not a usage error: printed as "Error: …" without the usage text; exit status 1.
struct Failure: Error, CustomStringConvertible {
    let description: String
    /// The coordinator's error code, when it answered ERROR.
    let code: ProtocolError.Code?
    init(_ description: String, code: ProtocolError.Code? = nil) {
        self.description = description
        self.code = code
    }
}
