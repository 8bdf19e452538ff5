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

enum Payload {
    /// `[trial, status, value, [params by axis], [epochs], [values], worker, started_at, ended_at, attempt, origin, reason]`.
    static func row(_ t: Body.TrialRow, axes: [Axis], into json: inout JSONText) {
        json.raw("[")
        json.int(t.trial); json.raw(",")
        json.string(t.status.rawValue); json.raw(",")
        json.number(t.value); json.raw(",")
        // Parameter names are dotted keys of one flat object, not paths.
        let params: [String: Config] = if case let .object(o) = t.params { o } else { [:] }
        json.list(axes) { j, axis in j.value(params[axis.name]) }
        json.raw(",")
        json.list(t.epochs) { j, e in j.int(e) }
        json.raw(",")
        json.list(t.values) { j, v in j.number(v) }
        json.raw(",")
        json.string(t.worker); json.raw(",")
        json.number(t.started); json.raw(",")
        json.number(t.ended); json.raw(",")
        json.int(t.attempt); json.raw(",")
        json.string(t.origin.rawValue); json.raw(",")
        json.string(t.reason)
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

    /// A whole study: status, spec, axes, the sequence number of the last push it includes, and every trial.
    static func study(status: Body.StudyStatus, spec: Config, direction: Direction, axes: [Axis], seq: Int, rows: some Collection<Body.TrialRow>) -> String {
        var json = JSONText(capacity: rows.count * 160 + 4096)
        json.raw("{\"status\":"); json.encoded(status)
        json.raw(",\"spec\":"); json.value(spec)
        json.raw(",\"direction\":"); json.string(direction.rawValue)
        json.raw(",\"axes\":"); Self.axes(axes, into: &json)
        json.raw(",\"seq\":"); json.int(seq)
        json.raw(",\"trials\":"); json.list(rows) { j, row in Self.row(row, axes: axes, into: &j) }
        json.raw("}")
        return json.text
    }

    /// A push: the trials that changed and the study's status.
    static func push(seq: Int, status: Body.StudyStatus, rows: [Body.TrialRow], axes: [Axis]) -> String {
        var json = JSONText(capacity: rows.count * 160 + 1024)
        json.raw("{\"seq\":"); json.int(seq)
        json.raw(",\"status\":"); json.encoded(status)
        json.raw(",\"trials\":"); json.list(rows) { j, row in Self.row(row, axes: axes, into: &j) }
        json.raw("}")
        return json.text
    }
}
