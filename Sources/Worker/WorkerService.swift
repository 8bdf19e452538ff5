import Foundation
import Logging
import Synchronization
import Config
import Protocol
import Tensor
import Wire

/// A worker: connects to the coordinator, says HELLO, runs one assigned trial at a time (built-in
/// or command) on a thread of its own, streams a METRIC per epoch and a DONE at the end, and
/// stops a trial when the coordinator says so. Reports stay in the outbox until acknowledged and
/// are resent after every WELCOME; a coordinator silent past its liveness gets HELLO again (with
/// the running trial, so a restarted coordinator adopts it), and one silent past the lease grace
/// loses the trial: it is stopped here, as the coordinator runs it elsewhere.
public final class WorkerService: @unchecked Sendable {
    let bridge: Bridge
    let endpoint: Endpoint
    public let name: String
    let threads: Int
    let logger: Logger
    let bootID: String
    let security: Security
    /// Messages to send, in order, by one task.
    private let queue: AsyncStream<Envelope>
    private let post: AsyncStream<Envelope>.Continuation
    private let outbox = Outbox()
    private let stopTrial = Atomic<Bool>(false)
    private let leaving = Atomic<Bool>(false)
    /// The running trial is no longer ours (superseded, or the lease was lost): no DONE for it.
    private let abandoned = Atomic<Bool>(false)
    private let busy = Atomic<Bool>(false)
    private let counter = Atomic<Int>(0)
    private let state = Mutex(State())
    private let clock = ContinuousClock()

    struct State {
        /// The trial it runs and the last report's `seq`.
        var trial: (id: Int, attempt: Int, seq: Int)?
        var heartbeat: Duration = .seconds(2)
        var liveness = 5
        var leaseGrace: Duration = .seconds(60)
        var session: String?
        var lastHeard: ContinuousClock.Instant?
        var lastHello: ContinuousClock.Instant?
        var helloBackoff: Duration = .seconds(1)
        var refusalBackoff: Duration = .seconds(5)
        var lastBeat: ContinuousClock.Instant?
    }

    public init(context: Context, endpoint: Endpoint, name: String, threads: Int, security: Security, logger: Logger) {
        self.security = security
        bridge = Bridge(context: context, name: "worker-io")
        self.endpoint = endpoint
        self.name = name
        self.threads = threads
        var logger = logger
        logger[metadataKey: "worker"] = "\(name)"
        self.logger = logger
        bootID = "\(name)/\(UUID().uuidString.prefix(8))"
        (queue, post) = AsyncStream.makeStream(of: Envelope.self)
    }

    func envelope<B: MessageBody>(_ type: MessageType, _ body: B) -> Envelope {
        Envelope(type, id: "\(name)-\(counter.wrappingAdd(1, ordering: .relaxed).newValue)", body: body)
    }

    /// Runs until `shutdown()`.
    public func run() async throws {
        let socket = try await bridge.open(.dealer, monitor: true) { [endpoint, bootID, security] socket in
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
                self?.watch()
            }
        }
        hello()
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
            state.withLock { $0.lastHeard = clock.now }
            receive(received)
        }
        watchdog.cancel()
        post.finish()
        _ = await sender.value
    }

    private func receive(_ received: Envelope) {
        switch received.header.type {
        case .welcome:
            guard let welcome = try? received.decode(Body.Welcome.self) else { return }
            let restarted = state.withLock { s in
                defer {
                    s.session = welcome.session
                    s.heartbeat = .milliseconds(welcome.heartbeatMS)
                    s.liveness = welcome.liveness
                    s.leaseGrace = .milliseconds(welcome.leaseGraceMS)
                    s.helloBackoff = .seconds(1)
                }
                return s.session != nil && s.session != welcome.session
            }
            logger.info(restarted ? "connected to a restarted coordinator" : "connected to the coordinator", metadata: ["session": "\(welcome.session)"])
            for running in welcome.stop {
                logger.notice("superseded, stopping", metadata: ["trial": "\(running.trial)", "attempt": "\(running.attempt)"])
                drop(trial: running.trial, attempt: running.attempt)
            }
            // Replay what was not acknowledged (reports made while the coordinator was away).
            for entry in outbox.pending { post.yield(entry.envelope) }
        case .assign:
            guard let assign = try? received.decode(Body.Assign.self) else { return }
            start(assign)
        case .ack:
            if let ack = try? received.decode(Body.Ack.self) { outbox.acknowledge(trial: ack.trial, attempt: ack.attempt, seq: ack.seq) }
        case .decision:
            if let decision = try? received.decode(Body.Decision.self), !decision.continue {
                logger.info("stop", metadata: ["trial": "\(decision.trial)", "rule": "\(decision.reason?.rule.rawValue ?? "-")", "detail": "\(decision.reason?.detail ?? "-")"])
                stop(trial: decision.trial, attempt: decision.attempt)
            }
        case .stop:
            if let order = try? received.decode(Body.Stop.self) {
                logger.info("stop", metadata: ["trial": "\(order.trial)", "reason": "\(order.reason.rawValue)"])
                stop(trial: order.trial, attempt: order.attempt)
            }
        case .error:
            guard let error = try? received.decode(ProtocolError.Body.self) else { return }
            logger.warning("coordinator error", metadata: ["code": "\(error.code.rawValue)", "message": "\(error.message)"])
            switch error.code {
            case .unknownPeer:
                // Every message queued while the coordinator was away gets this answer: one HELLO
                // a second is enough.
                let recent = state.withLock { s in s.lastHello.map { clock.now - $0 < .seconds(1) } ?? false }
                if !recent { hello() }
            case .staleAttempt:
                // A report of an attempt that was re-queued elsewhere: that trial is no longer ours.
                if let entry = outbox.pending.first(where: { $0.envelope.header.id == received.header.re }) {
                    drop(trial: entry.trial, attempt: entry.attempt)
                }
            default:
                break
            }
        default:
            break
        }
    }

    /// Connects again after the coordinator refused this worker's key: 5 s, then doubling to 60 s.
    private func retryAfterRefusal(_ socket: SocketID) {
        let delay = state.withLock { s in
            defer { s.refusalBackoff = min(s.refusalBackoff * 2, .seconds(60)) }
            return s.refusalBackoff
        }
        Task { [bridge, endpoint] in
            try? await Task.sleep(for: delay)
            _ = try? await bridge.with(socket) { socket in
                try socket.disconnect(endpoint)
                try socket.connect(endpoint)
            }
        }
    }

    /// Sends HELLO with the running trial (or one whose DONE is not acknowledged yet).
    private func hello() {
        let running: [Body.Running] = state.withLock { s in
            s.lastHello = clock.now
            if let t = s.trial { return [Body.Running(trial: t.id, attempt: t.attempt, lastSeq: t.seq)] }
            return outbox.pending.last.map { [Body.Running(trial: $0.trial, attempt: $0.attempt, lastSeq: $0.seq)] } ?? []
        }
        post.yield(envelope(.hello, Body.Hello(worker: name, bootID: bootID, host: ProcessInfo.processInfo.hostName,
                                               cores: ProcessInfo.processInfo.activeProcessorCount, threads: threads,
                                               version: "0.1.0", protoMin: 1, protoMax: 1, running: running)))
    }

    /// Every half second: heartbeat, HELLO again to a silent coordinator (backing off), and give
    /// up the trial once the lease is surely lost.
    private func watch() {
        enum Action { case none, hello, loseLease }
        let now = clock.now
        let action: Action = state.withLock { s in
            guard let heard = s.lastHeard else {
                guard now - (s.lastHello ?? now) >= s.helloBackoff else { return .none }
                s.helloBackoff = min(s.helloBackoff * 2, .seconds(32))
                return .hello
            }
            let silent = now - heard
            if s.trial != nil, silent > s.leaseGrace, !abandoned.load(ordering: .acquiring) { return .loseLease }
            if silent > s.heartbeat * s.liveness, now - (s.lastHello ?? heard) >= s.helloBackoff {
                s.helloBackoff = min(s.helloBackoff * 2, .seconds(32))
                return .hello
            }
            return .none
        }
        switch action {
        case .hello:
            hello()
        case .loseLease:
            if let trial = state.withLock({ $0.trial }) {
                logger.warning("the coordinator has been silent past the lease grace; stopping the trial (it runs elsewhere)", metadata: ["trial": "\(trial.id)"])
                drop(trial: trial.id, attempt: trial.attempt)
            }
        case .none:
            break
        }
        // Reports unacknowledged for two heartbeats went missing on the way: send them again.
        let (heartbeat, beat) = state.withLock { s in
            let due = s.lastBeat.map { now - $0 >= s.heartbeat } ?? true
            if due { s.lastBeat = now }
            return (s.heartbeat, due)
        }
        for message in outbox.overdue(before: now - heartbeat * 2, now: now) { post.yield(message) }
        if beat { post.yield(envelope(.heartbeat, Body.Empty())) }
    }

    private func stop(trial: Int, attempt: Int) {
        if state.withLock({ $0.trial.map { $0.id == trial && $0.attempt == attempt } ?? false }) {
            stopTrial.store(true, ordering: .releasing)
        }
    }

    /// Stops a trial the coordinator no longer counts on this worker for, and forgets its reports.
    private func drop(trial: Int, attempt: Int) {
        if state.withLock({ $0.trial.map { $0.id == trial && $0.attempt == attempt } ?? false }) {
            abandoned.store(true, ordering: .releasing)
        }
        stop(trial: trial, attempt: attempt)
        outbox.discard(trial: trial, attempt: attempt)
    }

    /// Says BYE and stops; a running trial is abandoned (the coordinator re-queues it at once).
    public func shutdown() {
        leaving.store(true, ordering: .releasing)
        stopTrial.store(true, ordering: .releasing)
        post.yield(envelope(.bye, Body.Bye(reason: "shutdown")))
        Task { [bridge] in
            try? await Task.sleep(for: .milliseconds(300))
            bridge.stop()
        }
    }

    /// Queues a report: kept until acknowledged.
    private func report(_ type: MessageType, trial: Int, attempt: Int, seq: Int, _ body: some MessageBody) {
        let message = envelope(type, body)
        outbox.add(Outbox.Entry(trial: trial, attempt: attempt, seq: seq, envelope: message, sentAt: clock.now))
        post.yield(message)
    }

    /// Trains the assigned trial on its own thread.
    private func start(_ assign: Body.Assign) {
        if state.withLock({ $0.trial.map { $0.id == assign.trial && $0.attempt == assign.attempt } ?? false }) {
            return  // the coordinator repeats an assignment it is not sure arrived: it did
        }
        guard !busy.exchange(true, ordering: .acquiringAndReleasing) else {
            post.yield(envelope(.reject, Body.Reject(trial: assign.trial, attempt: assign.attempt, reason: "busy with another trial")))
            return
        }
        stopTrial.store(false, ordering: .releasing)
        abandoned.store(false, ordering: .releasing)
        state.withLock { $0.trial = (assign.trial, assign.attempt, 0) }
        post.yield(envelope(.accept, Body.Accept(trial: assign.trial, attempt: assign.attempt)))
        logger.info(assign.test == true ? "final trial: retrain and score on the test split" : "trial", metadata: ["study": "\(assign.study)", "trial": "\(assign.number.map { "\($0)" } ?? "-")", "id": "\(assign.trial)",
                                                                                                       "attempt": "\(assign.attempt)", "kind": "\(assign.kind.rawValue)"])
        let thread = Thread { [self] in
            func nextSeq() -> Int { state.withLock { s in s.trial!.seq += 1; return s.trial!.seq } }
            let result = TrialRun(assign: assign, logger: logger).run(shouldStop: { self.stopTrial.load(ordering: .acquiring) }) { epoch, metrics in
                let seq = nextSeq()
                report(.metric, trial: assign.trial, attempt: assign.attempt, seq: seq,
                       Body.Metric(trial: assign.trial, attempt: assign.attempt, seq: seq, epoch: epoch, metrics: metrics))
                return !stopTrial.load(ordering: .acquiring)
            }
            // Leaving or losing a trial mid-way is not a result: no DONE; the coordinator runs it again.
            if !leaving.load(ordering: .acquiring) && !abandoned.load(ordering: .acquiring) {
                let seq = nextSeq()
                report(.done, trial: assign.trial, attempt: assign.attempt, seq: seq,
                       Body.Done(trial: assign.trial, attempt: assign.attempt, seq: seq, status: result.status,
                                 metrics: result.metrics, error: result.error))
                logger.info("trial ended", metadata: ["study": "\(assign.study)", "trial": "\(assign.number.map { "\($0)" } ?? "-")", "id": "\(assign.trial)", "status": "\(result.status.rawValue)", "error": "\(result.error ?? "-")"])
            }
            state.withLock { $0.trial = nil }
            busy.store(false, ordering: .releasing)
        }
        thread.start()
    }
}
