import Foundation
import Wire

/// The coordinator on sockets: a ROUTER for workers and one for clients, owned by a bridge's I/O
/// thread; one loop feeds messages and timer ticks to the `Coordinator` and sends its replies.
public final class CoordinatorService: @unchecked Sendable {
    let bridge: Bridge
    let coordinator: Coordinator
    let workersEndpoint: Endpoint
    let clientsEndpoint: Endpoint
    let log: @Sendable (String) -> Void

    public init(context: Context, coordinator: Coordinator, workers: Endpoint, clients: Endpoint, log: @escaping @Sendable (String) -> Void) {
        bridge = Bridge(context: context, name: "coordinator-io")
        self.coordinator = coordinator
        workersEndpoint = workers
        clientsEndpoint = clients
        self.log = log
    }

    enum Input: Sendable {
        case event(Bridge.Event)
        case tick
    }

    /// Serves until `shutdown()`.
    public func run() async throws {
        func router(_ endpoint: Endpoint) async throws -> SocketID {
            try await bridge.open(.router) { socket in
                try socket.set(.routerMandatory, true)
                try socket.set(.routerHandover, true)
                try socket.set(.maxMessageSize, 1 << 20)
                try socket.bind(endpoint)
            }
        }
        let workers = try await router(workersEndpoint)
        let clients = try await router(clientsEndpoint)
        log("coordinator \(coordinator.session): workers on \(workersEndpoint), clients on \(clientsEndpoint), store \(coordinator.store.path)")
        let (inputs, feed) = AsyncStream.makeStream(of: Input.self)
        let events = Task { [bridge] in
            for await event in bridge.events { feed.yield(.event(event)) }
            feed.finish()
        }
        let ticks = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250))
                feed.yield(.tick)
            }
        }
        let clock = ContinuousClock(), start = clock.now
        func now() -> Double { let d = clock.now - start; return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
        for await input in inputs {
            var replies: [Coordinator.Outgoing] = []
            switch input {
            case let .event(.message(socket, message)):
                guard let peer = message.peer else { continue }
                replies = socket == workers
                    ? coordinator.handle(worker: peer, frames: message.frames, now: now())
                    : coordinator.handle(client: peer, frames: message.frames, now: now())
            case .event(.monitor):
                continue
            case .tick:
                do { replies = try coordinator.tick(now: now()) } catch { log("tick failed: \(error)") }
            }
            for reply in replies {
                let socket = reply.audience == .worker ? workers : clients
                // A peer that went away is not an error of ours: its messages are stored, and it
                // will say HELLO again.
                try? await bridge.send(Message(reply.envelope.frames(), peer: reply.peer), on: socket)
            }
        }
        ticks.cancel()
        events.cancel()
    }

    public func shutdown() { bridge.stop() }
}
