import Config
import Search

/// One trial as the advisor reads it: what `sweep export` gives (configuration, state, value,
/// every epoch's metrics, why it stopped; with several objectives its Pareto front, with
/// constraints whether it keeps them).
public struct Observed: Equatable, Sendable {
    public let number: Int
    public let state: TrialState
    public let values: [String: Config]
    public let value: Double?
    /// Epoch → metric → value, for the trial's current attempt.
    public let curve: [Int: [String: Double]]
    public let reason: StopReason?
    /// With several objectives: the finished trial's Pareto front (1: none beats it on all).
    public let front: Int?
    /// With constraints: whether the finished trial keeps them all.
    public let feasible: Bool?

    public init(number: Int, state: TrialState, values: [String: Config], value: Double?, curve: [Int: [String: Double]], reason: StopReason? = nil,
                front: Int? = nil, feasible: Bool? = nil) {
        self.front = front
        self.feasible = feasible
        self.number = number
        self.state = state
        self.values = values
        self.value = value
        self.curve = curve
        self.reason = reason
    }

    /// A trial of an EXPORTED body; nil for the final trial (a retraining, not a configuration of its own).
    public init?(export trial: Config) {
        guard trial[path: "final"] != .bool(true), case let .number(n)? = trial[path: "trial"], case let .string(s)? = trial[path: "status"],
              let state = TrialState(rawValue: s) else { return nil }
        number = Int(n)
        self.state = state
        values = if case let .object(o)? = trial[path: "config"] { o } else { [:] }
        value = if case let .number(v)? = trial[path: "value"] { v } else { nil }
        front = if case let .number(f)? = trial[path: "front"] { Int(f) } else { nil }
        feasible = if case let .bool(f)? = trial[path: "feasible"] { f } else { nil }
        var curve: [Int: [String: Double]] = [:]
        if case let .array(epochs)? = trial[path: "metrics"] {
            for case let .object(e) in epochs {
                guard case let .number(epoch)? = e["epoch"] else { continue }
                curve[Int(epoch)] = e.filter { $0.key != "epoch" }.compactMapValues { value -> Double? in
                    switch value {
                    case let .number(d): d
                    case .string("nan"), .string("inf"), .string("-inf"): value.metric
                    default: nil
                    }
                }
            }
        }
        self.curve = curve
        if case let .string(rule)? = trial[path: "stop_reason.rule"], let r = StopRule(rawValue: rule) {
            let detail = if case let .string(d)? = trial[path: "stop_reason.detail"] { d } else { "" }
            reason = StopReason(rule: r, detail: detail)
        } else {
            reason = nil
        }
    }

    public var lastEpoch: Int? { curve.keys.max() }

    /// `metric` at `epoch`.
    public func at(_ epoch: Int, _ metric: String) -> Double? { curve[epoch]?[metric] }
}
