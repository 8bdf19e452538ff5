import Protocol

/// Reports (METRIC and DONE) the coordinator has not acknowledged yet, in the order they were
/// made. They are resent after every WELCOME, and any left unacknowledged for a while is resent
/// too (a TCP connection that broke and came back loses what was in flight, and ZeroMQ does not
/// say so); the coordinator stores each `seq` once, so a resend is harmless.
public struct Outbox: Sendable {
    public struct Entry: Sendable {
        public let trial: Int
        public let attempt: Int
        public let seq: Int
        public let envelope: Envelope
        /// When it was last sent, on the worker's clock.
        var sentAt: Double
    }

    public private(set) var entries: [Entry] = []

    mutating func add(_ entry: Entry) { entries.append(entry) }

    /// Drops what an ACK covers: that one report (an ACK is not cumulative: an earlier report may
    /// have been lost on a broken connection while a later one got through).
    mutating func acknowledge(trial: Int, attempt: Int, seq: Int) {
        entries.removeAll { $0.trial == trial && $0.attempt == attempt && $0.seq == seq }
    }

    /// Reports sent before `cutoff` and still unacknowledged, marked as sent again `now`.
    mutating func overdue(before cutoff: Double, now: Double) -> [Envelope] {
        var due: [Envelope] = []
        for i in entries.indices where entries[i].sentAt < cutoff {
            entries[i].sentAt = now
            due.append(entries[i].envelope)
        }
        return due
    }

    /// Drops every report of an attempt the coordinator no longer wants (stale, or stopped).
    mutating func discard(trial: Int, attempt: Int) {
        entries.removeAll { $0.trial == trial && $0.attempt == attempt }
    }
}
