import Foundation
import Config
import Search
import Store
import Wire

/// Client messages (Protocols/SWEEP-1.md §4.2).
extension Coordinator {
    public struct Row: Codable, Equatable, Sendable {
        public let rank: Int
        public let trial: Int
        public let status: String
        public let objective: Double?
        public let epoch: Int?
        public let params: Config
    }

    struct Submit: Codable { let spec: Config }
    struct StudyRef: Codable { let study: String }
    struct Follow: Codable { let study: String; let top: Int? }
    struct Submitted: Codable, Equatable { let study: String }
    struct Rows: Codable { let study: String; let seq: Int; let rows: [Row] }
    struct StudyStatus: Codable { let study: String; let name: String; let state: String; let trials: Int; let running: Int; let completed: Int; let pruned: Int; let failed: Int }
    struct StatusReply: Codable { let studies: [StudyStatus] }

    /// Answers one message from a client.
    public func handle(client peer: Data, frames: [Data], now: Double) -> [Outgoing] {
        let envelope: Envelope
        do { envelope = try Envelope(frames: frames) } catch { return [Outgoing(peer: peer, envelope: error.reply(id: UUID().uuidString), audience: .client)] }
        let re = envelope.header.id
        do {
            switch envelope.header.type {
            case .submit:
                let config = try envelope.decode(Submit.self).spec
                let spec: StudySpec
                do { spec = try StudySpec(config: config, trialKeys: trialKeys) } catch let error as SpecError {
                    throw ProtocolError(.invalidSpec, "the spec has \(error.problems.count) problem(s)",
                                        problems: error.problems.map { .init(path: $0.path, message: $0.message) }, re: re)
                }
                let id = try submit(spec, config: config)
                return [reply(peer, .submitted, re: re, Submitted(study: id))] + (try tick(now: now))
            case .status:
                let wanted = try? envelope.decode(StudyRef.self).study
                var list: [StudyStatus] = []
                for record in try store.studies() where wanted == nil || record.id == wanted {
                    let trials = try store.history(study: record.id, metric: "")
                    func count(_ s: TrialState) -> Int { trials.filter { $0.state == s }.count }
                    list.append(StudyStatus(study: record.id, name: record.name, state: record.state, trials: trials.count, running: count(.running),
                                            completed: count(.completed), pruned: count(.pruned), failed: count(.failed) + count(.diverged)))
                }
                if let wanted, list.isEmpty { throw ProtocolError(.unknownStudy, "no study \(wanted)", re: re) }
                return [reply(peer, .statusReply, re: re, StatusReply(studies: list))]
            case .cancel:
                let study = try envelope.decode(StudyRef.self).study
                guard try store.studies().contains(where: { $0.id == study }) else { throw ProtocolError(.unknownStudy, "no study \(study)", re: re) }
                try cancel(study)
                return [reply(peer, .ok, re: re, Body.Empty())]
            case .follow:
                let follow = try envelope.decode(Follow.self)
                guard try store.studies().contains(where: { $0.id == follow.study }) else { throw ProtocolError(.unknownStudy, "no study \(follow.study)", re: re) }
                return [reply(peer, .snapshot, re: re, Rows(study: follow.study, seq: try store.eventCount(kind: "assigned"), rows: try leaderboard(follow.study, top: follow.top ?? 20)))]
            case .heartbeat:
                return []
            default:
                throw ProtocolError(.badRequest, "\(envelope.header.type.rawValue) is not a client message", re: re)
            }
        } catch let error as ProtocolError {
            return [Outgoing(peer: peer, envelope: error.reply(id: UUID().uuidString), audience: .client)]
        } catch {
            return [Outgoing(peer: peer, envelope: ProtocolError(.internal, "\(error)", re: re).reply(id: UUID().uuidString), audience: .client)]
        }
    }

    private func reply<B: Encodable>(_ peer: Data, _ type: MessageType, re: String, _ body: B) -> Outgoing {
        Outgoing(peer: peer, envelope: (try? Envelope(type, id: UUID().uuidString, re: re, body: body)) ?? Envelope(header: Header(type: type, id: "x"), body: Data("{}".utf8)),
                 audience: .client)
    }

    /// The study's trials ranked by objective (unfinished and failed trials last).
    public func leaderboard(_ study: String, top: Int) throws -> [Row] {
        guard let record = try store.studies().first(where: { $0.id == study }) else { return [] }
        let spec = try StudySpec(config: record.spec, trialKeys: trialKeys)
        let trials = try store.history(study: study, metric: spec.metric)
        func score(_ t: Search.Trial) -> Double {
            let value = t.value ?? t.lastStep.flatMap { t.reports[$0] }
            return value.map { $0.isFinite ? spec.direction.loss($0) : .infinity } ?? .infinity
        }
        return trials.sorted { (score($0), $0.number) < (score($1), $1.number) }.prefix(top).enumerated().map { rank, t in
            Row(rank: rank + 1, trial: t.number, status: t.state.rawValue, objective: t.value ?? t.lastStep.flatMap { t.reports[$0] },
                epoch: t.lastStep, params: .object(t.configuration.values))
        }
    }
}
