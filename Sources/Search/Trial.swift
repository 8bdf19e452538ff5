import Config

/// What a sampler or stopper knows of one trial: everything comes from stored history.
public struct Trial: Equatable, Sendable {
    public let number: Int
    public let configuration: Configuration
    public var state: TrialState
    /// The objective at each reported step (epoch), as reported (not sign-flipped); with
    /// several objectives, the first.
    public var reports: [Int: Double]
    /// The final objective of a completed (or pruned) trial; with several, the first.
    public var value: Double?
    /// With several objectives: every objective at each step, in the spec's order (a missing
    /// one is NaN). Empty for a single objective, where `reports` is all there is.
    public var stepValues: [Int: [Double]]
    /// With several objectives: every objective's final value, in the spec's order. Empty for
    /// a single objective or a trial not finished with values.
    public var values: [Double]
    /// With constraints: how far each constrained metric lies past its bound (≤ 0 within it,
    /// NaN never reported), in the spec's order; final for a finished trial, else the latest
    /// report's. Empty without constraints.
    public var violations: [Double]
    /// With constraints: the violations as they stood at each reported step (a metric missing
    /// from a report keeps its earlier value). Empty without constraints.
    public var stepViolations: [Int: [Double]]
    /// Why it stopped early or failed.
    public var reason: StopReason?

    public init(number: Int, configuration: Configuration, state: TrialState, reports: [Int: Double] = [:], value: Double? = nil,
                reason: StopReason? = nil, stepValues: [Int: [Double]] = [:], values: [Double] = [], violations: [Double] = [],
                stepViolations: [Int: [Double]] = [:]) {
        self.number = number
        self.configuration = configuration
        self.state = state
        self.reports = reports
        self.value = value
        self.reason = reason
        self.stepValues = stepValues
        self.values = values
        self.violations = violations
        self.stepViolations = stepViolations
    }

    /// Within every constraint's bound (always, without constraints).
    public var feasible: Bool { Feasibility.feasible(violations) }

    /// Every objective's final value of a completed or pruned trial, all finite; nil otherwise.
    /// The front is judged on those of feasible trials; samplers see infeasible ones too.
    public var scored: [Double]? {
        guard state == .completed || state == .pruned, !values.isEmpty, values.allSatisfy(\.isFinite) else { return nil }
        return values
    }

    /// The last reported step.
    public var lastStep: Int? { reports.keys.max() }

    /// With several objectives: the final values, else the latest step's (nil before any report).
    public var latestValues: [Double]? { values.isEmpty ? lastStep.flatMap { stepValues[$0] } : values }
}

/// One thing a study optimizes: a metric and its direction (`objective`, or each entry of a list).
public struct Objective: Equatable, Hashable, Sendable {
    public var metric: String
    public var direction: Direction

    public init(_ metric: String, _ direction: Direction) {
        self.metric = metric
        self.direction = direction
    }
}

/// A trial's place among those with every objective's value: its Pareto front (1: no trial is
/// better on every objective) and how many trials dominate it.
public struct Standing: Equatable, Hashable, Sendable {
    public let front: Int
    public let dominated: Int
    public init(front: Int, dominated: Int) {
        self.front = front
        self.dominated = dominated
    }
}

/// Which way the objective should go.
public enum Direction: String, Codable, Sendable {
    case minimize, maximize

    /// The value as a loss (lower is better).
    public func loss(_ value: Double) -> Double { self == .minimize ? value : -value }
}
