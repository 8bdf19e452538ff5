/// Where a trial stands (stored in the store's `trials.state` column as the raw value).
public enum TrialState: String, Codable, Sendable, CaseIterable {
    case queued, running, completed, pruned, diverged, failed, cancelled

    /// Finished, with no more reports to come.
    public var isFinished: Bool { self != .queued && self != .running }
}

/// Where a study stands (stored in `studies.state`).
public enum StudyState: String, Codable, Sendable, CaseIterable {
    /// Suggesting and running search trials.
    case running
    /// The search is over; the final trial (the best configuration retrained) is scored on the test split.
    case testing
    case completed, cancelled
    /// Its first trials all failed for the same reason (`budget.fail_fast`): the reason is the study's.
    case failed

    /// Trials still run: a running study can be cancelled, and followers keep following.
    public var isActive: Bool { self == .running || self == .testing }
}

/// The rule that stopped a trial early.
public enum StopRule: String, Codable, Sendable, CaseIterable {
    case divergence, median, asha, hyperband, patience
    case maxSteps = "max_steps"
    /// The study was cancelled while the trial ran.
    case cancelled
    /// The trial failed: its program or its spec.
    case error
    /// It ran past `budget.trial_timeout`: stopped, and counted as a failure.
    case timeout

    /// The state a trial stopped by this rule ends in.
    public var state: TrialState {
        switch self {
        case .divergence: .diverged
        case .cancelled: .cancelled
        case .error, .timeout: .failed
        default: .pruned
        }
    }
}

/// Where a trial's configuration came from (stored in `trials.origin`; shown by export).
public enum Origin: String, Codable, Sendable, CaseIterable {
    /// The study's sampler.
    case suggested
    /// A user's `sweep enqueue`, inside the space.
    case enqueued
    /// A user's `sweep enqueue --allow-outside` with a value outside the space, on purpose.
    case outside
}

/// Who a failed attempt is down to, as the worker judges it (DONE's `cause`): the trial (its
/// configuration, its program) or the machine it ran on (data or program missing there, out of
/// memory). A machine's failures do not count against the trial and can quarantine the worker.
public enum FailureCause: String, Codable, Sendable, CaseIterable {
    case trial, worker
}

/// How an attempt of a trial ended (the store's `attempts.outcome`): a trial's final state, or
/// `requeued` when it went back to the queue to run again (its worker was lost or left, failed
/// for the machine's reasons, or the trial is retried).
public enum AttemptOutcome: String, Codable, Sendable, CaseIterable {
    case completed, pruned, diverged, failed, cancelled, requeued

    /// The outcome of an attempt that ended its trial in `state` (nil: not a finished state).
    public init?(_ state: TrialState) {
        self.init(rawValue: state.rawValue)
    }
}
