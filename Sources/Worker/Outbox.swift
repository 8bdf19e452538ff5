import Synchronization
import Protocol

/// Reports (METRIC and DONE) the coordinator has not acknowledged yet, in the order they were
/// made. They are resent after every WELCOME, and any left unacknowledged for a while is resent
/// too (a TCP connection that broke and came back loses what was in flight, and ZeroMQ does not
/// say so); the coordinator stores each `seq` once, so a resend is harmless.
final class Outbox: Sendable {
    struct Entry: Sendable {
        let trial: Int
        let attempt: Int
        let seq: Int
        let envelope: Envelope
        var sentAt: ContinuousClock.Instant
    }

    private let entries = Mutex<[Entry]>([])

    func add(_ entry: Entry) { entries.withLock { $0.append(entry) } }

    /// Drops what an ACK covers: that one report (an ACK is not cumulative: an earlier report may
    /// have been lost on a broken connection while a later one got through).
    func acknowledge(trial: Int, attempt: Int, seq: Int) {
        entries.withLock { $0.removeAll { $0.trial == trial && $0.attempt == attempt && $0.seq == seq } }
    }

    /// Reports sent before `cutoff` and still unacknowledged, marked as sent again `now`.
    func overdue(before cutoff: ContinuousClock.Instant, now: ContinuousClock.Instant) -> [Envelope] {
        entries.withLock { entries in
            var due: [Envelope] = []
            for i in entries.indices where entries[i].sentAt < cutoff {
                entries[i].sentAt = now
                due.append(entries[i].envelope)
            }
            return due
        }
    }

    /// Drops every report of an attempt the coordinator no longer wants (stale, or stopped).
    func discard(trial: Int, attempt: Int) {
        entries.withLock { $0.removeAll { $0.trial == trial && $0.attempt == attempt } }
    }

    var pending: [Entry] { entries.withLock { $0 } }
}
