import Foundation
import Protocol
import Search
import Version

/// The worker's protocol, without sockets, threads or a clock of its own: messages and events
/// in, effects out, like the coordinator's `Coordinator`. It says HELLO (with the trial it runs,
/// so a restarted coordinator adopts it), takes one assigned trial at a time, keeps every report
/// until it is acknowledged and sends it again after a WELCOME or when it is overdue, says HELLO
/// again to a silent coordinator (backing off), and gives up its trial once the lease is surely
/// lost. `now` is seconds on one monotonic clock, passed to every call. Not thread-safe:
/// `WorkerService` calls it under one lock.
public final class WorkerCore {
    /// What the service must do.
    public enum Effect: Equatable, Sendable {
        case send(Envelope)
        /// Start training this trial.
        case start(Body.Assign)
        /// Tell the running trial to stop at its next report.
        case stop(trial: Int, attempt: Int)
    }

    public struct Identity: Sendable {
        public var name: String
        public var bootID: String
        public var host: String
        public var cores: Int
        public var threads: Int
        public var version = Build.version
        public init(name: String, bootID: String, host: String, cores: Int, threads: Int) {
            self.name = name
            self.bootID = bootID
            self.host = host
            self.cores = cores
            self.threads = threads
        }
    }

    /// The trial it runs, and the last report's `seq`.
    public private(set) var trial: (id: Int, attempt: Int, seq: Int)?
    /// The running trial is no longer ours (superseded, or the lease was lost): it gets no DONE.
    public private(set) var abandoned = false
    /// The worker is leaving: a running trial is given back, not finished.
    public private(set) var leaving = false
    /// The coordinator's session, once welcomed (a new one means it restarted).
    public private(set) var session: String?
    public private(set) var outbox = Outbox()
    private(set) var heartbeat = 2.0
    private(set) var liveness = 5
    private(set) var leaseGrace = 60.0
    private var lastHeard: Double?
    private var lastHello: Double?
    private var lastBeat: Double?
    private var helloBackoff = 1.0
    private var counter = 0
    /// The running trial's output since the last LOG, and its size.
    private var output: [Body.Line] = []
    private var outputBytes = 0
    /// A line is cut to this many characters, and a LOG is sent once this many bytes wait.
    static let lineLimit = 2000, batchBytes = 128 * 1024
    let identity: Identity

    public init(identity: Identity) { self.identity = identity }

    func envelope<B: MessageBody>(_ type: MessageType, _ body: B) -> Envelope {
        counter += 1
        return Envelope(type, id: "\(identity.name)-\(counter)", body: body)
    }

    /// HELLO with the running trial (or the last one whose reports are not acknowledged yet).
    public func hello(now: Double) -> [Effect] {
        lastHello = now
        let running: [Body.Running] = if let t = trial { [Body.Running(trial: t.id, attempt: t.attempt, lastSeq: t.seq)] } else {
            outbox.entries.last.map { [Body.Running(trial: $0.trial, attempt: $0.attempt, lastSeq: $0.seq)] } ?? []
        }
        return [.send(envelope(.hello, Body.Hello(worker: identity.name, bootID: identity.bootID, host: identity.host, cores: identity.cores,
                                                  threads: identity.threads, version: identity.version, protoMin: 1, protoMax: 1, running: running)))]
    }

    // MARK: From the coordinator

    /// What a message from the coordinator makes the worker do. Bodies it cannot read are
    /// dropped: answering the coordinator's messages with errors would loop.
    public func receive(_ message: Envelope, now: Double) -> [Effect] {
        lastHeard = now
        switch message.header.type {
        case .welcome:
            guard let welcome = try? message.decode(Body.Welcome.self) else { return [] }
            session = welcome.session
            heartbeat = Double(welcome.heartbeatMS) / 1000
            liveness = welcome.liveness
            leaseGrace = Double(welcome.leaseGraceMS) / 1000
            helloBackoff = 1
            // Trials it runs elsewhere now are dropped; what was not acknowledged is sent again.
            let stops = welcome.stop.flatMap { drop(trial: $0.trial, attempt: $0.attempt) }
            return stops + outbox.entries.map { .send($0.envelope) }
        case .assign:
            guard let assign = try? message.decode(Body.Assign.self) else { return [] }
            return start(assign)
        case .ack:
            if let ack = try? message.decode(Body.Ack.self) { outbox.acknowledge(trial: ack.trial, attempt: ack.attempt, seq: ack.seq) }
            return []
        case .decision:
            guard let decision = try? message.decode(Body.Decision.self), !decision.continue else { return [] }
            return stop(trial: decision.trial, attempt: decision.attempt)
        case .stop:
            guard let order = try? message.decode(Body.Stop.self) else { return [] }
            return stop(trial: order.trial, attempt: order.attempt)
        case .error:
            guard let error = try? message.decode(ProtocolError.Body.self) else { return [] }
            switch error.code {
            case .unknownPeer:
                // Every message queued while the coordinator was away gets this answer: one
                // HELLO a second is enough.
                return lastHello.map { now - $0 < 1 } ?? false ? [] : hello(now: now)
            case .staleAttempt:
                // A report of an attempt re-queued elsewhere: that trial is no longer ours.
                guard let entry = outbox.entries.first(where: { $0.envelope.header.id == message.header.re }) else { return [] }
                return drop(trial: entry.trial, attempt: entry.attempt)
            default:
                return []
            }
        default:
            return []
        }
    }

    private func start(_ assign: Body.Assign) -> [Effect] {
        if leaving { return [.send(envelope(.reject, Body.Reject(trial: assign.trial, attempt: assign.attempt, reason: "leaving")))] }
        if let t = trial {
            // The coordinator repeats an assignment it is not sure arrived: it did.
            if t.id == assign.trial && t.attempt == assign.attempt { return [] }
            return [.send(envelope(.reject, Body.Reject(trial: assign.trial, attempt: assign.attempt, reason: "busy with trial \(t.id)")))]
        }
        trial = (assign.trial, assign.attempt, 0)
        abandoned = false
        return [.send(envelope(.accept, Body.Accept(trial: assign.trial, attempt: assign.attempt))), .start(assign)]
    }

    private func stop(trial id: Int, attempt: Int) -> [Effect] {
        guard let t = trial, t.id == id, t.attempt == attempt else { return [] }
        return [.stop(trial: id, attempt: attempt)]
    }

    /// Stops a trial the coordinator no longer counts on this worker for, and forgets its reports.
    private func drop(trial id: Int, attempt: Int) -> [Effect] {
        outbox.discard(trial: id, attempt: attempt)
        guard let t = trial, t.id == id, t.attempt == attempt else { return [] }
        abandoned = true
        return [.stop(trial: id, attempt: attempt)]
    }

    // MARK: From the running trial

    /// An epoch's report: METRIC, kept until acknowledged.
    public func report(epoch: Int, metrics: [String: Double], now: Double) -> [Effect] {
        guard var t = trial, !abandoned else { return [] }
        t.seq += 1
        trial = t
        return keep(envelope(.metric, Body.Metric(trial: t.id, attempt: t.attempt, seq: t.seq, epoch: epoch, metrics: metrics)), t, now: now)
    }

    /// A line of the trial's output: it goes out with the next tick's LOG (or at once, when a
    /// batch is full). Output is for people: not kept until acknowledged.
    public func output(_ stream: StandardStream, _ text: String) -> [Effect] {
        guard trial != nil, !abandoned else { return [] }
        let line = text.count > Self.lineLimit ? String(text.prefix(Self.lineLimit)) + " …" : text
        output.append(Body.Line(stream, line))
        outputBytes += line.utf8.count + 24
        return outputBytes >= Self.batchBytes ? flush() : []
    }

    /// LOG with the output waiting, if any.
    private func flush() -> [Effect] {
        guard let t = trial, !output.isEmpty else { return [] }
        defer { output = []; outputBytes = 0 }
        return [.send(envelope(.log, Body.Log(trial: t.id, attempt: t.attempt, lines: output)))]
    }

    /// The trial ended: DONE, unless the worker is leaving or the trial is no longer its own
    /// (neither is a result: the coordinator runs it again). The worker is free after this.
    public func finish(_ status: RunStatus, metrics: [String: Double], error: String?, cause: FailureCause? = nil, now: Double) -> [Effect] {
        guard var t = trial else { return [] }
        // The last output goes before DONE, so a failure's traceback is there when the trial ends.
        let last = abandoned || leaving ? [] : flush()
        output = []
        outputBytes = 0
        trial = nil
        guard !leaving, !abandoned else { return [] }
        t.seq += 1
        return last + keep(envelope(.done, Body.Done(trial: t.id, attempt: t.attempt, seq: t.seq, status: status, metrics: metrics, error: error, cause: cause)), t, now: now)
    }

    private func keep(_ message: Envelope, _ t: (id: Int, attempt: Int, seq: Int), now: Double) -> [Effect] {
        outbox.add(Outbox.Entry(trial: t.id, attempt: t.attempt, seq: t.seq, envelope: message, sentAt: now))
        return [.send(message)]
    }

    // MARK: Time and leaving

    /// Every half second or so: HELLO again to a silent coordinator (backing off to 32 s), give
    /// up the trial once the lease is surely lost, resend reports unacknowledged for two
    /// heartbeats, and beat.
    public func tick(now: Double) -> [Effect] {
        var effects: [Effect] = []
        if let heard = lastHeard {
            let silent = now - heard
            if let t = trial, silent > leaseGrace, !abandoned {
                effects += drop(trial: t.id, attempt: t.attempt)
            }
            if silent > heartbeat * Double(liveness), now - (lastHello ?? heard) >= helloBackoff {
                helloBackoff = min(helloBackoff * 2, 32)
                effects += hello(now: now)
            }
        } else if now - (lastHello ?? now) >= helloBackoff {
            helloBackoff = min(helloBackoff * 2, 32)
            effects += hello(now: now)
        }
        effects += flush()
        effects += outbox.overdue(before: now - heartbeat * 2, now: now).map { .send($0) }
        if lastBeat.map({ now - $0 >= heartbeat }) ?? true {
            lastBeat = now
            effects.append(.send(envelope(.heartbeat, Body.Empty())))
        }
        return effects
    }

    /// Leaving: the running trial is stopped first, and gets no DONE (it is given back).
    public func leave() -> [Effect] {
        leaving = true
        return trial.map { [.stop(trial: $0.id, attempt: $0.attempt)] } ?? []
    }

    /// BYE, once the trial has stopped: the coordinator re-queues it at once.
    public func farewell() -> [Effect] {
        [.send(envelope(.bye, Body.Bye(reason: "shutdown")))]
    }
}
