import Foundation
import Logging
import Synchronization
import Protocol
import Wire

/// The coordinator on sockets: a ROUTER for workers and one for clients, owned by a bridge's I/O
/// thread; one loop feeds messages and timer ticks to the `Coordinator` and sends its replies.
public final class CoordinatorService: @unchecked Sendable {
    let bridge: Bridge
    let coordinator: Coordinator
    let workersEndpoint: Endpoint
    let clientsEndpoint: Endpoint
    let logger: Logger
    let context: Context
    let security: ServerSecurity?
    private let authenticator = Mutex<Authenticator?>(nil)

    /// `security` nil: plain TCP (the command allows that on loopback only).
    public init(context: Context, coordinator: Coordinator, workers: Endpoint, clients: Endpoint, security: ServerSecurity?, logger: Logger) {
        bridge = Bridge(context: context, name: "coordinator-io")
        self.context = context
        self.security = security
        self.coordinator = coordinator
        coordinator.detachReads = true
        workersEndpoint = workers
        clientsEndpoint = clients
        self.logger = logger
    }

    enum Input: Sendable {
        case event(Bridge.Event)
        case tick
    }

    /// Inputs waiting for the loop, and the doorbell that wakes it.
    final class Inbox: Sendable {
        let pending = Mutex<[Input]>([])
        let ring: AsyncStream<Void>.Continuation
        init(ring: AsyncStream<Void>.Continuation) { self.ring = ring }

        func post(_ input: Input) {
            pending.withLock { $0.append(input) }
            ring.yield()
        }

        func take() -> [Input] {
            pending.withLock { taken in
                defer { taken = [] }
                return taken
            }
        }
    }

    /// Serves until `shutdown()`.
    public func run() async throws {
        if let security {
            // The ZAP handler must run before a CURVE server binds, or libzmq admits every key.
            let logger = logger
            let handler = try Authenticator(context: context) { decision in
                if !decision.admitted {
                    logger.warning("refused a key", metadata: ["domain": "\(decision.domain)", "address": "\(decision.address)", "key": "\(decision.publicKey)"])
                }
            }
            authenticator.withLock { $0 = handler }
            let counts = try security.load(into: handler)
            logger.info("CURVE on", metadata: ["public_key": "\(security.keyPair.publicKey)", "workers_keys": "\(counts["workers"] ?? 0)",
                                               "clients_keys": "\(counts["clients"] ?? 0)"])
        } else {
            logger.warning("CURVE is off (--insecure): no encryption and no authentication; loopback only")
        }
        let limit = coordinator.options.messageLimit
        func router(_ endpoint: Endpoint, domain: String) async throws -> SocketID {
            try await bridge.open(.router) { [security] socket in
                if let security { try socket.makeCurveServer(secretKey: security.keyPair.secretKey, domain: domain) }
                try socket.set(.routerMandatory, true)
                try socket.set(.routerHandover, true)
                // libzmq drops a connection whose frame is over its limit; below four times the
                // message limit a message is read, counted and answered `too_large`.
                try socket.set(.maxMessageSize, 4 * limit)
                socket.messageLimit = limit
                try socket.bind(endpoint)
            }
        }
        func listen(_ endpoint: Endpoint, domain: String) async throws -> SocketID {
            do { return try await router(endpoint, domain: domain) } catch let error as WireError where error.code == WireError.Code.addressInUse {
                throw ListenError(description: "cannot listen on \(endpoint) for \(domain): the address is in use (another coordinator, or another "
                    + "program on that port); stop it or give --\(domain) tcp://HOST:PORT")
            } catch let error as WireError {
                throw ListenError(description: "cannot listen on \(endpoint) for \(domain): \(error.reason); give --\(domain) tcp://HOST:PORT with an address of this machine")
            }
        }
        let workers = try await listen(workersEndpoint, domain: "workers")
        let clients = try await listen(clientsEndpoint, domain: "clients")
        logger.info("serving", metadata: ["session": "\(coordinator.session)", "workers": "\(workersEndpoint)", "clients": "\(clientsEndpoint)",
                                          "store": "\(coordinator.store.path)"])
        // Inputs gather in a buffer; the loop takes all that arrived since its last turn and
        // handles them in one store transaction (group commit), then sends every reply.
        let (doorbell, ring) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let inbox = Inbox(ring: ring)
        let events = Task { [bridge] in
            for await event in bridge.events { inbox.post(.event(event)) }
            ring.finish()
        }
        let ticks = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                inbox.post(.tick)
            }
        }
        // The store's clock is the coordinator's one clock (a `ServiceClock` in production).
        let now = coordinator.store.clock
        var failure: CommitFailure?
        for await _ in doorbell {
            let inputs = inbox.take()
            var replies: [Coordinator.Outgoing] = []
            let clock = ContinuousClock(), started = clock.now
            do {
                try coordinator.store.batch {
                    for input in inputs {
                        switch input {
                        case let .event(.message(socket, message)):
                            guard let peer = message.peer else { continue }
                            if let bytes = message.oversize {
                                replies.append(coordinator.tooLarge(peer, bytes: bytes, to: socket == workers ? .worker : .client))
                                continue
                            }
                            replies += socket == workers
                                ? coordinator.handle(worker: peer, frames: message.frames, now: now())
                                : coordinator.handle(client: peer, frames: message.frames, now: now())
                        case .event(.monitor):
                            continue
                        case .tick:
                            do { replies += try coordinator.tick(now: now()) } catch { logger.error("tick failed", metadata: ["error": "\(error)"]) }
                        }
                    }
                }
            } catch {
                // Nothing of this batch reached the disk, but the studies in memory moved on: no
                // reply is sent, and the coordinator stops, for its supervisor to start it again
                // from what is stored. Workers resend what was not acknowledged.
                logger.critical("store commit failed; replies withheld, stopping to restart from the store", metadata: ["replies": "\(replies.count)", "error": "\(error)"])
                failure = CommitFailure(underlying: "\(error)")
                shutdown()
                break
            }
            if let meters = coordinator.meters {
                meters.committed(clock.now - started)
                meters.received(inputs.count { if case .event(.message) = $0 { true } else { false } })
            }
            replies += coordinator.updates(now: now())
            // A peer that went away is not an error of ours: its messages are stored, and it will
            // say HELLO again. So per-message errors are ignored.
            let batch = replies.map { reply in (Message(reply.envelope.frames(), peer: reply.peer), reply.audience == .worker ? workers : clients) }
            if !batch.isEmpty { _ = try? await bridge.send(batch) }
            // After the commit: each long read on a reader connection of its own, its reply sent when made.
            for reply in coordinator.takeDetached() {
                Task.detached { [bridge, clients] in
                    let made = reply.make()
                    _ = try? await bridge.send([(Message(made.envelope.frames(), peer: made.peer), clients)])
                    reply.sent?.set()
                }
            }
        }
        ticks.cancel()
        events.cancel()
        if let failure { throw failure }
    }

    /// An endpoint this coordinator cannot bind.
    public struct ListenError: Error, CustomStringConvertible {
        public let description: String
    }

    /// A batch did not reach the disk: the process exits non-zero (status 1) so that its
    /// supervisor (systemd `Restart=always`, Kubernetes, Slurm's requeue) restarts it from the store.
    public struct CommitFailure: Error, CustomStringConvertible {
        public let underlying: String
        public var description: String { "the store could not commit (\(underlying)); nothing unstored was acknowledged; restart the coordinator once the disk has room" }
    }

    public func shutdown() {
        bridge.stop()
        authenticator.withLock { $0?.stop() }
    }

    /// Reads the allow-lists again (SIGHUP). A list that cannot be read leaves the old ones in force.
    public func reload() {
        guard let security, let handler = authenticator.withLock({ $0 }) else { return }
        do {
            let counts = try security.load(into: handler)
            logger.notice("allow-lists reloaded", metadata: ["workers_keys": "\(counts["workers"] ?? 0)", "clients_keys": "\(counts["clients"] ?? 0)"])
        } catch {
            logger.error("allow-lists not reloaded; the old ones stay in force", metadata: ["error": "\(error)"])
        }
    }
}
