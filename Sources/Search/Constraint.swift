import Foundation
import Config

/// A bound a trial's metric must keep to be feasible (`constraints: [{metric, max}]` or `min`):
/// an infeasible trial is kept and shown, but is never the best and never on the front.
public struct Constraint: Equatable, Hashable, Sendable {
    public var metric: String
    public var bound: Bound

    public enum Bound: Equatable, Hashable, Sendable {
        /// The metric must be at most this.
        case max(Double)
        /// The metric must be at least this.
        case min(Double)

        var isMax: Bool { if case .max = self { true } else { false } }
    }

    public init(_ metric: String, _ bound: Bound) {
        self.metric = metric
        self.bound = bound
    }

    /// How far `value` lies past the bound: ≤ 0 within it, > 0 outside (Optuna's sign
    /// convention). NaN for a metric never reported, which counts as infeasible.
    public func violation(_ value: Double?) -> Double {
        guard let value, value.isFinite else { return .nan }
        return switch bound {
        case let .max(limit): value - limit
        case let .min(limit): limit - value
        }
    }

    /// As a spec writes it and a person reads it: `latency_ms ≤ 50`.
    public var description: String {
        switch bound {
        case let .max(limit): "\(metric) ≤ \(Config.number(limit))"
        case let .min(limit): "\(metric) ≥ \(Config.number(limit))"
        }
    }
}

/// Feasibility from per-constraint violations (`Trial.violations`).
public enum Feasibility {
    /// Within every bound: every violation ≤ 0 (a NaN, never reported, is not). True with no constraints.
    public static func feasible(_ violations: [Double]) -> Bool { violations.allSatisfy { $0 <= 0 } }

    /// For a table: `yes`, or `no: seconds +2` — each bound past (by `metrics`, the constrained
    /// metrics in order) and by how much, `?` where the metric was never reported.
    public static func summary(_ violations: [Double], metrics: [String]) -> String {
        if feasible(violations) { return "yes" }
        let past = violations.indices.compactMap { i -> String? in
            let metric = i < metrics.count ? metrics[i] : "?", v = violations[i]
            return v.isNaN ? "\(metric) ?" : v > 0 ? "\(metric) +\(String(format: "%.4g", v))" : nil
        }
        return "no: " + past.joined(separator: ", ")
    }

    /// The total amount past the bounds (0 when feasible, ∞ when one was never reported): the
    /// order among infeasible trials, least violated first.
    public static func total(_ violations: [Double]) -> Double {
        violations.reduce(0) { $0 + ($1.isNaN ? .infinity : Swift.max($1, 0)) }
    }
}
