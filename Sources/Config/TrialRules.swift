/// What a built-in trial accepts, so a study can be checked whole at submit by a process that
/// does not train (the coordinator, `sweep submit`): the trial spec module provides them.
public struct TrialRules: Sendable {
    /// The dotted keys a search may set.
    public let keys: [String]
    /// The metrics a built-in trial reports: what an objective may name (nil: not checked).
    public let metrics: [String]?
    /// Every problem of one full trial config, at its path (empty: it trains).
    public let check: @Sendable (Config) -> [SpecError.Problem]
    /// Defaults a study needs to know, not only the trainer (`epochs`: progress and the stoppers'
    /// last step), laid into a base trial that does not set them.
    public let defaults: [String: Config]

    public init(keys: [String], metrics: [String]?, defaults: [String: Config] = [:], check: @escaping @Sendable (Config) -> [SpecError.Problem]) {
        self.keys = keys
        self.metrics = metrics
        self.defaults = defaults
        self.check = check
    }

    /// Only the keys and defaults: for specs stored by an older build, which were checked when they came.
    public var keysOnly: TrialRules { TrialRules(keys: keys, metrics: nil, defaults: defaults, check: { _ in [] }) }
}
