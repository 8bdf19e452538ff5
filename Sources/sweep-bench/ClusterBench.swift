import Foundation
import Config
import Search
import Protocol
import Store
import Wire

/// Coordinator throughput: the real `coordinator` binary (release, its own process) driven over
/// loopback TCP by N no-op workers that speak SWEEP/1 from one thread of this process; and the
/// cost of a pushed leaderboard update with 100,000 trials stored. Optuna 5.0 with
/// JournalStorage runs beside it when the anchor Python has optuna.
enum ClusterBench {
    static let duration = 5.0

    /// Across network namespaces, CURVE on (run by deploy/netns/bench.sh, which sets the coordinator's host).
    static func hosts() async throws {
        guard let host = ProcessInfo.processInfo.environment["SWEEP_BENCH_COORDINATOR_HOST"] else {
            print("hosts: run deploy/netns/bench.sh (as root): it puts the coordinator on another network namespace")
            return
        }
        print("Cluster across hosts (coordinator at \(host) in another network namespace, CURVE on, \(Int(duration)) s per run)")
        var report = Report(suite: "hosts")
        for n in [1, 8, 64] {
            let result = try measure(workers: n, epochs: 1, curve: true)
            report.add("trials/s, \(n) workers, CURVE, across hosts", result.trialsPerSecond, "trials/s")
            report.add("  report→decision p50, \(n) workers", result.p50, "ms", note: String(format: "p99 %.2f ms", result.p99))
        }
        let long = try measure(workers: 8, epochs: 100_000, curve: true)
        report.add("metric reports/s, 8 workers, CURVE, across hosts", long.reportsPerSecond, "reports/s")
        try report.write()
    }

    static func run() async throws {
        print("Cluster (coordinator binary, no-op workers on tcp://127.0.0.1, \(Int(duration)) s per run)")
        var report = Report(suite: "cluster")
        for n in [1, 8, 64] {
            let short = try measure(workers: n, epochs: 1, curve: false)
            let optuna = optunaTrialsPerSecond(processes: n)
            report.add("trials/s, \(n) workers (1 report each)", short.trialsPerSecond, "trials/s",
                       note: optuna.map { String(format: "Optuna journal %.0f/s: %.1f×", $0, short.trialsPerSecond / $0) } ?? "no Optuna anchor")
            report.add("  report→decision p50, \(n) workers", short.p50, "ms")
            report.add("  report→decision p99, \(n) workers", short.p99, "ms")
            report.add("  coordinator CPU per trial, \(n) workers", short.cpuSeconds / Double(short.trials) * 1e6, "µs")
        }
        let curve = try measure(workers: 8, epochs: 1, curve: true)
        report.add("trials/s, 8 workers, CURVE on", curve.trialsPerSecond, "trials/s")
        report.add("  report→decision p50 / p99, CURVE on", curve.p50, "ms", note: String(format: "p99 %.2f ms", curve.p99))
        let long = try measure(workers: 8, epochs: 100_000, curve: false)
        report.add("metric reports/s, 8 workers", long.reportsPerSecond, "reports/s")
        report.add("  per coordinator CPU-second", Double(long.reports) / long.cpuSeconds, "reports/s",
                   note: String(format: "coordinator used %.2f cores", long.cpuSeconds / long.wall))
        report.add("  report→decision p50", long.p50, "ms")
        report.add("  report→decision p99", long.p99, "ms")
        let follow = try followLatency(trials: 100_000)
        report.add("startup with 100,000 trials stored", follow.startup, "s")
        report.add("follow update p50, 100,000 trials", follow.p50, "ms")
        report.add("follow update p99, 100,000 trials", follow.p99, "ms")
        try report.write()
    }

    struct Throughput {
        var trials = 0, reports = 0
        var wall = 0.0, cpuSeconds = 0.0
        var latencies: [Double] = []
        var trialsPerSecond: Double { Double(trials) / wall }
        var reportsPerSecond: Double { Double(reports) / wall }
        var p50: Double { quantile(latencies.sorted(), 0.5) }
        var p99: Double { quantile(latencies.sorted(), 0.99) }
    }

    /// A coordinator process on a fresh store, with one study of no-op command trials.
    final class Running {
        let process = Process()
        let directory: String
        let workers: Endpoint
        let clients: Endpoint
        /// The coordinator's key pair and the one key it admits (workers and clients), when CURVE is on.
        let server: CurveKeyPair?, peer: CurveKeyPair?

        init(store: String? = nil, port: UInt16, curve: Bool = false) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-bench-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            // On another host (deploy/netns/bench.sh): the coordinator in that namespace, at its address.
            let remote = ProcessInfo.processInfo.environment["SWEEP_BENCH_COORDINATOR_NETNS"]
            let host = ProcessInfo.processInfo.environment["SWEEP_BENCH_COORDINATOR_HOST"] ?? "127.0.0.1"
            workers = .tcp(host: host, port: port)
            clients = .tcp(host: host, port: port + 1)
            let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("coordinator").path
            guard FileManager.default.isExecutableFile(atPath: binary) else { throw StoreError("build the coordinator first: \(binary) is missing") }
            process.executableURL = URL(fileURLWithPath: remote == nil ? binary : "/usr/sbin/ip")
            process.arguments = (remote.map { ["netns", "exec", $0, binary] } ?? [])
                + ["--workers", "\(workers)", "--clients", "\(clients)", "--store", store ?? directory + "/sweep.sqlite", "--log-level", "error"]
            if curve {
                let server = try CurveKeyPair.generate(), peer = try CurveKeyPair.generate()
                try Certificate(server).write(directory: directory, name: "coordinator")
                try Certificate(peer).write(directory: directory, name: "peer")
                process.arguments! += ["--key", directory + "/coordinator.key_secret", "--workers-allow", directory + "/peer.key",
                                       "--clients-allow", directory + "/peer.key"]
                (self.server, self.peer) = (server, peer)
            } else {
                process.arguments! += ["--insecure"]
                (self.server, self.peer) = (nil, nil)
            }
            try process.run()
        }

        /// The coordinator's CPU seconds so far (user + system, from /proc).
        var cpuSeconds: Double {
            guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return 0 }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return ((Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)) / Double(sysconf(Int32(_SC_CLK_TCK)))
        }

        /// A DEALER to `endpoint`, a CURVE client when CURVE is on.
        func dealer(_ context: Context, _ endpoint: Endpoint) throws -> Socket {
            let socket = try Socket(.dealer, context: context)
            try socket.set(.linger, .zero)
            if let server, let peer { try socket.makeCurveClient(keyPair: peer, serverKey: server.publicKey) }
            try socket.connect(endpoint)
            return socket
        }

        func stop() {
            process.terminate()
            process.waitUntilExit()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    static func envelope<B: MessageBody>(_ type: MessageType, _ body: B) -> Message {
        Message(Envelope(type, id: UUID().uuidString, body: body).frames())
    }

    /// Sends a request on a fresh DEALER and waits for the reply (retrying while the coordinator starts).
    static func request<B: MessageBody>(_ coordinator: Running, _ context: Context, _ endpoint: Endpoint, _ type: MessageType, _ body: B) throws -> Envelope {
        let socket = try coordinator.dealer(context, endpoint)
        defer { socket.close() }
        _ = try socket.send(envelope(type, body))
        let poller = Poller()
        _ = poller.add(socket)
        guard try poller.poll(timeout: .seconds(60)) > 0, let reply = try socket.receive(), let answer = try? Envelope(frames: reply.frames) else {
            throw StoreError("no reply to \(type.rawValue) from \(endpoint)")
        }
        return answer
    }

    static func noopStudy(trials: Int, concurrent: Int) -> Config {
        // A spec as users write it; parsing keeps the bench honest about what the coordinator reads.
        try! Config.parse(yaml: """
            study: noop
            objective: {metric: loss}
            command: ["true"]
            space: {x: {low: 0, high: 1}}
            strategy: {name: random}
            budget: {max_trials: \(trials), max_concurrent: \(concurrent)}
            """, source: "bench")
    }

    /// N no-op workers: each trial reports `epochs` times (waiting for each DECISION), then DONE.
    static func measure(workers n: Int, epochs: Int, curve: Bool) throws -> Throughput {
        let coordinator = try Running(port: 25_555, curve: curve)
        defer { coordinator.stop() }
        let context = try Context()
        _ = try request(coordinator, context, coordinator.clients, .submit, Body.Submit(spec: noopStudy(trials: 10_000_000, concurrent: n)))
        var sockets: [Socket] = []
        let poller = Poller()
        for i in 0..<n {
            let socket = try Socket(.dealer, context: context)
            try socket.set(.routingID, Data("noop-\(i)".utf8))
            try socket.set(.linger, .zero)
            if let server = coordinator.server, let peer = coordinator.peer { try socket.makeCurveClient(keyPair: peer, serverKey: server.publicKey) }
            try socket.connect(coordinator.workers)
            _ = try socket.send(envelope(.hello, Body.Hello(worker: "noop-\(i)", bootID: "b\(i)", host: "bench", cores: 2, threads: 1, version: "bench",
                                                             protoMin: 1, protoMax: 1, running: [])))
            sockets.append(socket)
            _ = poller.add(socket)
        }
        defer { for socket in sockets { socket.close() } }
        struct Slot { var trial = 0, attempt = 0, epoch = 0, sentAt = ContinuousClock.now }
        var slots = [Slot](repeating: Slot(), count: n)
        var result = Throughput()
        let clock = ContinuousClock()
        var start: ContinuousClock.Instant?, cpuStart = 0.0
        var lastBeat = clock.now
        func report(_ i: Int) throws {
            slots[i].epoch += 1
            slots[i].sentAt = clock.now
            let s = slots[i]
            _ = try sockets[i].send(envelope(.metric, Body.Metric(trial: s.trial, attempt: s.attempt, seq: s.epoch, epoch: s.epoch,
                                                                    metrics: ["loss": 1.0 / Double(s.epoch + i)])))
        }
        while start.map({ clock.now - $0 < .seconds(duration) }) ?? true {
            guard try poller.poll(timeout: .seconds(10)) > 0 else { throw StoreError("the coordinator went quiet") }
            if clock.now - lastBeat > .seconds(1) {
                for socket in sockets { _ = try socket.send(envelope(.heartbeat, Body.Empty())) }
                lastBeat = clock.now
            }
            for i in 0..<n where poller.events(at: i).contains(.readable) {
                while let message = try sockets[i].receive(wait: false) {
                    guard let received = try? Envelope(frames: message.frames) else { continue }
                    switch received.header.type {
                    case .assign:
                        let assign = try received.decode(Body.Assign.self)
                        if start == nil { start = clock.now; cpuStart = coordinator.cpuSeconds }
                        slots[i] = Slot(trial: assign.trial, attempt: assign.attempt)
                        try report(i)
                    case .decision:
                        let decision = try received.decode(Body.Decision.self)
                        result.latencies.append((clock.now - slots[i].sentAt).seconds * 1e3)
                        result.reports += 1
                        if decision.continue && slots[i].epoch < epochs {
                            try report(i)
                        } else {
                            let s = slots[i]
                            _ = try sockets[i].send(envelope(.done, Body.Done(trial: s.trial, attempt: s.attempt, seq: s.epoch + 1, status: .completed)))
                            result.trials += 1
                        }
                    default:
                        break
                    }
                }
            }
        }
        result.wall = (clock.now - start!).seconds
        result.cpuSeconds = coordinator.cpuSeconds - cpuStart
        return result
    }

    /// Median trials/s of Optuna's journal storage with `processes` workers (its anchor script).
    static func optunaTrialsPerSecond(processes: Int) -> Double? {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("optuna-dist-\(processes).json").path
        // "SUMMARY journal N=8: median 371.2 trials/s (…)"
        return Anchor.summary("optuna/optuna_dist.py", ["journal", String(processes), String(Int(duration)), "1", out])
            .flatMap { Anchor.number(after: "median", in: $0) }
    }

    /// A study with `trials` finished trials in the store: how long the coordinator takes to
    /// load it, and how long from a worker's report that changes the top of the leaderboard to
    /// the follower's UPDATE.
    static func followLatency(trials: Int) throws -> (startup: Double, p50: Double, p99: Double) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-bench-store-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/sweep.sqlite"
        do {
            let store = try Store(path: path)
            var generator = SplitMix64(seed: 1)
            try store.batch {
                let study = try store.createStudy(name: "noop", spec: noopStudy(trials: trials + 1000, concurrent: 1), seed: 0)
                for number in 0..<trials {
                    let loss = 0.5 + Double(generator.next() >> 11) / Double(1 << 53)
                    try store.addTrial(study: study, number: number, configuration: Search.Configuration(["x": .number(loss - 0.5)]))
                    let attempt = try store.assign(study: study, number: number, worker: "seed")
                    _ = try store.record(study: study, number: number, attempt: attempt, seq: 1, epoch: 1, metrics: ["loss": loss])
                    try store.finish(study: study, number: number, attempt: attempt, state: .completed, value: loss, reason: nil)
                }
            }
        }
        let clock = ContinuousClock()
        let begin = clock.now
        let coordinator = try Running(store: path, port: 25_655)
        defer { coordinator.stop() }
        let context = try Context()
        _ = try request(coordinator, context, coordinator.clients, .status, Body.Empty())
        let startup = (clock.now - begin).seconds
        let follower = try Socket(.dealer, context: context), worker = try Socket(.dealer, context: context)
        defer { follower.close(); worker.close() }
        for socket in [follower, worker] { try socket.set(.linger, .zero) }
        try follower.connect(coordinator.clients)
        try worker.set(.routingID, Data("noop".utf8))
        try worker.connect(coordinator.workers)
        _ = try follower.send(envelope(.follow, Body.Follow(study: "s-000001", top: 10)))
        _ = try worker.send(envelope(.hello, Body.Hello(worker: "noop", bootID: "b", host: "bench", cores: 2, threads: 1, version: "bench",
                                                       protoMin: 1, protoMax: 1, running: [])))
        func next(_ socket: Socket, _ type: MessageType) throws -> Envelope {
            let poller = Poller()
            _ = poller.add(socket)
            while try poller.poll(timeout: .seconds(30)) > 0 {
                while let message = try socket.receive(wait: false) {
                    if let envelope = try? Envelope(frames: message.frames), envelope.header.type == type { return envelope }
                }
            }
            throw StoreError("no \(type.rawValue) within 30 s")
        }
        _ = try next(follower, .snapshot)
        let assign = try next(worker, .assign).decode(Body.Assign.self)
        var latencies: [Double] = []
        for epoch in 1...300 {
            let sent = clock.now
            _ = try worker.send(envelope(.metric, Body.Metric(trial: assign.trial, attempt: assign.attempt, seq: epoch, epoch: epoch,
                                                             metrics: ["loss": 0.5 - Double(epoch) * 1e-3])))
            _ = try next(follower, .update)
            latencies.append((clock.now - sent).seconds * 1e3)
            _ = try next(worker, .decision)
        }
        latencies.sort()
        return (startup, quantile(latencies, 0.5), quantile(latencies, 0.99))
    }
}
