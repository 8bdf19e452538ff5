/// The closed sets the protocol's bodies name (Protocols/SWEEP-1.md §4). The study and trial
/// states and the stop rules are the search's own (`StudyState`, `TrialState`, `StopRule`).

/// What an ASSIGN asks a worker to run.
public enum TrialKind: String, Codable, Sendable, CaseIterable {
    /// A trial spec trained by the worker's own engine.
    case builtin
    /// An external program with the configuration in its arguments.
    case command
}

/// How a trial run ended, as its DONE says.
public enum RunStatus: String, Codable, Sendable, CaseIterable {
    /// Ran to its last epoch (or its program exited 0).
    case completed
    /// Stopped on the coordinator's word (a DECISION or a STOP).
    case stopped
    /// The loss became NaN or infinite.
    case diverged
    /// The spec, the data or the program failed; DONE.error says how.
    case failed
}

/// Why a STOP ends a trial.
public enum StopOrder: String, Codable, Sendable, CaseIterable {
    case earlyStop = "early_stop", cancelled, superseded
    case leaseLost = "lease_lost"
    /// The trial ran past its study's `budget.trial_timeout`.
    case timeout
}

/// Where a line of a trial's output came from.
public enum StandardStream: String, Codable, Sendable, CaseIterable {
    /// Standard output lines that are not reports.
    case stdout
    case stderr
}

/// A worker as WORKERS_REPLY lists it.
public enum WorkerState: String, Codable, Sendable, CaseIterable {
    case idle, busy
    /// Silent past its liveness: its trial runs elsewhere after the lease grace.
    case lost
    /// It said BYE.
    case left
    /// It failed several trials in a row for its own reasons (data or program missing there, out
    /// of memory): it gets none until `sweep workers --release` or it restarts.
    case quarantined
}
