import ArgumentParser
import Foundation
import Protocol

struct Logs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a trial's output (its stderr and the stdout lines that are not reports), from whichever machine ran it.",
        discussion: """
        The coordinator keeps the newest lines of each trial (its output_lines setting). With \
        --follow, lines are printed as the trial writes them, until it ends.

        Examples:
          sweep logs s-000001 7
          sweep logs s-000001 7 --follow
        """)
    @Argument(help: "The study id.") var study: String
    @Argument(help: "The trial number (as leaderboards show it; -1: the final trial).") var trial: Int
    @Flag(help: "Keep printing while the trial runs.") var follow = false
    @OptionGroup var coordinator: CoordinatorOption

    mutating func run() async throws {
        let client = try await coordinator.connect()
        defer { client.close() }
        var after = 0
        while true {
            let reply = try await client.request(.logs, Body.Logs(study: study, trial: trial, after: after)).decode(Body.LogsReply.self)
            // Each line to the stream it came from, so `2>/dev/null` keeps only the program's stdout.
            for line in reply.lines {
                if line.stream == .stderr { FileHandle.standardError.write(Data((line.text + "\n").utf8)) } else { print(line.text) }
            }
            after = reply.next
            guard follow, reply.running else { return }
            try await Task.sleep(for: .seconds(1))
        }
    }
}
