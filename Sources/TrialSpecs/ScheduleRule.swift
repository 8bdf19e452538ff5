/// How the learning rate changes over epochs (the trainer's `Schedule` follows it).
public enum ScheduleRule: Equatable, Sendable {
    case constant
    /// × factor every `every` epochs.
    case step(factor: Float, every: Int)
    /// × factor each epoch.
    case exponential(factor: Float)
    /// × factor after `patience` epochs without improvement of the validation metric.
    case plateau(factor: Float, patience: Int, minimum: Float)
    /// Cosine from the base rate down to `minimum` over `epochs`.
    case cosine(epochs: Int, minimum: Float)
}
