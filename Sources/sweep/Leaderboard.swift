import ArgumentParser
import Foundation
import Config
import Protocol
import Search

/// A study's status as STATUS_REPLY, SNAPSHOT and UPDATE carry it, in a line.
extension Body.StudyStatus {
    /// Trials that have ended.
    var done: Int { trials - queued - running }

    var line: String {
        if state == .failed, let reason { return "\(study) \(name): failed: \(reason)" }
        var text = "\(study) \(name): \(state.rawValue), \(done)\(budget.map { "/\($0)" } ?? "") trials done (\(running) running, \(completed) completed, \(pruned) pruned, \(failed) failed or diverged)"
        if let elapsed {
            text += ", \(clock(elapsed)) elapsed"
            // Trials end at the rate they have so far; what is left takes as long again.
            if state == .running, let budget, done > 0, budget > done { text += ", about \(clock(elapsed / Double(done) * Double(budget - done))) left" }
        }
        if let objectives { text += "; objectives \(objectives.joined(separator: ", "))" }
        if let front { text += "; \(front) on the Pareto front" }
        if let constraints { text += "; constraints \(constraints.joined(separator: ", ")) (\(feasible ?? 0) feasible)" }
        if constraints != nil, best == nil, done > 0 { text += "; no feasible trial yet" }
        if let best, let objective {
            text += "; best trial \(best) at \(metric.map { "\($0) " } ?? "")\(format(objective))\(objectives == nil ? "" : " (the front's best on the first objective)")"
        }
        if case let .object(score)? = test {
            let numbers = score.keys.sorted().filter { $0.hasPrefix("test_") }.compactMap { key in score[key].map { "\(key) \(format($0.metric))" } }
            text += numbers.isEmpty ? ", test: \(score["error"].map { "\($0)" } ?? "not scored")" : ", " + numbers.joined(separator: ", ")
        }
        if let warm { text += "; warm-started from \(warm) trials" }
        if let tags, !tags.isEmpty { text += " [\(tags.joined(separator: ", "))]" }
        if let note { text += "\n  note: \(note)" }
        return text
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

/// Seconds as `42s`, `3m05s` or `2h10m`.
func clock(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    if s < 60 { return "\(s)s" }
    if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
    return String(format: "%dh%02dm", s / 3600, s / 60 % 60)
}

/// An objective for a table: 4 decimals, or 4 significant digits when that would show only zeros.
func format(_ value: Double) -> String {
    value != 0 && abs(value) < 1e-3 || abs(value) >= 1e6 ? String(format: "%.4g", value) : String(format: "%.4f", value)
}

/// A parameter value for a table: numbers to 4 significant digits (export keeps them whole).
func short(_ value: Config) -> String {
    if case let .number(n) = value, n != n.rounded() { return String(format: "%.4g", n) }
    return value.description
}

/// Columns padded to their widest cell.
struct Table {
    let header: [String]
    let rows: [[String]]
    init(_ header: [String], _ rows: [[String]]) { self.header = header; self.rows = rows }

    var text: String {
        let widths = header.indices.map { i in ([header] + rows).map { $0[i].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

struct Leaderboard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a study's leaderboard; with --follow, keep it live until the study ends.",
        discussion: """
        With --follow the coordinator pushes each change (FOLLOW, then UPDATEs); the table is \
        printed again whenever it changes. --json prints one JSON object per snapshot or update.

        Examples:
          sweep leaderboard s-000001
          sweep leaderboard s-000001 --follow --top 10
        """)
    @Argument(help: "The study id.") var study: String
    @Option(help: "Rows to show.") var top = 10
    @Flag(help: "Keep printing until the study is no longer running.") var follow = false
    @Flag(help: "Print JSON instead of a table.") var json = false
    @OptionGroup var coordinator: CoordinatorOption

    mutating func run() async throws {
        let client = try await coordinator.connect()
        defer { client.close() }
        let snapshot = try await client.request(.follow, Body.Follow(study: study, top: top))
        var board = try snapshot.decode(Body.Rows.self)
        var rows = board.rows
        show(rows, board.status, body: snapshot.body)
        guard follow, board.status.state.isActive else { return }
        // The coordinator drops followers it has not heard from for a few heartbeats.
        let heartbeat = Task { [client] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                _ = try? await client.send(.heartbeat, Body.Empty())
            }
        }
        defer { heartbeat.cancel() }
        var lastShown = ContinuousClock.now
        while let message = try await client.next() {
            guard message.header.type == .update else { continue }
            let update = try message.decode(Body.Rows.self)
            if update.seq != board.seq + 1 {
                // A lost update: start again from a snapshot.
                board = try await client.request(.follow, Body.Follow(study: study, top: top)).decode(Body.Rows.self)
                rows = board.rows
            } else {
                board = update
                for row in update.rows where row.rank <= rows.count { rows[row.rank - 1] = row }
                rows += update.rows.filter { $0.rank > rows.count }.sorted { $0.rank < $1.rank }
                rows = Array(rows.prefix(update.count))
            }
            if !board.status.state.isActive { show(rows, board.status, body: message.body); break }
            // A terminal redraws in place; a log gets at most one table every few seconds.
            if json || live || ContinuousClock.now - lastShown >= .seconds(5) {
                show(rows, board.status, body: message.body)
                lastShown = ContinuousClock.now
            }
        }
        _ = try? await client.send(.unfollow, Body.StudyRef(study: study))
    }

    func show(_ rows: [Body.Row], _ status: Body.StudyStatus, body: Data) {
        if json { return print(String(decoding: body, as: UTF8.self)) }
        // Several objectives: a column each, then the trial's Pareto front and how many dominate it.
        let metrics = status.objectives?.map { String($0.split(separator: " ")[0]) } ?? [status.metric ?? "objective"]
        let several = status.objectives != nil, constrained = status.constraints != nil
        let bounded = status.constraints?.map { String($0.split(separator: " ")[0]) } ?? []
        let table = Table(["rank", "trial", "status"] + metrics + (several ? ["front", "dominated"] : []) + (constrained ? ["feasible"] : [])
                          + ["epoch", "worker", "elapsed", "why", "configuration"], rows.map { r in
            let params: String = if case let .object(o) = r.params { o.keys.sorted().map { "\($0)=\(short(o[$0]!))" }.joined(separator: " ") } else { "" }
            let epoch = r.epoch.map { e in r.epochs.map { "\(e)/\($0)" } ?? "\(e)" } ?? "-"
            let why = r.reason.map { $0.count > 60 ? $0.prefix(59) + "…" : $0 } ?? "-"
            let values = several ? metrics.indices.map { i in (r.values?[safe: i] ?? nil).map(format) ?? "-" } : [r.objective.map(format) ?? "-"]
            let pareto = several ? [r.front.map(String.init) ?? "-", r.dominated.map(String.init) ?? "-"] : []
            let feasible = constrained ? [r.violations.map { Feasibility.summary($0.map { $0 ?? .nan }, metrics: bounded) } ?? "-"] : []
            return ["\(r.rank)", "\(r.trial)", r.status.rawValue] + values + pareto + feasible + [epoch, r.worker ?? "-",
                    r.elapsed.map { String(format: "%.1fs", $0) } ?? "-", why, params]
        })
        print((live ? "\u{1B}[H\u{1B}[2J" : "") + status.line + "\n" + table.text + "\n")
    }

    /// Following on a terminal: redraw the screen instead of scrolling.
    var live: Bool { follow && !json && isatty(STDOUT_FILENO) != 0 }
}
