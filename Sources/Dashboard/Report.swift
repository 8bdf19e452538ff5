import Foundation
import Config
import Protocol
import Search
import TrialSpecs

/// `sweep report`: the study page as one HTML file, its data, script and style inline, that
/// opens offline and never asks for anything.
public enum Report {
    public static func html(exported: Body.Exported, status: Body.StudyStatus) throws -> String {
        guard let config = exported.spec else { throw LinkError(code: nil, "the coordinator sent no spec for \(exported.study)") }
        let spec = try StudySpec(config: config, trials: TrialSpec.rules.keysOnly)
        let rows = exported.trials.compactMap { row($0, metric: exported.metric) }
        let data = Payload.study(status: status, spec: config, objectives: spec.objectives, axes: Axis.of(spec.space),
                                 base: Payload.base(rows, fallback: 0), seq: 0, rows: rows)
        let script = "window.SWEEP_REPORT = {study: \(data), importance: \(Insight.importance(rows, spec: spec)), advice: \(Insight.advice(exported, spec: spec))};"
        let page = Assets.files["index.html"]!
            .replacingOccurrences(of: "<link rel=\"stylesheet\" href=\"/assets/app.css\">", with: "<style>\n\(Assets.files["app.css"]!)</style>")
            .replacingOccurrences(of: "<script src=\"/assets/app.js\"></script>",
                                  with: "<script>\n\(script)\n</script>\n<script>\n\(Assets.files["app.js"]!.replacingOccurrences(of: "</script", with: "<\\/script"))</script>")
        return page.replacingOccurrences(of: "<title>Sweep</title>", with: "<title>\(escape(exported.name)) (\(exported.study)) — Sweep report</title>")
    }

    /// An EXPORTED trial as a watcher's row: the objective's curve out of every metric of every epoch.
    static func row(_ trial: Config, metric: String) -> Body.TrialRow? {
        guard trial[path: "final"] != .bool(true), case let .number(n)? = trial[path: "trial"], case let .string(s)? = trial[path: "status"],
              let state = TrialState(rawValue: s) else { return nil }
        var epochs: [Int] = [], values: [Double] = []
        if case let .array(metrics)? = trial[path: "metrics"] {
            for epoch in metrics {
                guard case let .number(e)? = epoch[path: "epoch"], let v = epoch[path: metric] else { continue }
                epochs.append(Int(e))
                values.append(v.metric)
            }
        }
        func number(_ key: String) -> Double? { if case let .number(d)? = trial[path: key] { d } else { nil } }
        func text(_ key: String) -> String? { if case let .string(t)? = trial[path: key] { t } else { nil } }
        let feasible: Bool? = if case let .bool(b)? = trial[path: "feasible"] { b } else { nil }
        func numbers(_ key: String) -> [Double?]? {
            guard case let .array(items)? = trial[path: key] else { return nil }
            return items.map { if case let .number(d) = $0, d.isFinite { d } else { nil } }
        }
        let reason = text("stop_reason.rule").map { rule in text("stop_reason.detail").map { "\(rule): \($0)" } ?? rule }
        return Body.TrialRow(trial: Int(n), status: state, value: number("value"), epochs: epochs, values: values,
                             params: trial[path: "config"] ?? .object([:]), worker: text("worker"), started: number("started_at"), ended: number("ended_at"),
                             attempt: Int(number("attempt") ?? 0), origin: text("origin").flatMap(Origin.init(rawValue:)) ?? .suggested, reason: reason,
                             objectives: numbers("values"), feasible: feasible, violations: numbers("violations"))
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
