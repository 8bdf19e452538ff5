import ArgumentParser
import Version

@main
struct Sweep: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Distributed hyperparameter search: run trials, submit studies, follow leaderboards.",
        discussion: """
        Examples:
          sweep train examples/playbook/mlp.yaml          run one trial spec here and report test accuracy
          sweep train spec.yaml --threads 2 --epochs 3    override the thread count and epochs
          sweep run examples/fashion-mnist-mlp.yaml       a whole search study, locally
        """,
        version: Build.line("sweep"),
        subcommands: [Train.self, Run.self, Submit.self, Status.self, Leaderboard.self, Logs.self, Cancel.self, Export.self, Workers.self,
                      Enqueue.self, Extend.self, Retry.self, Rename.self, Note.self, Delete.self, Advise.self, ImportanceCommand.self, DashboardCommand.self, ReportCommand.self, Keygen.self]
    )
}

import Config

extension SpecError {
    /// Every problem of a spec file, one per line, as argument-parser's validation error.
    func validation(file: String) -> ValidationError {
        ValidationError("\(file) has \(problems.count) problem(s):\n" + problems.map { "  " + $0.description }.joined(separator: "\n"))
    }
}
