import Config
import Search

/// The old trials a warm start takes, whoever starts it: the coordinator (from a study it holds,
/// or an export a client sent) and `sweep run` (from an export file).
public enum WarmTrials {
    /// An old trial as a warm start reads it.
    public struct Candidate: Sendable {
        public let values: Config
        public let state: TrialState?
        public let value: Double?
        /// Every objective's final value (several objectives).
        public let finals: [Double]
        /// How far past each constraint's bound.
        public let violations: [Double]
        /// The objective by epoch.
        public let reports: [Int: Double]

        public init(values: Config, state: TrialState?, value: Double?, finals: [Double], violations: [Double], reports: [Int: Double]) {
            self.values = values
            self.state = state
            self.value = value
            self.finals = finals
            self.violations = violations
            self.reports = reports
        }
    }

    /// The trials of an export (`sweep export --format json`, `sweep run --export`), each
    /// `{config, status, value}` with, when there, `values`, `violations` and the metrics by epoch.
    public static func candidates(_ trials: [Config], metric: String) -> [Candidate] {
        trials.map { t in
            let state = t[path: "status"].flatMap { if case let .string(s) = $0 { TrialState(rawValue: s) } else { nil } }
            let value: Double? = if case let .number(v)? = t[path: "value"] { v } else { nil }
            let finals: [Double] = if case let .array(items)? = t[path: "values"] { items.map(\.metric) } else { [] }
            let violations: [Double] = if case let .array(items)? = t[path: "violations"] { items.map(\.metric) } else { [] }
            // An export's epochs carry every metric: the objective's, by epoch.
            var reports: [Int: Double] = [:]
            if case let .array(epochs)? = t[path: "metrics"] {
                for epoch in epochs {
                    if case let .number(e)? = epoch[path: "epoch"], let v = epoch[path: metric], v.metric.isFinite { reports[Int(e)] = v.metric }
                }
            }
            return Candidate(values: t[path: "config"] ?? .null, state: state, value: value, finals: finals, violations: violations, reports: reports)
        }
    }

    /// The finished candidates whose configuration fits `space` (every parameter present and
    /// inside its domain, none the space lacks), numbered below −1, with the reasons the others
    /// were left out, counted. With several `objectives` (metric names, the first being the
    /// objective) a trial comes with every one's final value or is left out; with `constraints`,
    /// the same holds for its violations.
    public static func take(_ candidates: [Candidate], space: SearchSpace, objectives: [String], constraints: [Constraint] = [])
        -> (trials: [Trial], skipped: [Body.Skipped]) {
        let several = objectives.count > 1
        var taken: [Trial] = [], skipped: [String: Int] = [:]
        for c in candidates {
            guard let state = c.state, [.completed, .pruned, .diverged].contains(state), state == .diverged || c.value?.isFinite == true else {
                skipped["it did not finish with a value (status \(c.state?.rawValue ?? "unknown"))", default: 0] += 1
                continue
            }
            guard !several || state == .diverged || (c.finals.count == objectives.count && c.finals.allSatisfy(\.isFinite)) else {
                skipped["it has no finite value for each of the \(objectives.count) objectives", default: 0] += 1
                continue
            }
            guard constraints.isEmpty || state == .diverged || c.violations.count == constraints.count else {
                skipped["it has no violation for each of the \(constraints.count) constraints", default: 0] += 1
                continue
            }
            guard case let .object(config) = c.values else { skipped["it has no config object", default: 0] += 1; continue }
            do {
                let (configuration, _) = try space.configuration(given: config, allowOutside: false, path: "")
                taken.append(Trial(number: -2 - taken.count, configuration: configuration, state: state, reports: c.reports, value: c.value,
                                   values: several ? c.finals : [], violations: constraints.isEmpty ? [] : c.violations))
            } catch let error as SpecError {
                let problem = error.problems[0]
                let key = problem.path.hasPrefix(".") ? String(problem.path.dropFirst()) : problem.path
                let short = problem.message.prefix { !":;(".contains($0) }.trimmingCharacters(in: .whitespaces)
                skipped["\(key) \(short)", default: 0] += 1
            } catch {
                skipped["\(error)", default: 0] += 1
            }
        }
        return (taken, skipped.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { Body.Skipped(reason: $0.key, count: $0.value) })
    }
}
