import Config
import Protocol
import Search

/// What the page draws, in the shape it reads: one array per trial (no repeated keys) and the
/// searched parameters as axes. The live page and the report get the same text.
public struct Axis: Sendable, Equatable {
    public enum Scale: String, Sendable { case linear, log, choice }
    public let name: String
    public let scale: Scale
    public let low: Double?
    public let high: Double?
    public let choices: [Config]

    /// The searched parameters of `space`, in its order.
    public static func of(_ space: SearchSpace) -> [Axis] {
        space.searched.compactMap { p in
            switch p.domain {
            case let .float(low, high, log, _): Axis(name: p.name, scale: log ? .log : .linear, low: low, high: high, choices: [])
            case let .int(low, high, log, _): Axis(name: p.name, scale: log ? .log : .linear, low: Double(low), high: Double(high), choices: [])
            case let .choice(values): Axis(name: p.name, scale: .choice, low: nil, high: nil, choices: values)
            case .fixed: nil
            }
        }
    }
}

/// The page's data is about half the size of plain rows (a 100,000-trial study is the page's
/// longest wait): states and origins as indices into `codes`, times in seconds from `codes.base`
/// to the millisecond, epochs 1…k as k, and curves to 6 significant digits (a plot is a few
/// hundred pixels high; the trial panel reads exact values from the coordinator).
enum Payload {
    static let states = TrialState.allCases, origins = Origin.allCases

    /// `[trial, state, value, [params by axis], epochs, [values], worker, started, ended, attempt, origin, reason, [objectives], feasible]`,
    /// `epochs` a number k when they are 1…k, else their list; `state` and `origin` indices into `codes`;
    /// `objectives` null with one objective; `feasible` 1, 0, or null without constraints.
    static func row(_ t: Body.TrialRow, axes: [Axis], base: Double, into json: inout JSONText) {
        json.raw("[")
        json.int(t.trial); json.raw(",")
        json.int(states.firstIndex(of: t.status)); json.raw(",")
        json.number(t.value); json.raw(",")
        // Parameter names are dotted keys of one flat object, not paths.
        let params: [String: Config] = if case let .object(o) = t.params { o } else { [:] }
        json.list(axes) { j, axis in j.value(params[axis.name]) }
        json.raw(",")
        if t.epochs.enumerated().allSatisfy({ $0.offset + 1 == $0.element }) { json.int(t.epochs.count) } else { json.list(t.epochs) { j, e in j.int(e) } }
        json.raw(",")
        json.list(t.values) { j, v in j.number(v, significant: 6) }
        json.raw(",")
        json.string(t.worker); json.raw(",")
        json.number(t.started.map { ($0 - base) }, decimals: 3); json.raw(",")
        json.number(t.ended.map { ($0 - base) }, decimals: 3); json.raw(",")
        json.int(t.attempt); json.raw(",")
        json.int(origins.firstIndex(of: t.origin)); json.raw(",")
        json.string(t.reason); json.raw(",")
        if let objectives = t.objectives { json.list(objectives) { j, v in j.number(v) } } else { json.raw("null") }
        json.raw(",")
        json.raw(t.feasible.map { $0 ? "1" : "0" } ?? "null")
        json.raw("]")
    }

    static func axes(_ axes: [Axis], into json: inout JSONText) {
        json.list(axes) { j, a in
            j.raw("{\"name\":"); j.string(a.name)
            j.raw(",\"scale\":"); j.string(a.scale.rawValue)
            j.raw(",\"low\":"); j.number(a.low)
            j.raw(",\"high\":"); j.number(a.high)
            j.raw(",\"choices\":"); j.value(.array(a.choices))
            j.raw("}")
        }
    }

    /// What the rows' indices and times mean.
    static func codes(base: Double, into json: inout JSONText) {
        json.raw("{\"states\":"); json.list(states) { j, s in j.string(s.rawValue) }
        json.raw(",\"origins\":"); json.list(origins) { j, o in j.string(o.rawValue) }
        json.raw(",\"base\":"); json.number(base)
        json.raw("}")
    }

    /// The whole second a study's times count from: its first start (or `fallback`, before any).
    static func base(_ rows: some Collection<Body.TrialRow>, fallback: Double) -> Double {
        (rows.lazy.compactMap(\.started).min() ?? fallback).rounded(.down)
    }

    /// A whole study: status, spec, axes, codes, the sequence number of the last push it includes, and every trial.
    static func study(status: Body.StudyStatus, spec: Config, objectives: [Objective], axes: [Axis], base: Double, seq: Int,
                      rows: some Collection<Body.TrialRow>) -> String {
        var json = JSONText(capacity: rows.count * 120 + 4096)
        json.raw("{\"status\":"); json.encoded(status)
        json.raw(",\"spec\":"); json.value(spec)
        json.raw(",\"direction\":"); json.string(objectives[0].direction.rawValue)
        json.raw(",\"objectives\":"); json.list(objectives) { j, o in
            j.raw("{\"metric\":"); j.string(o.metric); j.raw(",\"direction\":"); j.string(o.direction.rawValue); j.raw("}")
        }
        json.raw(",\"axes\":"); Self.axes(axes, into: &json)
        json.raw(",\"codes\":"); codes(base: base, into: &json)
        json.raw(",\"seq\":"); json.int(seq)
        json.raw(",\"trials\":"); json.list(rows) { j, row in Self.row(row, axes: axes, base: base, into: &j) }
        json.raw("}")
        return json.text
    }

    /// A push: the trials that changed and the study's status (in the codes of the study it follows).
    static func push(seq: Int, status: Body.StudyStatus, rows: [Body.TrialRow], axes: [Axis], base: Double) -> String {
        var json = JSONText(capacity: rows.count * 120 + 1024)
        json.raw("{\"seq\":"); json.int(seq)
        json.raw(",\"status\":"); json.encoded(status)
        json.raw(",\"trials\":"); json.list(rows) { j, row in Self.row(row, axes: axes, base: base, into: &j) }
        json.raw("}")
        return json.text
    }
}
