import ArgumentParser
import Foundation
import Logging
import Dashboard
import Protocol
import Service

struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Serve a live, read-only web dashboard of the coordinator's studies.",
        discussion: """
        Connects to the coordinator like the other commands and serves every study: its trials \
        (sortable, filterable, paged), optimization history, intermediate values, parallel \
        coordinates, slices, parameter importance, a timeline per worker and the advisor's \
        diagnosis, kept live by the coordinator's pushes. Every asset ships inside sweep: the \
        page loads nothing from the network.

        On loopback (the default) anyone on this machine may read it. On another address it needs \
        a token, printed at start (or read from --token-file), in the URL it prints. To reach a \
        dashboard on a coordinator host, tunnel instead: ssh -L 8080:127.0.0.1:8080 HOST.

        Examples:
          sweep dashboard                       http://127.0.0.1:8080
          sweep dashboard --listen 0.0.0.0:8080 --token-file ~/.sweep/dashboard.token
        """)
    @Option(help: "HOST:PORT (or PORT) to serve on; port 0 takes a free one.") var listen = "127.0.0.1:8080"
    @Option(help: "A file holding the token browsers must show off loopback (default: a new token, printed).") var tokenFile: String?
    @OptionGroup var coordinator: CoordinatorOption

    mutating func run() async throws {
        guard let address = HTTPAddress(listen, allowZero: true) else {
            throw ValidationError("--listen must be HOST:PORT or PORT, e.g. 127.0.0.1:8080 (got '\(listen)')")
        }
        let (host, port, loopback) = (address.host, address.port, address.isLoopback)
        var token: String?
        if let tokenFile {
            guard let text = try? String(contentsOfFile: tokenFile, encoding: .utf8), !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw ValidationError("--token-file \(tokenFile) cannot be read or is empty; write a token into it (sweep dashboard prints a fresh one without the option)")
            }
            token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        } else if !loopback {
            token = Access.newToken()
        }
        var logger = Logger(label: "sweep.dashboard")
        logger.logLevel = .notice
        // Read-only: nothing to save on the way out.
        onTermination { Foundation.exit(0) }
        let server = Server(host: host, port: port, access: Access(token: token), link: ClientLink(coordinator), logger: logger)
        let shown = host.contains(":") ? "[\(host)]" : host
        let query = token.map { "?token=\($0)" } ?? ""
        let fresh = !loopback && tokenFile == nil ? "  (a new token with every start; --token-file keeps one)" : ""
        try await server.run { bound in
            // Written at once, not buffered: scripts wait for this line to know the port.
            FileHandle.standardOutput.write(Data("dashboard: http://\(shown):\(bound)/\(query)\(fresh)\n".utf8))
        }
    }
}

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a study's dashboard page as one self-contained HTML file.",
        discussion: """
        The same views as sweep dashboard, with the data, script and style inside the file: it \
        opens offline, in any browser, to attach to a paper, a pull request or a ticket.

        STUDY may also be an export file (sweep run --export, sweep export --format json): the \
        page is made here, without a coordinator.

        Examples:
          sweep report s-000001 -o s-000001.html
          sweep report round1.json -o round1.html
        """)
    @Argument(help: "The study id, or an export file (JSON).") var study: String
    @Option(name: [.short, .customLong("output")], help: "The HTML file to write.") var output: String
    @OptionGroup var coordinator: CoordinatorOption

    mutating func run() async throws {
        if try ExportFile.names(study) {
            let (exported, _, spec) = try ExportFile.read(study)
            return try write(Report.html(exported: exported, status: ExportFile.status(exported, spec)), exported)
        }
        let client = try await coordinator.connect()
        defer { client.close() }
        let exported = try await client.request(.export, Body.Export(study: study), timeout: .seconds(120)).decode(Body.Exported.self)
        guard let status = try await client.request(.status, Body.StudyRef(study: study)).decode(Body.StatusReply.self).studies.first else {
            throw Failure("the coordinator sent no status for \(study)")
        }
        try write(Report.html(exported: exported, status: status), exported)
    }

    func write(_ html: String, _ exported: Body.Exported) throws {
        do { try html.write(toFile: output, atomically: true, encoding: .utf8) } catch { throw Failure("cannot write \(output): \(error)") }
        print("\(output): \(exported.trials.count) trials of \(study) \(exported.name), \(html.utf8.count / 1024) KiB; opens offline")
    }
}
