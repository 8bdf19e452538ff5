import Foundation
import Config
import Protocol
import Search
import TrialSpecs

/// One study as the dashboard holds it: every trial, kept current by the coordinator's pushes
/// (WATCH), and the pages that listen. A push reaches each page as the changed rows only.
actor Mirror {
    let study: String
    private let link: Link
    private(set) var rows: [Body.TrialRow] = []
    private(set) var status: Body.StudyStatus?
    private(set) var spec: Config = .object([:])
    private(set) var parsed: StudySpec?
    private(set) var axes: [Axis] = []
    /// Where the page's times count from: fixed at the first full reply, so pushes and later
    /// full replies speak the same codes.
    private(set) var base: Double?
    /// The page's sequence: one more with every push; a page that sees a gap reloads.
    private(set) var seq = 0
    private var listeners: [UUID: AsyncStream<String>.Continuation] = [:]
    private var ready: [CheckedContinuation<Void, Error>] = []
    private var failure: Error?
    private var loop: Task<Void, Never>?

    init(study: String, link: Link) {
        self.study = study
        self.link = link
    }

    /// Starts watching (once); returns when the first full TRIALS has arrived.
    func start() async throws {
        if status != nil { return }
        if let failure { self.failure = nil; loop = nil; throw failure }
        if loop == nil { loop = Task { await self.watch() } }
        try await withCheckedThrowingContinuation { ready.append($0) }
    }

    private func watch() async {
        var delay: Duration = .milliseconds(200)
        while !Task.isCancelled {
            do {
                var last: Int?
                for try await trials in try await link.watch(study) {
                    if trials.full {
                        take(trials)
                    } else if let previous = last, trials.seq == previous + 1 {
                        apply(trials)
                    } else {
                        break // a lost push: watch again from a full reply
                    }
                    last = trials.seq
                    delay = .milliseconds(200)
                }
            } catch {
                // Nothing to show yet: the page gets the error (an unknown study, no coordinator).
                if status == nil {
                    failure = error
                    for r in ready { r.resume(throwing: error) }
                    ready = []
                    return
                }
            }
            // Ended studies stop pushing; a lost connection is tried again, less often each time.
            if let status, !status.state.isActive { return }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
    }

    private func take(_ trials: Body.Trials) {
        rows = trials.trials.sorted { $0.trial < $1.trial }
        status = trials.status
        if let config = trials.spec {
            spec = config
            parsed = try? StudySpec(config: config, trials: TrialSpec.rules.keysOnly)
            axes = parsed.map { Axis.of($0.space) } ?? []
        }
        if base == nil { base = Payload.base(rows, fallback: Date().timeIntervalSince1970) }
        seq += 1
        broadcast(event: "reset", data: "{\"seq\":\(seq)}")
        for r in ready { r.resume() }
        ready = []
    }

    /// A push: each of its trials replaces the mirror's row.
    func apply(_ trials: Body.Trials) {
        for row in trials.trials {
            if row.trial < rows.count, rows[row.trial].trial == row.trial {
                rows[row.trial] = row
            } else {
                rows.append(row)
                rows.sort { $0.trial < $1.trial }
            }
        }
        status = trials.status
        seq += 1
        broadcast(event: "trials", data: Payload.push(seq: seq, status: trials.status, rows: trials.trials, axes: axes, base: base ?? 0))
    }

    private func broadcast(event: String, data: String) {
        let frame = "event: \(event)\ndata: \(data)\n\n"
        for listener in listeners.values { listener.yield(frame) }
    }

    /// The whole study as the page reads it; written once per push (100,000 trials take a
    /// third of a second), however many pages open meanwhile.
    func payload() -> String {
        if let written, written.seq == seq { return written.text }
        let text = Payload.study(status: status!, spec: spec, objectives: parsed?.objectives ?? [Objective(status!.metric ?? "objective", .minimize)], axes: axes, base: base ?? 0, seq: seq, rows: rows)
        written = (seq, text)
        return text
    }
    private var written: (seq: Int, text: String)?

    /// Server-sent events from now on; a comment every 15 s keeps proxies from closing the stream.
    func listen() -> AsyncStream<String> {
        let id = UUID()
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(1000))
        listeners[id] = continuation
        continuation.yield("retry: 2000\n: seq \(seq)\n\n")
        continuation.onTermination = { _ in Task { await self.forget(id) } }
        return stream
    }

    private func forget(_ id: UUID) { listeners[id] = nil }

    func keepAlive() {
        for listener in listeners.values { listener.yield(": alive\n\n") }
    }
}
