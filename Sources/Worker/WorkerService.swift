import Foundation
import Logging
import Synchronization
import Config
import Protocol
import Runner
import Tensor
import Wire

/// A worker on sockets: a DEALER to the coordinator owned by a bridge's I/O thread, a sender
/// task, a half-second watchdog, and one thread per trial. The protocol itself is `WorkerCore`
/// (messages in, effects out), called under one lock; this type carries its effects out and logs.
public final class WorkerService: @unchecked Sendable {
    let bridge: Bridge
    let endpoint: Endpoint
    public let name: String
    let threads: Int
    let logger: Logger
    let security: Security
    /// Messages to send, in order, by one task.
    private let queue: AsyncStream<Envelope>
    private let post: AsyncStream<Envelope>.Continuation
    private let core: Mutex<WorkerCore>
    /// Read by the running trial at each report (and by a command trial's watcher).
    private let stopTrial = Atomic<Bool>(false)
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant
    private let refusalBackoff = Mutex<Duration>(.seconds(5))
    /// Only the watchdog's task touches it.
    private nonisolated(unsafe) var lastWaitingNote = 0.0

    public init(context: Context, endpoint: Endpoint, name: String, threads: Int, security: Security, logger: Logger) {
        self.security = security
        bridge = Bridge(context: context, name: "worker-io")
        self.endpoint = endpoint
        self.name = name
        self.threads = threads
        var logger = logger
        logger[metadataKey: "worker"] = "\(name)"
        self.logger = logger
        let identity = WorkerCore.Identity(name: name, bootID: "\(name)/\(UUID().uuidString.prefix(8))", host: ProcessInfo.processInfo.hostName,
                                           cores: ProcessInfo.processInfo.activeProcessorCount, threads: threads)
        core = Mutex(WorkerCore(identity: identity))
        origin = clock.now
        (queue, post) = AsyncStream.makeStream(of: Envelope.self)
    }

    /// Seconds on the monotonic clock since this worker started: the core's one clock.
    private func now() -> Double {
        let elapsed = clock.now - origin
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    /// Runs until `shutdown()`.
    public func run() async throws {
        let bootID = core.withLock { $0.identity.bootID }
        let socket = try await bridge.open(.dealer, monitor: true) { [endpoint, security] socket in
            try security.apply(to: socket)
            try socket.set(.routingID, Data(bootID.utf8))
            try socket.set(.reconnectInterval, .milliseconds(500))
            try socket.set(.reconnectIntervalMax, .seconds(30))
            try socket.set(.linger, .zero)
            try socket.connect(endpoint)
        }
        BLAS.threads = threads
        let sender = Task { [bridge, queue] in
            for await message in queue {
                // A full queue (coordinator away) is retried; a stopped bridge ends the worker.
                while true {
                    do { try await bridge.send(Message(message.frames()), on: socket); break } catch let error as WireError {
                        if error.isTerminated { return }
                        try? await Task.sleep(for: .milliseconds(200))
                    } catch { return }
                }
            }
        }
        let watchdog = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(500))
                self?.tick()
            }
        }
        perform(core.withLock { $0.hello(now: now()) })
        logger.info("connecting", metadata: ["coordinator": "\(endpoint)", "threads": "\(threads)"])
        for await event in bridge.events {
            if case let .monitor(_, change) = event {
                // A refused key or a wrong server key shows here, not as an error reply.
                if let hint = Security.hint(change, role: "worker", domain: "workers") { logger.error("\(hint)") }
                // libzmq does not retry after a refusal; this worker does, slowly, so that a key
                // added to the allow-list later (SIGHUP) is picked up without a restart.
                if change.kind == .handshakeFailedAuth { retryAfterRefusal(socket) }
                continue
            }
            guard case let .message(_, message) = event, let received = try? Envelope(frames: message.frames) else { continue }
            log(received)
            perform(core.withLock { $0.receive(received, now: now()) })
        }
        watchdog.cancel()
        post.finish()
        _ = await sender.value
    }

    /// Carries out what the core decided.
    private func perform(_ effects: [WorkerCore.Effect]) {
        for effect in effects {
            switch effect {
            case let .send(message): post.yield(message)
            case let .start(assign): train(assign)
            case .stop: stopTrial.store(true, ordering: .releasing)
            }
        }
    }

    private func tick() {
        // Until the first WELCOME, say so every 15 s: a worker started before its coordinator
        // waits, and should say what for.
        let waited = now()
        if core.withLock({ $0.session == nil }), waited - lastWaitingNote >= 15 {
            lastWaitingNote = waited
            if waited >= 5 {
                logger.notice("still waiting for the coordinator (is it running? is this its workers endpoint? are the keys right?)",
                              metadata: ["coordinator": "\(endpoint)", "waited_s": "\(Int(waited))"])
            }
        }
        let (effects, lost) = core.withLock { core in
            let running = core.abandoned ? nil : core.trial
            let effects = core.tick(now: now())
            return (effects, running.flatMap { core.abandoned ? $0.id : nil })
        }
        if let lost {
            logger.warning("the coordinator has been silent past the lease grace; stopping the trial (it runs elsewhere)", metadata: ["trial": "\(lost)"])
        }
        perform(effects)
    }

    /// What a message from the coordinator means, for the log.
    private func log(_ received: Envelope) {
        switch received.header.type {
        case .welcome:
            guard let welcome = try? received.decode(Body.Welcome.self) else { return }
            let previous = core.withLock { $0.session }
            let restarted = previous != nil && previous != welcome.session
            logger.info(restarted ? "connected to a restarted coordinator" : "connected to the coordinator", metadata: ["session": "\(welcome.session)"])
            for running in welcome.stop {
                logger.notice("superseded, stopping", metadata: ["trial": "\(running.trial)", "attempt": "\(running.attempt)"])
            }
        case .decision:
            if let decision = try? received.decode(Body.Decision.self), !decision.continue {
                logger.info("stop", metadata: ["trial": "\(decision.trial)", "rule": "\(decision.reason?.rule.rawValue ?? "-")", "detail": "\(decision.reason?.detail ?? "-")"])
            }
        case .stop:
            if let order = try? received.decode(Body.Stop.self) {
                logger.info("stop", metadata: ["trial": "\(order.trial)", "reason": "\(order.reason.rawValue)"])
            }
        case .error:
            if let error = try? received.decode(ProtocolError.Body.self) {
                logger.warning("coordinator error", metadata: ["code": "\(error.code.rawValue)", "message": "\(error.message)"])
            }
        default:
            break
        }
    }

    /// Connects again after the coordinator refused this worker's key: 5 s, then doubling to 60 s.
    private func retryAfterRefusal(_ socket: SocketID) {
        let delay = refusalBackoff.withLock { backoff in
            defer { backoff = min(backoff * 2, .seconds(60)) }
            return backoff
        }
        Task { [bridge, endpoint] in
            try? await Task.sleep(for: delay)
            _ = try? await bridge.with(socket) { socket in
                try socket.disconnect(endpoint)
                try socket.connect(endpoint)
            }
        }
    }

    /// Stops the running trial (a command gets SIGTERM, then SIGKILL 2 s later), then says BYE
    /// and stops: the trial is given back, so it must not run here while it runs elsewhere.
    public func shutdown() {
        perform(core.withLock { $0.leave() })
        Task { [self] in
            let deadline = ContinuousClock.now + .seconds(10)
            while core.withLock({ $0.trial != nil }), ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(50))
            }
            perform(core.withLock { $0.farewell() })
            try? await Task.sleep(for: .milliseconds(300))
            bridge.stop()
        }
    }

    /// Trains the assigned trial on its own thread.
    private func train(_ assign: Body.Assign) {
        stopTrial.store(false, ordering: .releasing)
        logger.info(assign.test == true ? "final trial: retrain and score on the test split" : "trial",
                    metadata: ["study": "\(assign.study)", "trial": "\(assign.number.map { "\($0)" } ?? "-")", "id": "\(assign.trial)",
                               "attempt": "\(assign.attempt)", "kind": "\(assign.kind.rawValue)"])
        let thread = Thread { [self] in
            let result = TrialRun(assign: assign, logger: logger).run(shouldStop: { self.stopTrial.load(ordering: .acquiring) }, report: { epoch, metrics in
                perform(core.withLock { $0.report(epoch: epoch, metrics: metrics, now: now()) })
                return !stopTrial.load(ordering: .acquiring)
            }, output: { stream, line in
                self.perform(self.core.withLock { $0.output(stream, line) })
            })
            let effects = core.withLock { $0.finish(result.status, metrics: result.metrics, error: result.error, cause: result.cause, now: now()) }
            if !effects.isEmpty {
                logger.info("trial ended", metadata: ["study": "\(assign.study)", "trial": "\(assign.number.map { "\($0)" } ?? "-")", "id": "\(assign.trial)",
                                                      "status": "\(result.status.rawValue)", "error": "\(result.error ?? "-")"])
            }
            perform(effects)
        }
        thread.start()
    }
}
