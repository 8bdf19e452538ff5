import Search

extension LocalStudy {
    /// The leaderboard as text: rank, trial, status, objective, epoch, key parameters, seconds.
    public func leaderboard(top: Int = 10) -> String {
        let ranked = trials.sorted { a, b in
            let x = a.value.map(spec.direction.loss) ?? .infinity, y = b.value.map(spec.direction.loss) ?? .infinity
            return x != y ? x < y : a.number < b.number
        }
        let keys = spec.space.searched.map(\.name)
        var lines = ["rank  trial  status     \(spec.metric.padding(toLength: 20, withPad: " ", startingAt: 0)) epoch  seconds  parameters"]
        for (rank, t) in ranked.prefix(top).enumerated() {
            let value = t.value.map { String(format: "%.4f", $0) } ?? "-"
            let epoch = t.lastStep.map(String.init) ?? "-"
            let seconds = details[t.number].map { String(format: "%.1f", $0.seconds) } ?? "-"
            let params = keys.compactMap { k in t.configuration[k].map { "\(k)=\(short($0.description))" } }.joined(separator: " ")
            lines.append("\(pad(rank + 1, 4))  \(pad(t.number, 5))  \(t.state.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0))  \(value.padding(toLength: 20, withPad: " ", startingAt: 0)) \(epoch.padding(toLength: 5, withPad: " ", startingAt: 0))  \(seconds.padding(toLength: 7, withPad: " ", startingAt: 0))  \(params)")
        }
        return lines.joined(separator: "\n")
    }

    private func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: " ", count: Swift.max(0, width - s.count)) + s
    }

    private func short(_ text: String) -> String {
        guard let d = Double(text), d != d.rounded() else { return text }
        return String(format: "%.3g", d)
    }
}
