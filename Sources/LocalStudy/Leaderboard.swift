import Foundation
import Search

extension LocalStudy {
    /// The leaderboard as text: rank, trial, status, objective, epoch, seconds, why it stopped,
    /// the searched parameters; the best first, trials with no objective last. With several
    /// objectives: a column each, the Pareto front and the dominated-by count, ordered by front
    /// then by the first objective. With constraints: whether each trial keeps them, infeasible
    /// trials after feasible ones.
    public func leaderboard(top: Int = 10) -> String {
        let trials = trials, details = details, standings = standings
        let several = spec.objectives.count > 1
        let constrained = !spec.constraints.isEmpty
        let ranked = trials.sorted { a, b in
            if a.feasible != b.feasible { return a.feasible }
            let p = standings[a.number]?.front ?? .max, q = standings[b.number]?.front ?? .max
            if p != q { return p < q }
            let x = a.value.map(spec.direction.loss) ?? .infinity, y = b.value.map(spec.direction.loss) ?? .infinity
            return x != y ? x < y : a.number < b.number
        }
        let keys = spec.space.searched.map(\.name)
        let rows = ranked.prefix(top).enumerated().map { rank, t -> [String] in
            let value = t.value ?? t.lastStep.flatMap { t.reports[$0] }
            let why = t.reason.map { $0.description.count > 60 ? $0.description.prefix(59) + "…" : $0.description } ?? "-"
            let params = keys.compactMap { k in t.configuration[k].map { "\(k)=\(short($0.description))" } }.joined(separator: " ")
            let values = several ? spec.objectives.indices.map { i in t.latestValues.map { $0[i].isFinite ? number($0[i]) : "-" } ?? "-" } : [value.map(number) ?? "-"]
            let pareto = several ? [standings[t.number].map { "\($0.front)" } ?? "-", standings[t.number].map { "\($0.dominated)" } ?? "-"] : []
            let feasible = constrained ? [t.violations.isEmpty ? "-" : Feasibility.summary(t.violations, metrics: spec.constraints.map(\.metric))] : []
            return ["\(rank + 1)", "\(t.number)", t.state.rawValue] + values + pareto + feasible + [t.lastStep.map(String.init) ?? "-",
                    details[t.number].map { String(format: "%.1f", $0.seconds) } ?? "-", why, params]
        }
        let header = ["rank", "trial", "status"] + spec.objectives.map(\.metric) + (several ? ["front", "dominated"] : []) + (constrained ? ["feasible"] : []) + ["epoch", "seconds", "why", "configuration"]
        let widths = header.indices.map { i in ([header] + rows).map { $0[i].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// 4 decimals, or 4 significant digits for tiny and huge values.
    private func number(_ value: Double) -> String {
        value != 0 && abs(value) < 1e-3 || abs(value) >= 1e6 ? String(format: "%.4g", value) : String(format: "%.4f", value)
    }

    private func short(_ text: String) -> String {
        guard let d = Double(text), d != d.rounded() else { return text }
        return String(format: "%.3g", d)
    }
}
