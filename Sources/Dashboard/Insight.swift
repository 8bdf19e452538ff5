import Config
import Advisor
import Protocol
import Search

/// What the page shows beside the trials: which parameters matter (PED-ANOVA) and the advisor's
/// reading of the study, as JSON.
enum Insight {
    /// `{"completed": N, "ranked": [{parameter, importance}]}`; `ranked` null under 10 completed trials.
    static func importance(_ rows: [Body.TrialRow], spec: StudySpec) -> String {
        let trials: [Trial] = rows.compactMap { r in
            guard r.status == .completed, let v = r.value, v.isFinite, case let .object(values) = r.params else { return nil }
            return Trial(number: r.trial, configuration: Configuration(values), state: .completed, value: v)
        }
        var json = JSONText()
        json.raw("{\"completed\":"); json.int(trials.count)
        json.raw(",\"ranked\":")
        if let ranked = Importance.of(spec.space, trials: trials, direction: spec.direction) {
            json.list(ranked) { j, e in
                j.raw("{\"parameter\":"); j.string(e.parameter); j.raw(",\"importance\":"); j.number(e.importance); j.raw("}")
            }
        } else {
            json.raw("null")
        }
        json.raw("}")
        return json.text
    }

    /// `{"findings": [{rule, sentence}], "changes": [why]}` from an export (every metric of every epoch).
    static func advice(_ exported: Body.Exported, spec: StudySpec) -> String {
        let advice = Advisor(spec: spec, trials: exported.trials.compactMap(Observed.init(export:))).advise()
        var json = JSONText()
        json.raw("{\"findings\":")
        json.list(advice.findings) { j, f in
            j.raw("{\"rule\":"); j.string(f.rule.rawValue); j.raw(",\"sentence\":"); j.string(f.sentence); j.raw("}")
        }
        json.raw(",\"changes\":")
        json.list(advice.changes) { j, c in j.string(c.why) }
        json.raw("}")
        return json.text
    }
}
