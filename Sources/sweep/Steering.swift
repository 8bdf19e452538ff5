import ArgumentParser
import Foundation
import Config
import Protocol

struct Enqueue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Queue configurations to run next in a running study, before new suggestions.",
        discussion: """
        Values are read as YAML scalars (0.01 is a number, adam a string). A file holds one mapping \
        or a list of them. Every value is checked against the study's space; a value outside it is \
        an error naming it unless --allow-outside, which records the trial as outside on purpose. \
        Enqueued trials count against budget.max_trials and the samplers see them like any other.

        Examples:
          sweep enqueue s-000001 optimizer.lr=0.01 model.hidden=256
          sweep enqueue s-000001 --file known-good.yaml
        """)
    @Argument(help: "The study id.") var study: String
    @Argument(help: "key=value pairs: one configuration.") var values: [String] = []
    @Option(help: "A YAML or JSON file with one configuration or a list of them.") var file: String?
    @Flag(help: "Take values outside the space (recorded with origin outside).") var allowOutside = false
    @OptionGroup var coordinator: CoordinatorOption

    func validate() throws {
        if values.isEmpty && file == nil { throw ValidationError("give key=value pairs or --file FILE: the configuration(s) to queue") }
        if !values.isEmpty && file != nil { throw ValidationError("give key=value pairs or --file, not both") }
    }

    mutating func run() async throws {
        var trials: [Config] = []
        if let file {
            switch try Config.load(path: file) {
            case let .array(items): trials = items
            case let item: trials = [item]
            }
        } else {
            var object: [String: Config] = [:]
            for pair in values {
                guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else { throw ValidationError("'\(pair)' is not key=value (e.g. optimizer.lr=0.01)") }
                let key = String(pair[..<eq]), text = String(pair[pair.index(after: eq)...])
                guard object[key] == nil else { throw ValidationError("\(key) is given twice") }
                object[key] = (try? Config.parse(yaml: text, source: key)) ?? .string(text)
            }
            trials = [.object(object)]
        }
        let client = try await coordinator.connect()
        defer { client.close() }
        let numbers = try await client.queue(.enqueue, Body.Enqueue(study: study, trials: trials, allowOutside: allowOutside ? true : nil))
        print("queued as \(numbers) of \(study)")
        if let status = try await client.status(study), let budget = status.budget, status.trials > budget {
            print("note: \(study) now has \(status.trials) trials, over its budget of \(budget): the enqueued ones run, and no new suggestions start (sweep extend \(study) --trials N for more)")
        }
    }
}

struct Extend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Give a study more budget: it goes on with its whole history, then retrains and scores its best again.",
        discussion: "Examples:\n  sweep extend s-000001 --trials 20\n  sweep extend s-000001 --wall-time 3600")
    @Argument(help: "The study id.") var study: String
    @Option(help: "More search trials.") var trials: Int?
    @Option(help: "More seconds of wall time, from now.") var wallTime: Double?
    @OptionGroup var coordinator: CoordinatorOption

    func validate() throws {
        if trials == nil && wallTime == nil { throw ValidationError("give --trials N or --wall-time S (or both): how much more budget") }
        if let trials, trials < 1 { throw ValidationError("--trials must be ≥ 1 (got \(trials))") }
        if let wallTime, !(wallTime >= 1) { throw ValidationError("--wall-time must be ≥ 1 second (got \(wallTime))") }
    }

    mutating func run() async throws {
        let client = try await coordinator.connect()
        defer { client.close() }
        _ = try await client.request(.extend, Body.Extend(study: study, trials: trials, wallTime: wallTime))
        print(try await client.status(study)?.line ?? "extended \(study)")
    }
}

struct Retry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run finished trials again, each as its next attempt (earlier attempts are kept).",
        discussion: "Examples:\n  sweep retry s-000001 --failed\n  sweep retry s-000001 --trial 4 --trial 7")
    @Argument(help: "The study id.") var study: String
    @Flag(help: "Every failed trial (timed out included).") var failed = false
    @Option(name: .customLong("trial"), help: "A trial number (repeat for several).") var trials: [Int] = []
    @OptionGroup var coordinator: CoordinatorOption

    func validate() throws {
        if !failed && trials.isEmpty { throw ValidationError("give --failed or --trial N: which trials to run again") }
    }

    mutating func run() async throws {
        let client = try await coordinator.connect()
        defer { client.close() }
        let numbers = try await client.queue(.retry, Body.Retry(study: study, failed: failed ? true : nil, trials: trials.isEmpty ? nil : trials))
        print("\(numbers) of \(study) queued to run again")
    }
}

struct Delete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delete a study and everything stored of it (asks first unless --yes).",
        discussion: "A running study must be cancelled first.\n\nExample:\n  sweep delete s-000001 --yes")
    @Argument(help: "The study id.") var study: String
    @Flag(help: "Do not ask.") var yes = false
    @OptionGroup var coordinator: CoordinatorOption

    mutating func run() async throws {
        let client = try await coordinator.connect()
        defer { client.close() }
        let status = try await client.status(study)
        if !yes {
            guard isatty(STDIN_FILENO) != 0 else { throw Failure("not deleting \(study) without asking: add --yes (standard input is not a terminal)") }
            let what = status.map { "\($0.study) \($0.name) (\($0.trials) trials)" } ?? study
            print("delete \(what) and all its trials, metrics and output? [y/N] ", terminator: "")
            guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else { return print("nothing deleted") }
        }
        _ = try await client.request(.delete, Body.StudyRef(study: study))
        print("deleted \(study)")
    }
}

struct Rename: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Rename a study.", discussion: "Example:\n  sweep rename s-000001 mlp-baseline")
    @Argument(help: "The study id.") var study: String
    @Argument(help: "Its new name.") var name: String
    @OptionGroup var coordinator: CoordinatorOption

    mutating func run() async throws {
        let client = try await coordinator.connect()
        defer { client.close() }
        _ = try await client.request(.describe, Body.Describe(study: study, name: name))
        print("\(study) is now \(name)")
    }
}

struct Note: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a note on a study and set its tags; sweep status shows both.",
        discussion: "Examples:\n  sweep note s-000001 \"lr above 0.05 diverges\" --tag baseline --tag fashion\n  sweep note s-000001 --clear")
    @Argument(help: "The study id.") var study: String
    @Argument(help: "The note (replaces the one it had).") var text: String?
    @Option(name: .customLong("tag"), help: "A tag (repeat for several; replaces its tags).") var tags: [String] = []
    @Flag(help: "Remove its note and tags.") var clear = false
    @OptionGroup var coordinator: CoordinatorOption

    func validate() throws {
        if text == nil && tags.isEmpty && !clear { throw ValidationError("give a note, --tag T, or --clear") }
        if clear && (text != nil || !tags.isEmpty) { throw ValidationError("--clear removes the note and tags: give it alone") }
    }

    mutating func run() async throws {
        let client = try await coordinator.connect()
        defer { client.close() }
        _ = try await client.request(.describe, Body.Describe(study: study, note: clear ? "" : text, tags: clear ? [] : tags.isEmpty ? nil : tags))
        print(try await client.status(study)?.line ?? study)
    }
}

extension Client {
    /// Sends a request answered by QUEUED; the trials it queued, as `trials 4, 5`.
    func queue<B: MessageBody>(_ type: MessageType, _ body: B) async throws -> String {
        let numbers = try await request(type, body).decode(Body.Queued.self).trials
        return "trial\(numbers.count == 1 ? "" : "s") " + numbers.map(String.init).joined(separator: ", ")
    }

    /// One study's status, as the commands that change a study print it afterwards.
    func status(_ study: String) async throws -> Body.StudyStatus? {
        try await request(.status, Body.StudyRef(study: study)).decode(Body.StatusReply.self).studies.first
    }
}
