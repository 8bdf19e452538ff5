import Foundation
import Config
import Search
import Store
import Protocol

/// Ask and tell (Protocols/SWEEP-1.md §4.4): a `runner: external` study's trials go to the
/// programs that ASK for them (a notebook, a training loop in Python), not to workers. Each is a
/// lease on one attempt: REPORT renews it and answers with the stopper's decision, TELL ends it,
/// and a lease silent past `askLease` runs elsewhere as the next attempt.
extension Coordinator {
    struct Lease {
        let peer: Data
        let name: String
        let attempt: Int
        var lastSeen: Double
    }

    func ask(_ peer: Data, _ request: Body.Ask, re: String, now: Double) throws -> Outgoing {
        let study = try study(request.study, re: re)
        guard study.spec.runner == .external else {
            throw ProtocolError(.badRequest, "study \(study.id) runs its trials on workers (runner: \(study.spec.runner.rawValue)); ask is for a study whose spec says runner: external", re: re)
        }
        let name = request.worker ?? "python"
        if study.state == .running, study.engine.spent(now: now), study.finished == study.trials.count { try finishSearch(study) }
        func reply(_ body: Body.Asked) -> Outgoing { send(peer, .asked, re: re, body, to: .client) }
        guard study.state == .running else { return reply(Body.Asked(study: study.id, over: true)) }
        guard study.running < study.spec.budget.maxConcurrent, let number = try take(study, for: name, free: [name], live: [name], now: now) else {
            return reply(Body.Asked(study: study.id))
        }
        let attempt = try study.assign(number, to: name, now: now)
        let id = study.ids[number]!
        leases[id] = Lease(peer: peer, name: name, attempt: attempt, lastSeen: now)
        logger.info("asked", metadata: ["study": "\(study.id)", "trial": "\(number)", "id": "\(id)", "attempt": "\(attempt)", "by": "\(name)"])
        return reply(Body.Asked(study: study.id, trial: id, number: number, attempt: attempt, config: .object(study.configuration(number).values),
                                seed: study.engine.seed(number), leaseS: options.askLease))
    }

    /// The lease on an attempt, or the error that says it is gone.
    private func leased(_ trial: Int, attempt: Int, re: String) throws -> (Study, Int, Lease) {
        guard let lease = leases[trial], lease.attempt == attempt else {
            throw ProtocolError(.staleAttempt, "no lease on attempt \(attempt) of trial \(trial): it was never asked for, it has ended, or it expired (\(Int(options.askLease)) s without a report or heartbeat) and runs elsewhere", re: re)
        }
        let (study, number) = try locate(trial, re: re)
        return (study, number, lease)
    }

    func report(_ peer: Data, _ m: Body.Metric, re: String, now: Double) throws -> [Outgoing] {
        let (study, number, _) = try leased(m.trial, attempt: m.attempt, re: re)
        leases[m.trial]!.lastSeen = now
        func reply(_ reason: StopReason?) -> Outgoing {
            send(peer, .reported, re: re, Body.Decision(trial: m.trial, attempt: m.attempt, epoch: m.epoch, continue: reason == nil,
                                                         reason: reason.map(Body.Reason.init)), to: .client)
        }
        switch try judge(study, number, trial: m.trial, attempt: m.attempt, seq: m.seq, epoch: m.epoch, metrics: m.metrics, re: re, now: now) {
        case .quiet, .go: return [reply(nil)]
        case let .stop(reason, ended): return [reply(reason)] + (ended ? try schedule(now: now) : [])
        }
    }

    func tell(_ peer: Data, _ t: Body.Tell, re: String, now: Double) throws -> [Outgoing] {
        let (study, number, lease) = try leased(t.trial, attempt: t.attempt, re: re)
        leases[t.trial] = nil
        if study.state(of: number) == .running {
            try conclude(study, number, Body.Done(trial: t.trial, attempt: t.attempt, seq: 0, status: t.status, metrics: t.metrics, error: t.error),
                         runner: lease.name, now: now)
        }
        return [send(peer, .ok, re: re, Body.Empty(), to: .client)] + (try failFast(study)) + (try schedule(now: now))
    }

    /// A heartbeat from a client renews the leases it holds (a long epoch between reports).
    func renewLeases(of peer: Data, now: Double) {
        for (id, lease) in leases where lease.peer == peer { leases[id]!.lastSeen = now }
    }

    /// Leases silent past `askLease` go back to the queue; asked trials past the study's
    /// `budget.trial_timeout` fail (the next REPORT hears it).
    func expireLeases(now: Double) throws {
        for (id, lease) in leases {
            guard let (sid, number) = index[id], let study = studies[sid], study.attempts[number] == lease.attempt else {
                leases[id] = nil
                continue
            }
            // A trial the stopper ended waits for its asker's TELL; a silent asker's lease goes all the same.
            guard study.state(of: number) == .running else {
                if now - lease.lastSeen > options.askLease { leases[id] = nil }
                continue
            }
            if now - lease.lastSeen > options.askLease {
                try requeue(id, attempt: lease.attempt, why: "its asker \(lease.name) was silent for \(Int(now - lease.lastSeen)) s (the lease is \(Int(options.askLease)) s)", now: now)
                leases[id] = nil
            } else if let limit = study.spec.budget.trialTimeout, let started = study.started[number], now - started >= limit {
                let reason = StopReason(rule: .timeout, detail: "ran past budget.trial_timeout (\(Config.number(limit)) s)", numbers: ["seconds": now - started])
                try fail(study, number, attempt: lease.attempt, reason: reason, worker: lease.name, now: now)
                leases[id] = nil
            }
        }
    }
}
