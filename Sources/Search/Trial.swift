import Config

/// What a sampler or stopper knows of one trial: everything comes from stored history.
public struct Trial: Equatable, Sendable {
    public let number: Int
    public let configuration: Configuration
    public var state: TrialState
    /// The objective at each reported step (epoch), as reported (not sign-flipped).
    public var reports: [Int: Double]
    /// The final objective of a completed (or pruned) trial.
    public var value: Double?
    /// Why it stopped early or failed.
    public var reason: StopReason?

    public init(number: Int, configuration: Configuration, state: TrialState, reports: [Int: Double] = [:], value: Double? = nil,
                reason: StopReason? = nil) {
        self.number = number
        self.configuration = configuration
        self.state = state
        self.reports = reports
        self.value = value
        self.reason = reason
    }

    /// The last reported step.
    public var lastStep: Int? { reports.keys.max() }
}

/// Which way the objective should go.
public enum Direction: String, Codable, Sendable {
    case minimize, maximize

    /// The value as a loss (lower is better).
    public func loss(_ value: Double) -> Double { self == .minimize ? value : -value }
}
