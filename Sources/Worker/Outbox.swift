import Synchronization
import Wire

/// Reports (METRIC and DONE) the coordinator has not acknowledged yet, in the order they were
/// made. They are resent after every WELCOME, so reports made while the coordinator was away or
/// restarting reach it; the coordinator stores each `seq` once, so a resend is harmless.
final class Outbox: Sendable {
    struct Entry: Sendable {
        let trial: Int
        let attempt: Int
        let seq: Int
        let envelope: Envelope
    }

    private let entries = Mutex<[Entry]>([])

    func add(_ entry: Entry) { entries.withLock { $0.append(entry) } }

    /// Drops what an ACK covers: every report of that attempt up to `seq`.
    func acknowledge(trial: Int, attempt: Int, seq: Int) {
        entries.withLock { $0.removeAll { $0.trial == trial && $0.attempt == attempt && $0.seq <= seq } }
    }

    /// Drops every report of an attempt the coordinator no longer wants (stale, or stopped).
    func discard(trial: Int, attempt: Int) {
        entries.withLock { $0.removeAll { $0.trial == trial && $0.attempt == attempt } }
    }

    var pending: [Entry] { entries.withLock { $0 } }
}
