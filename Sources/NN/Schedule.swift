import Foundation
import TrialSpecs

/// The learning rate over epochs. `rate(epoch:)` is asked before each epoch (from 0); the
/// plateau rule also hears every validation result through `observe`.
public final class Schedule {
    public typealias Rule = ScheduleRule

    public let base: Float
    public let rule: Rule
    /// Linear warm-up from base/warmup to base over the first `warmup` epochs.
    public let warmup: Int
    private var plateauRate: Float
    private var best: Float = .infinity
    private var waited = 0

    public init(base: Float, rule: Rule = .constant, warmup: Int = 0) {
        self.base = base
        self.rule = rule
        self.warmup = warmup
        plateauRate = base
    }

    public func rate(epoch: Int) -> Float {
        let scheduled: Float = switch rule {
        case .constant: base
        case let .step(factor, every): base * Foundation.pow(factor, Float(epoch / Swift.max(every, 1)))
        case let .exponential(factor): base * Foundation.pow(factor, Float(epoch))
        case .plateau: plateauRate
        case let .cosine(epochs, minimum):
            minimum + (base - minimum) * 0.5 * (1 + Foundation.cos(Float.pi * Float(Swift.min(epoch, epochs)) / Float(Swift.max(epochs, 1))))
        }
        guard warmup > 0, epoch < warmup else { return scheduled }
        return scheduled * Float(epoch + 1) / Float(warmup)
    }

    /// Feeds a validation result where lower is better (a loss, or −accuracy).
    public func observe(_ value: Float) {
        guard case let .plateau(factor, patience, minimum) = rule else { return }
        if value < best {
            best = value
            waited = 0
        } else {
            waited += 1
            if waited > patience {
                plateauRate = Swift.max(plateauRate * factor, minimum)
                waited = 0
            }
        }
    }
}

/// Early stopping inside a trial: stop when the validation metric has not improved for
/// `patience` epochs; remembers the best epoch.
public struct EarlyStopping: Sendable {
    public let patience: Int
    public private(set) var best: Float = .infinity
    public private(set) var bestEpoch = -1
    private var waited = 0

    public init(patience: Int) { self.patience = patience }

    /// Feeds one epoch's value (lower is better); true when training should stop.
    public mutating func observe(_ value: Float, epoch: Int) -> Bool {
        if value < best {
            best = value
            bestEpoch = epoch
            waited = 0
            return false
        }
        waited += 1
        return waited >= patience
    }
}
