import Foundation
import Config
import Search
import Store
import Protocol
import Wire

/// Client messages (Protocols/SWEEP-1.md §4.2).
extension Coordinator {
    /// The replies to make beside the loop (`detachReads`), taken once each.
    public func takeDetached() -> [Detached] {
        defer { detached = [] }
        return detached
    }

    /// Answers one message from a client.
    public func handle(client peer: Data, frames: [Data], now: Double) -> [Outgoing] {
        let envelope: Envelope
        do { envelope = try Envelope(frames: frames) } catch { return [self.error(peer, error, to: .client)] }
        let re = envelope.header.id
        followers[peer]?.lastSeen = now
        do {
            return try handle(client: peer, envelope, re: re, now: now)
        } catch let error as ProtocolError {
            return [self.error(peer, error, to: .client)]
        } catch {
            return [self.error(peer, ProtocolError(.internal, "\(error)", re: re), to: .client)]
        }
    }

    private func handle(client peer: Data, _ envelope: Envelope, re: String, now: Double) throws -> [Outgoing] {
        let detach = detachReads
        func reply<B: MessageBody>(_ type: MessageType, _ body: B) -> Outgoing { send(peer, type, re: re, body, to: .client) }
        func study(_ id: String) throws -> Study { try self.study(id, re: re) }
        switch envelope.header.type {
        case .submit:
            let config = try envelope.decode(Body.Submit.self).spec
            let spec: StudySpec
            do { spec = try StudySpec(config: config, trials: trials) } catch let error as SpecError {
                throw ProtocolError(.invalidSpec, "the spec has \(error.problems.count) problem(s)",
                                    problems: error.problems.map { .init(path: $0.path, message: $0.message) }, re: re)
            }
            let submit = try envelope.decode(Body.Submit.self)
            // The spec may name its warm start itself (`warm_start: s-000001`, as `sweep advise --next` writes).
            let asked = submit.warmStart ?? spec.warmStart.map { Body.WarmStart(study: $0) }
            let warm = try asked.map { try warmTrials($0, space: spec.space, objectives: spec.objectives.map(\.metric), constraints: spec.constraints, re: re) }
            let id = try self.submit(spec, config: config, warm: warm?.trials ?? [], source: asked?.source ?? asked?.study ?? "")
            return [reply(.submitted, Body.Submitted(study: id, warm: warm.map { Body.Warm(taken: $0.trials.count, skipped: $0.skipped) }))] + (try schedule(now: now))
        case .status:
            let wanted = try envelope.decode(Body.StudyRef.self).study
            if let wanted { _ = try study(wanted) }
            let list = studies.keys.sorted().filter { wanted == nil || $0 == wanted }.map { status(studies[$0]!, now: now) }
            return [reply(.statusReply, Body.StatusReply(studies: list))]
        case .cancel:
            let id = try required(envelope.decode(Body.StudyRef.self).study, re: re)
            let target = try study(id)
            guard target.state.isActive else {
                throw ProtocolError(.badRequest, "study \(id) is \(target.state.rawValue); only a running study can be cancelled", re: re)
            }
            return try cancel(id) + [reply(.ok, Body.Empty())]
        case .follow:
            let follow = try envelope.decode(Body.Follow.self)
            let target = try study(follow.study)
            let top = max(1, min(follow.top ?? 20, 1000))
            let rows = leaderboard(target, top: top, now: now)
            followers[peer] = Follower(study: follow.study, feed: .leaderboard(top: top, sent: rows), seq: 0, revision: target.revision, lastSeen: now)
            return [reply(.snapshot, Body.Rows(study: follow.study, seq: 0, count: rows.count, rows: rows, status: status(target, now: now)))]
        case .watch:
            let target = try study(try required(envelope.decode(Body.StudyRef.self).study, re: re))
            // The rows are taken now, their JSON written beside the loop; pushes wait until it is sent.
            let rows = target.trials.indices.map { row(target, $0) }
            let body = Body.Trials(study: target.id, seq: 0, full: true, trials: rows, status: status(target, now: now), spec: try store.study(target.id)?.spec)
            let sent = detach ? Latch() : nil
            followers[peer] = Follower(study: target.id, feed: .trials, seq: 0, revision: target.revision, lastSeen: now, sent: sent)
            guard detach else { return [reply(.trials, body)] }
            let replyID = nextID()
            detached.append(Detached(make: { Outgoing(peer: peer, envelope: Envelope(.trials, id: replyID, re: re, body: body), audience: .client) }, sent: sent))
            return []
        case .unfollow:
            followers[peer] = nil
            return [reply(.ok, Body.Empty())]
        case .export:
            let request = try envelope.decode(Body.Export.self)
            let target = try study(try required(request.study, re: re))
            let (id, name, metric, direction, test) = (target.id, target.name, target.spec.metric, target.spec.direction, target.test)
            let spec = try store.study(id)?.spec, numbers = request.trials, store = store, replyID = nextID()
            // Several objectives: each finished trial's place on the Pareto front, from memory
            // (the store keeps the values the front is computed from, not the front).
            let standings = target.spec.objectives.count > 1 ? target.standings() : [:]
            // What this batch wrote is not committed yet: a detached read sees the store as of the last batch.
            let read: @Sendable () -> Outgoing = {
                do {
                    var trials = detach ? try store.exportCommitted(study: id, numbers: numbers) : try store.export(study: id, numbers: numbers)
                    if !standings.isEmpty {
                        trials = trials.map { t in
                            guard case let .number(n)? = t[path: "trial"], let place = standings[Int(n)] else { return t }
                            return t.setting("front", to: .number(Double(place.front))).setting("dominated", to: .number(Double(place.dominated)))
                        }
                    }
                    let body = Body.Exported(study: id, name: name, metric: metric, direction: direction, test: test, trials: trials, spec: spec)
                    return Outgoing(peer: peer, envelope: Envelope(.exported, id: replyID, re: re, body: body), audience: .client)
                } catch {
                    return Outgoing(peer: peer, envelope: ProtocolError(.internal, "export failed: \(error)", re: re).reply(id: replyID), audience: .client)
                }
            }
            guard detach else { return [read()] }
            detached.append(Detached(make: read, sent: nil))
            return []
        case .workers:
            let rows = workers.values.sorted { $0.name < $1.name }.map { w in
                let place = w.trial.flatMap { index[$0.id] }
                return Body.WorkerRow(worker: w.name, host: w.host, cores: w.cores, threads: w.threads,
                                      state: w.state,
                                      trial: w.trial?.id, study: place?.study, number: place?.number,
                                      lastSeenMS: Int(((now - w.lastSeen) * 1000).rounded()), reason: w.quarantine?.reason)
            }
            return [reply(.workersReply, Body.WorkersReply(workers: rows))]
        case .logs:
            let request = try envelope.decode(Body.Logs.self)
            let target = try study(request.study)
            guard target.ids[request.trial] != nil else {
                throw ProtocolError(.badRequest, "study \(target.id) has no trial \(request.trial) (it has \(target.trials.count); -1 is the final trial)", re: re)
            }
            let (lines, next) = try store.output(study: target.id, number: request.trial, after: request.after ?? 0)
            return [reply(.logsReply, Body.LogsReply(study: target.id, trial: request.trial,
                                                     lines: lines.map { Body.Line(StandardStream(rawValue: $0.stream) ?? .stderr, $0.text) },
                                                     next: next, running: target.state(of: request.trial) == .running))]
        case .heartbeat:
            renewLeases(of: peer, now: now)
            return []
        case .ask:
            return [try ask(peer, envelope.decode(Body.Ask.self), re: re, now: now)]
        case .report:
            return try report(peer, envelope.decode(Body.Metric.self), re: re, now: now)
        case .tell:
            return try tell(peer, envelope.decode(Body.Tell.self), re: re, now: now)
        default:
            return try steer(peer, envelope, re: re, now: now)
        }
    }

    /// The study a request names, or the error that says it does not exist.
    func study(_ id: String, re: String) throws -> Study {
        guard let study = studies[id] else { throw ProtocolError(.unknownStudy, "no study \(id) (sweep status lists them)", re: re) }
        return study
    }

    /// CANCEL and EXPORT name the study (STATUS may leave it out).
    private func required(_ study: String?, re: String) throws -> String {
        guard let study else { throw ProtocolError(.badRequest, "the body must name the study (\"study\": \"s-000001\")", re: re) }
        return study
    }
}
