import Foundation
import Config
import Protocol
import Search
import TrialSpecs

/// An export file read as the coordinator's EXPORTED reply, with its spec.
enum ExportFile {
    /// Whether a command's STUDY argument is an export file (true) or a study id (false); a path
    /// to no file is an error, not a study id the coordinator would not know.
    static func names(_ argument: String) throws -> Bool {
        if FileManager.default.fileExists(atPath: argument) { return true }
        guard argument.hasSuffix(".json") || argument.contains("/") else { return false }
        throw Failure("\(argument): no such file (an export: sweep run --export FILE, sweep export STUDY --format json), and not a study id (s-000001)")
    }

    /// How a spec written to `spec` names the export at `path` as its warm_start: relative to
    /// the spec's folder when the export lies in it or below (`sweep run` looks there first),
    /// else the absolute path.
    static func relative(_ path: String, from spec: String) -> String {
        let file = URL(fileURLWithPath: path).standardizedFileURL.path
        let folder = URL(fileURLWithPath: spec).standardizedFileURL.deletingLastPathComponent().path
        return file.hasPrefix(folder + "/") ? String(file.dropFirst(folder.count + 1)) : file
    }

    static func read(_ path: String) throws -> (Body.Exported, Config, StudySpec) {
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure("cannot read \(path)") }
        let exported: Body.Exported
        do { exported = try Envelope(header: Header(type: .exported, id: "file"), body: data).decode(Body.Exported.self) } catch {
            throw Failure("\(path) is not an export (sweep export STUDY --format json or sweep run --export writes one): \(error.body.message)")
        }
        guard let config = exported.spec else { throw Failure("\(path) holds no spec (written by an older sweep?): export the study again") }
        do { return (exported, config, try StudySpec(config: config, trials: TrialSpec.rules.keysOnly)) } catch let error as SpecError {
            throw Failure("\(path): its spec is not valid here: \(error)")
        }
    }

    /// What a coordinator's STATUS would say of the exported study (for `sweep report`): its
    /// trials counted by state, its best, its Pareto front and feasible trials, as the study
    /// engine ranks them. The state is read off the trials: running while any is queued or
    /// running, cancelled when one was, else completed.
    static func status(_ exported: Body.Exported, _ spec: StudySpec) -> Body.StudyStatus {
        let trials = exported.trials.filter { $0[path: "final"] != .bool(true) }.compactMap { t -> Trial? in
            guard case let .number(n)? = t[path: "trial"], case let .string(s)? = t[path: "status"], let state = TrialState(rawValue: s) else { return nil }
            let config: [String: Config] = if case let .object(o)? = t[path: "config"] { o } else { [:] }
            let value: Double? = if case let .number(v)? = t[path: "value"] { v } else { nil }
            let values: [Double] = if case let .array(a)? = t[path: "values"] { a.map(\.metric) } else { [] }
            let violations: [Double] = if case let .array(a)? = t[path: "violations"] { a.map(\.metric) } else { [] }
            return Trial(number: Int(n), configuration: Configuration(config), state: state, value: value, values: values, violations: violations)
        }.sorted { $0.number < $1.number }
        let engine = StudyEngine(spec: spec, start: 0, trials: trials)
        let best = engine.best(), several = spec.objectives.count > 1, constrained = !spec.constraints.isEmpty
        func count(_ states: TrialState...) -> Int { trials.count { states.contains($0.state) } }
        let state: StudyState = count(.queued, .running) > 0 ? .running : count(.cancelled) > 0 ? .cancelled : .completed
        return Body.StudyStatus(study: exported.study, name: exported.name, state: state, trials: trials.count, queued: count(.queued), running: count(.running),
                                completed: count(.completed), pruned: count(.pruned), failed: count(.failed, .diverged),
                                best: best?.number, objective: best?.value, test: exported.test, budget: spec.budget.maxTrials, metric: spec.metric,
                                objectives: several ? spec.objectives.map { "\($0.metric) \($0.direction.rawValue)" } : nil,
                                front: several ? engine.standings().values.count { $0.front == 1 } : nil,
                                constraints: constrained ? spec.constraints.map(\.description) : nil,
                                feasible: constrained ? engine.feasible : nil)
    }
}
