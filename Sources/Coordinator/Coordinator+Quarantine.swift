import Foundation
import Config
import Search
import Store
import Protocol

/// A worker whose machine fails trials (its data or program missing, out of memory) is taken
/// out of the rotation before it fails a whole study: its failed trials run elsewhere, and after
/// `quarantineAfter` such failures in a row it gets no trials until an operator releases it or
/// it restarts.
extension Coordinator {
    /// A trial failed for the machine's reasons: it runs again on another worker (not counted
    /// against it) while some worker it has not failed on is there, else it has failed; the
    /// worker may be quarantined.
    func machineFailed(_ name: String, _ study: Study, _ number: Int, _ d: Body.Done, now: Double) throws {
        let detail = d.error ?? "the worker's machine failed the trial"
        // The attempt keeps the worker's name; the reason does not, so failures alike on several
        // machines read alike (and fail the study fast: then it is the study's fault).
        let reason = StopReason(rule: .error, detail: detail)
        let others = workers.values.filter { $0.name != name && $0.lostAt == nil && $0.quarantine == nil }.map(\.name)
        let tried = (study.shunned[number] ?? []).union([name])
        if number != Store.finalNumber, others.contains(where: { !tried.contains($0) }) {
            try study.requeue(number, why: reason, cause: .worker, avoiding: name, now: now)
        } else {
            try study.finish(number, attempt: d.attempt, .failed, value: nil, reason: reason, cause: .worker, now: now)
        }
        workers[name]!.faults += 1
        logger.warning("trial failed for its worker's reasons", metadata: ["worker": "\(name)", "study": "\(study.id)", "trial": "\(number)",
                                                                           "in_a_row": "\(workers[name]!.faults)", "error": "\(detail)"])
        guard options.quarantineAfter > 0, workers[name]!.faults >= options.quarantineAfter else { return }
        let quarantine = Quarantine(reason: "\(workers[name]!.faults) trials in a row failed on this machine; the last: \(detail)", study: study.id)
        try store.quarantine(worker: name, .object(["reason": .string(quarantine.reason), "study": .string(study.id), "boot_id": .string(workers[name]!.bootID)]))
        workers[name]!.quarantine = quarantine
        logger.error("worker quarantined: it gets no trials until `sweep workers --release \(name)` or it restarts",
                     metadata: ["worker": "\(name)", "reason": "\(quarantine.reason)"])
    }

    /// At HELLO: a quarantine holds while the worker is the same process (its boot id), and
    /// a restarted worker starts clean.
    func keepQuarantine(_ name: String, previous: Worker?) throws {
        guard let stored = try store.quarantine(worker: name) else { return }
        if case let .string(boot)? = stored[path: "boot_id"], boot == workers[name]!.bootID,
           case let .string(reason)? = stored[path: "reason"], case let .string(study)? = stored[path: "study"] {
            workers[name]!.quarantine = Quarantine(reason: reason, study: study)
            workers[name]!.faults = previous?.faults ?? options.quarantineAfter
        } else {
            try store.quarantine(worker: name, nil)
            logger.notice("worker restarted: its quarantine is over", metadata: ["worker": "\(name)"])
        }
    }

    /// The worker gets trials again.
    func release(_ name: String) throws {
        try store.quarantine(worker: name, nil)
        workers[name]?.quarantine = nil
        workers[name]?.faults = 0
        logger.notice("worker released from quarantine", metadata: ["worker": "\(name)"])
    }
}
