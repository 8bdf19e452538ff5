import Config
import Protocol
import Search

extension LocalStudy {
    /// The study as `sweep export --format json` gives a coordinator's: one object per trial
    /// (config, status, value, metrics by epoch, stop reason, …), so `sweep advise` reads it and
    /// a warm start takes it. `spec`: the spec as written; `test`: the best configuration's test
    /// metrics, when it was scored.
    public func exported(study: String, spec config: Config, test: [String: Double]? = nil) -> Body.Exported {
        let (trials, curves, starts, ended) = record
        let standings = spec.objectives.count > 1 ? standings : [:]
        let objects = trials.map { t -> Config in
            let epochs = (curves[t.number] ?? [:]).sorted { $0.key < $1.key }.map { epoch, metrics in
                Config.object(metrics.mapValues(Config.number).merging(["epoch": .number(Double(epoch))]) { $1 })
            }
            var o: [String: Config] = [
                "trial": .number(Double(t.number)), "status": .string(t.state.rawValue), "attempt": .number(1),
                "config": .object(t.configuration.values), "metrics": .array(epochs), "origin": .string("suggested"),
            ]
            if let value = t.value { o["value"] = .number(value) }
            if !t.values.isEmpty { o["values"] = .array(t.values.map(Config.number)) }
            if !spec.constraints.isEmpty, !t.violations.isEmpty {
                o["violations"] = .array(t.violations.map(Config.number))
                o["feasible"] = .bool(Feasibility.feasible(t.violations))
            }
            if let reason = t.reason ?? ended[t.number]?.reason {
                o["stop_reason"] = .object(["rule": .string(reason.rule.rawValue), "detail": .string(reason.detail),
                                            "numbers": .object(reason.numbers.mapValues(Config.number))])
            }
            // Seconds from the study's start (a coordinator's are wall-clock): the dashboard's timeline reads the spans.
            if let start = starts[t.number] {
                o["started_at"] = .number(start)
                o["worker"] = .string("local")
                if let seconds = ended[t.number]?.seconds {
                    o["elapsed_s"] = .number(seconds)
                    o["ended_at"] = .number(start + seconds)
                }
            }
            if let place = standings[t.number] {
                o["front"] = .number(Double(place.front))
                o["dominated"] = .number(Double(place.dominated))
            }
            return .object(o)
        }
        return Body.Exported(study: study, name: spec.name, metric: spec.metric, direction: spec.direction,
                             test: test.map { .object($0.mapValues(Config.number)) }, trials: objects, spec: config)
    }
}
