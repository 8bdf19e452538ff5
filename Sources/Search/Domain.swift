import Config

/// The values one parameter may take.
public enum Domain: Equatable, Sendable {
    /// Real numbers in [low, high]; on a log scale when `log`; multiples of `step` from `low`.
    case float(low: Double, high: Double, log: Bool, step: Double?)
    /// Whole numbers in [low, high]; on a log scale when `log`; multiples of `step` from `low`.
    case int(low: Int, high: Int, log: Bool, step: Int)
    /// One of a list of strings, numbers or booleans.
    case choice([Config])
    /// Always this value (recorded with every trial, never searched).
    case fixed(Config)

    /// Bounds of a float domain, so that high − low stays finite.
    public static let largest = 1e300
    /// The most values a stepped float domain may have (every count stays an exact integer).
    public static let mostValues = 1e15

    /// Whether the domain is numeric (encoded on the unit interval) rather than categorical.
    public var isNumeric: Bool {
        switch self {
        case .float, .int: true
        case .choice, .fixed: false
        }
    }

    /// Whether the domain holds integers.
    public var isInteger: Bool { if case .int = self { true } else { false } }

    /// The number of distinct values, when finite.
    public var cardinality: Int? {
        switch self {
        case let .float(low, high, _, step?):
            // Specs are checked to keep this under `mostValues`; a bad stored value must not trap.
            let gaps = ((high - low) / step).rounded(.down)
            return gaps.isFinite ? Int(gaps.clamped(0, Self.mostValues)) + 1 : 1
        case .float: return nil
        case let .int(low, high, _, step): return (high - low) / step + 1
        case let .choice(values): return values.count
        case .fixed: return 1
        }
    }

    /// Maps a point u in [0, 1] to a value (numeric domains; log scales and steps applied).
    /// Steps and integers pad the interval by half a step so every value owns an equal cell.
    public func value(at u: Double) -> Config {
        let u = Swift.min(Swift.max(u, 0), 1)
        switch self {
        case let .float(low, high, log, step):
            if let step {
                let n = Double(cardinality! - 1)
                let k = (u * (n + 1) - 0.5).rounded().clamped(0, n)
                // Rounded to 12 decimals: 0.3, not 0.1 × 3 = 0.30000000000000004.
                return .number((((low + k * step) * 1e12).rounded() / 1e12).clamped(low, high))
            }
            if log { return .number(Foundation.exp(Foundation.log(low) + u * (Foundation.log(high) - Foundation.log(low))).clamped(low, high)) }
            return .number(low + u * (high - low))
        case let .int(low, high, log, step):
            if log && step == 1 {
                let a = Foundation.log(Double(low) - 0.5), b = Foundation.log(Double(high) + 0.5)
                return .number(Foundation.exp(a + u * (b - a)).rounded().clamped(Double(low), Double(high)))
            }
            let n = Double(cardinality! - 1)
            let k = (u * (n + 1) - 0.5).rounded().clamped(0, n)
            return .number(Double(low) + k * Double(step))
        case let .choice(values):
            return values[Swift.min(Int(u * Double(values.count)), values.count - 1)]
        case let .fixed(value):
            return value
        }
    }

    /// The inverse of `value(at:)`: where a value sits on [0, 1] (the centre of its cell).
    public func position(of value: Config) -> Double? {
        switch self {
        case let .float(low, high, log, step):
            guard case let .number(x) = value else { return nil }
            if let step {
                let n = Double(cardinality!)
                return ((x - low) / step + 0.5) / n
            }
            if log { return (Foundation.log(x) - Foundation.log(low)) / (Foundation.log(high) - Foundation.log(low)) }
            return high > low ? (x - low) / (high - low) : 0.5
        case let .int(low, high, log, step):
            guard case let .number(x) = value else { return nil }
            if log && step == 1 {
                let a = Foundation.log(Double(low) - 0.5), b = Foundation.log(Double(high) + 0.5)
                return (Foundation.log(x) - a) / (b - a)
            }
            return ((x - Double(low)) / Double(step) + 0.5) / Double(cardinality!)
        case let .choice(values):
            guard let i = values.firstIndex(of: value) else { return nil }
            return (Double(i) + 0.5) / Double(values.count)
        case .fixed:
            return 0.5
        }
    }

    /// Whether `value` is one this domain can produce.
    public func contains(_ value: Config) -> Bool {
        switch self {
        case let .float(low, high, _, step):
            guard case let .number(x) = value, x >= low - 1e-12, x <= high + 1e-12 else { return false }
            guard let step else { return true }
            let k = (x - low) / step
            return Swift.abs(k - k.rounded()) < 1e-6
        case let .int(low, high, _, step):
            guard case let .number(x) = value, x == x.rounded(), x >= Double(low), x <= Double(high) else { return false }
            return (Int(x) - low) % step == 0
        case let .choice(values): return values.contains(value)
        case let .fixed(v): return v == value
        }
    }
}

extension Double {
    func clamped(_ low: Double, _ high: Double) -> Double { Swift.min(Swift.max(self, low), high) }
}

import Foundation
