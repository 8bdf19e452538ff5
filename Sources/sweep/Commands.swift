import ArgumentParser
import Foundation
import Config
import TrialSpecs
import Protocol
import Search

struct Submit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a search spec here, submit it to the coordinator, and print the study id.",
        discussion: "Example:\n  sweep submit examples/fashion-mnist-mlp.yaml --coordinator tcp://10.0.0.5:5556")
    @Argument(help: "A search spec file (YAML or JSON).") var spec: String
    @Option(help: "Start the samplers from an earlier study's trials: its id, or a file sweep export wrote (.json or .csv).")
    var warmStart: String?
    @OptionGroup var coordinator: CoordinatorOption

    mutating func run() async throws {
        let config = try Config.load(path: spec)
        // Every problem, with its path, before anything is sent.
        do { _ = try StudySpec(config: config, trials: TrialSpec.rules) } catch let error as SpecError { throw error.validation(file: spec) }
        // A spec's warm_start may name an export file (`sweep advise FILE --next` writes one): its trials are sent.
        let named = config[path: "warm_start"].map(\.description)
        let warm = try (warmStart ?? named.flatMap { WarmFile.named($0, besides: spec) }).map(WarmFile.read)
        let client = try await coordinator.connect()
        defer { client.close() }
        let reply = try await client.request(.submit, Body.Submit(spec: config, warmStart: warm))
        let submitted = try reply.decode(Body.Submitted.self)
        print(submitted.study)
        if let taken = submitted.warm {
            // On standard error: scripts read the study id alone from standard output.
            let source = warmStart ?? named ?? ""
            var text = "warm start: \(taken.taken) trial\(taken.taken == 1 ? "" : "s") taken from \(source)"
            for skip in taken.skipped { text += "\n  \(skip.count) left out: \(skip.reason)" }
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
    }
}

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the state of every study (or one).",
                                                    discussion: "Examples:\n  sweep status\n  sweep status s-000001 --json")
    @Argument(help: "A study id (all studies when absent).") var study: String?
    @Flag(help: "Print the STATUS_REPLY body as JSON.") var json = false
    @OptionGroup var coordinator: CoordinatorOption

    mutating func run() async throws {
        let client = try await coordinator.connect()
        defer { client.close() }
        let reply = try await client.request(.status, Body.StudyRef(study: study))
        if json { return print(String(decoding: reply.body, as: UTF8.self)) }
        let studies = try reply.decode(Body.StatusReply.self).studies
        if studies.isEmpty { return print("no studies (submit one with: sweep submit SPEC)") }
        for s in studies { print(s.line) }
    }
}

struct Cancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Cancel a study: queued trials never run, running ones stop now.",
                                                    discussion: "Example:\n  sweep cancel s-000001")
    @Argument(help: "The study id.") var study: String
    @OptionGroup var coordinator: CoordinatorOption

    mutating func run() async throws {
        let client = try await coordinator.connect()
        defer { client.close() }
        _ = try await client.request(.cancel, Body.StudyRef(study: study))
        print("cancelled \(study)")
    }
}

struct Workers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the workers the coordinator knows, with what they run; release a quarantined one.",
        discussion: """
        A worker that fails several trials in a row for its machine's reasons (data or program \
        missing there, out of memory) is quarantined: it gets no trials until released here or \
        restarted. Its failed trials run on other workers and do not count against them.

        Examples:
          sweep workers
          sweep workers --release gpu-3
        """)
    @Flag(help: "Print the WORKERS_REPLY body as JSON.") var json = false
    @Option(help: "Release this quarantined worker: it gets trials again.") var release: String?
    @OptionGroup var coordinator: CoordinatorOption

    mutating func run() async throws {
        let client = try await coordinator.connect()
        defer { client.close() }
        if let release {
            _ = try await client.request(.release, Body.Release(worker: release))
            return print("released \(release): it gets trials again")
        }
        let reply = try await client.request(.workers, Body.Empty())
        if json { return print(String(decoding: reply.body, as: UTF8.self)) }
        let rows = try reply.decode(Body.WorkersReply.self).workers
        print(Table(["worker", "host", "threads", "state", "study", "trial", "last seen"],
                    rows.map { [$0.worker, $0.host, "\($0.threads)/\($0.cores)", $0.state.rawValue, $0.study ?? "-",
                                $0.number.map { $0 < 0 ? "final" : String($0) } ?? "-", "\($0.lastSeenMS) ms"] }).text)
        for row in rows where row.state == .quarantined {
            print("\(row.worker) is quarantined: \(row.reason ?? "its trials failed")\n  fix the machine, then: sweep workers --release \(row.worker) (or restart the worker)")
        }
    }
}

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write every trial of a study: parameters, status, stop reason and per-epoch metrics.",
        discussion: """
        CSV has one row per trial and epoch (a trial with no reports has one row with empty epoch \
        columns); JSON is the EXPORTED body.

        Examples:
          sweep export s-000001 --format csv > trials.csv
          sweep export s-000001 --format json --output s-000001.json
        """)
    enum Format: String, ExpressibleByArgument, CaseIterable { case csv, json }
    @Argument(help: "The study id.") var study: String
    @Option(help: "csv or json.") var format: Format = .csv
    @Option(help: "Write here instead of standard output.") var output: String?
    @OptionGroup var coordinator: CoordinatorOption

    mutating func run() async throws {
        let client = try await coordinator.connect()
        defer { client.close() }
        let reply = try await client.request(.export, Body.StudyRef(study: study), timeout: .seconds(60))
        let text = format == .json ? String(decoding: reply.body, as: UTF8.self) + "\n" : try csv(Config.parse(yaml: String(decoding: reply.body, as: UTF8.self), source: "EXPORTED"))
        if let output {
            do { try text.write(toFile: output, atomically: true, encoding: .utf8) } catch {
                let folder = (output as NSString).deletingLastPathComponent
                let why = FileManager.default.fileExists(atPath: folder.isEmpty ? "." : folder) ? "cannot write it (permissions, or a full disk?)" : "the folder \(folder) does not exist"
                throw Failure("cannot write \(output): \(why); nothing was written")
            }
        } else {
            print(text, terminator: "")
        }
    }

    /// One row per trial and epoch: trial, status, attempt, worker, value, stop rule and detail,
    /// then the parameters (`param.` prefix) and the epoch's metrics.
    func csv(_ exported: Config) throws -> String {
        guard case let .array(trials)? = exported[path: "trials"] else { throw Failure("the EXPORTED reply has no trials") }
        func keys(_ objects: [Config]) -> [String] {
            var names = Set<String>()
            for case let .object(o) in objects { names.formUnion(o.keys) }
            return names.subtracting(["epoch"]).sorted()
        }
        let params = keys(trials.compactMap { $0[path: "config"] })
        let metrics = keys(trials.flatMap { trial -> [Config] in if case let .array(a)? = trial[path: "metrics"] { a } else { [] } })
        var lines = [(["trial", "status", "attempt", "worker", "value", "stop_rule", "stop_detail"] + params.map { "param." + $0 } + ["epoch"] + metrics).joined(separator: ",")]
        for trial in trials {
            let number = trial[path: "final"] == .bool(true) ? "final" : cell(trial[path: "trial"])
            let head = [number] + ["status", "attempt", "worker", "value", "stop_reason.rule", "stop_reason.detail"].map { cell(trial[path: $0]) }
                + params.map { key in cell(trial[path: "config"].flatMap { if case let .object(o) = $0 { o[key] } else { nil } }) }
            let epochs: [Config] = if case let .array(a)? = trial[path: "metrics"], !a.isEmpty { a } else { [.object([:])] }
            for epoch in epochs {
                let values: [String: Config] = if case let .object(o) = epoch { o } else { [:] }
                lines.append((head + [cell(values["epoch"])] + metrics.map { cell(values[$0]) }).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func cell(_ value: Config?) -> String {
        let text: String = switch value {
        case nil, .null?: ""
        case let .string(s)?: s
        case let .number(n)?: n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : "\(n)"
        case let .bool(b)?: "\(b)"
        case let other?: other.json
        }
        return text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
