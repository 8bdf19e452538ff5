import Foundation
import Synchronization
import Config
import Data
import NN
import Tensor
import Wire

/// A worker: connects to the coordinator, says HELLO, runs one assigned trial at a time (built-in
/// or command) on a thread of its own, streams a METRIC per epoch and a DONE at the end, and
/// stops a trial when the coordinator says so. Heartbeats while idle or training.
public final class WorkerService: @unchecked Sendable {
    let bridge: Bridge
    let endpoint: Endpoint
    public let name: String
    let threads: Int
    let log: @Sendable (String) -> Void
    /// Messages from the training thread, sent in order by one task.
    private let outbox: AsyncStream<Envelope>
    private let post: AsyncStream<Envelope>.Continuation
    private let stopTrial = Atomic<Bool>(false)
    private let busy = Atomic<Bool>(false)
    private let counter = Atomic<Int>(0)

    public init(context: Context, endpoint: Endpoint, name: String, threads: Int, log: @escaping @Sendable (String) -> Void) {
        bridge = Bridge(context: context, name: "worker-io")
        self.endpoint = endpoint
        self.name = name
        self.threads = threads
        self.log = log
        (outbox, post) = AsyncStream.makeStream(of: Envelope.self)
    }

    func id() -> String { "\(name)-\(counter.wrappingAdd(1, ordering: .relaxed).newValue)" }

    func envelope<B: Encodable>(_ type: MessageType, _ body: B) -> Envelope {
        (try? Envelope(type, id: id(), body: body)) ?? Envelope(header: Header(type: type, id: id()), body: Data("{}".utf8))
    }

    /// Runs until `shutdown()`.
    public func run() async throws {
        let routingID = "\(name)/\(UUID().uuidString.prefix(8))"
        let socket = try await bridge.open(.dealer) { [endpoint] socket in
            try socket.set(.routingID, Data(routingID.utf8))
            try socket.set(.reconnectInterval, .milliseconds(500))
            try socket.set(.reconnectIntervalMax, .seconds(30))
            try socket.connect(endpoint)
        }
        BLAS.threads = threads
        let sender = Swift.Task { [bridge, outbox] in
            for await message in outbox {
                // A full queue (coordinator away) is retried: reports are not dropped. A stopped
                // bridge ends the worker.
                while true {
                    do { try await bridge.send(Message(message.frames()), on: socket); break } catch let error as WireError {
                        if error.isTerminated { return }
                        try? await Swift.Task.sleep(for: .milliseconds(200))
                    } catch { return }
                }
            }
        }
        let heartbeat = Swift.Task { [post] in
            while !Swift.Task.isCancelled {
                try? await Swift.Task.sleep(for: .seconds(2))
                post.yield(self.envelope(.heartbeat, Body.Empty()))
            }
        }
        post.yield(envelope(.hello, Body.Hello(worker: name, boot_id: routingID, host: ProcessInfo.processInfo.hostName,
                                               cores: ProcessInfo.processInfo.activeProcessorCount, threads: threads,
                                               version: "0.1.0", proto_min: 1, proto_max: 1, running: [])))
        log("worker \(name) connecting to \(endpoint)")
        for await event in bridge.events {
            guard case let .message(_, message) = event, let received = try? Envelope(frames: message.frames) else { continue }
            switch received.header.type {
            case .welcome:
                log("connected to the coordinator")
            case .assign:
                guard let assign = try? received.decode(Body.Assign.self) else { continue }
                start(assign)
            case .decision:
                if let decision = try? received.decode(Body.Decision.self), !decision.continue {
                    log("trial \(decision.trial): stop (\(decision.reason.map { "\($0.rule): \($0.detail)" } ?? "no reason"))")
                    stopTrial.store(true, ordering: .releasing)
                }
            case .stop:
                stopTrial.store(true, ordering: .releasing)
            case .error:
                if let error = try? received.decode(ProtocolError.Body.self) {
                    log("coordinator error \(error.code.rawValue): \(error.message)")
                    if error.code == .unknownPeer {
                        post.yield(envelope(.hello, Body.Hello(worker: name, boot_id: routingID, host: ProcessInfo.processInfo.hostName,
                                                               cores: ProcessInfo.processInfo.activeProcessorCount, threads: threads,
                                                               version: "0.1.0", proto_min: 1, proto_max: 1, running: [])))
                    }
                }
            default:
                break
            }
        }
        heartbeat.cancel()
        post.finish()
        _ = await sender.value
    }

    public func shutdown() {
        stopTrial.store(true, ordering: .releasing)
        bridge.stop()
    }

    /// Trains the assigned trial on its own thread.
    private func start(_ assign: Body.Assign) {
        guard !busy.exchange(true, ordering: .acquiringAndReleasing) else {
            post.yield(envelope(.reject, ["trial": assign.trial, "attempt": assign.attempt]))
            return
        }
        stopTrial.store(false, ordering: .releasing)
        post.yield(envelope(.accept, ["trial": assign.trial, "attempt": assign.attempt]))
        log("trial \(assign.trial) attempt \(assign.attempt): \(assign.kind)")
        let thread = Thread { [self] in
            var seq = 0
            var status = "completed", error: String?
            var last: [String: Config] = [:]
            func report(epoch: Int, metrics: [String: Double]) -> Bool {
                seq += 1
                last = metrics.mapValues(Config.init(metric:))
                post.yield(envelope(.metric, Body.Metric(trial: assign.trial, attempt: assign.attempt, seq: seq, epoch: epoch, metrics: last)))
                return !stopTrial.load(ordering: .acquiring)
            }
            do {
                if assign.kind == "command", let template = assign.command {
                    guard case let .object(parameters)? = assign.config else { throw SpecError.at("config", "a command trial needs its parameters") }
                    let command = try CommandTrial(template: template, parameters: parameters, seed: assign.seed)
                    let outcome = try command.run(onReport: { report(epoch: $0.epoch, metrics: $0.metrics) }, onLog: log)
                    switch outcome {
                    case .stopped: status = "stopped"
                    case .exited(0): status = "completed"
                    case .exited(let code): status = "failed"; error = "exit status \(code)"
                    }
                } else {
                    let spec = try TrialSpec(config: assign.config ?? .object([:]))
                    let trainer = try Trainer(spec: spec, splits: spec.data.load(task: spec.task, seed: spec.seed))
                    let (outcome, _) = try trainer.run(shouldStop: { self.stopTrial.load(ordering: .acquiring) }) { r in
                        var metrics: [String: Double] = ["train_loss": Double(r.trainLoss), "validation_loss": Double(r.validationLoss),
                                                         "learning_rate": Double(r.learningRate), "seconds": r.seconds]
                        if let a = r.trainAccuracy { metrics["train_accuracy"] = Double(a) }
                        if let a = r.validationAccuracy { metrics["validation_accuracy"] = Double(a) }
                        return report(epoch: r.epoch, metrics: metrics)
                    }
                    switch outcome {
                    case .diverged: status = "diverged"
                    case .stopped: status = "stopped"
                    default: status = "completed"
                    }
                }
            } catch let e {
                status = "failed"
                error = "\(e)"
            }
            seq += 1
            post.yield(envelope(.done, Body.Done(trial: assign.trial, attempt: assign.attempt, seq: seq, status: status, metrics: last, error: error)))
            log("trial \(assign.trial): \(status)\(error.map { " (\($0))" } ?? "")")
            busy.store(false, ordering: .releasing)
        }
        thread.start()
    }
}
