import Config
import Search

/// Which values of a searched choice never win, too clearly for chance.
extension Advisor {
    /// How a choice's value did: its trials, whether any reached the top quarter, its best rank
    /// and value, how often as many random trials all rank that low, and how many values were
    /// tested beside it.
    struct Standing {
        let ran: Int, won: Bool, rank: Int, best: Double?, chance: Double
        var tested = 1
    }

    /// The choices' values that lost too clearly for chance, by parameter: Holm's step-down over
    /// every value tried at least 3 times, as for ranges.
    func losingValues() -> [String: [Config: Standing]] {
        let f = ranked
        guard f.count >= 8 else { return [:] }
        let top = f.prefix(max(2, f.count / 4))
        // Every ranked trial and, below them, the finished ones outside the ranking (failed,
        // diverged, stopped without a value).
        let all = trials.filter { $0.state.isFinished && $0.state != .cancelled }
        var tests: [(name: String, value: Config, standing: Standing)] = []
        for p in spec.space.searched {
            guard case let .choice(values) = p.domain, values.count >= 2 else { continue }
            for value in values {
                let ran = all.filter { $0.values[p.name] == value }.count
                guard ran >= 3 else { continue }
                let first = f.firstIndex { $0.values[p.name] == value }
                let rank = (first ?? f.count) + 1
                tests.append((p.name, value, Standing(ran: ran, won: top.contains { $0.values[p.name] == value }, rank: rank,
                                                      best: first.flatMap { f[$0].value }, chance: Self.chance(rank: rank, of: ran, among: all.count))))
            }
        }
        var losing: [String: [Config: Standing]] = [:]
        // A value that reached the top quarter is tested at chance 1: it never passes.
        for k in Self.holm(tests.map { $0.standing.won ? 1 : $0.standing.chance }) {
            var standing = tests[k].standing
            standing.tested = tests.count
            losing[tests[k].name, default: [:]][tests[k].value] = standing
        }
        return losing
    }

    /// A choice with several trials that never reached the top quarter is dropped, when its
    /// trials rank too low together for chance: with 12 trials and a top three, a value tried 4
    /// times misses the top a quarter of the time by luck alone.
    func choice(_ p: Parameter, _ values: [Config], losing: [Config: Standing], _ advice: inout Advice) {
        let f = ranked
        let top = max(2, f.count / 4)
        var remaining = values
        for value in values where remaining.count > 1 {
            guard let s = losing[value] else { continue }
            let among = s.tested > 1 ? ", rarely enough with \(s.tested) values tested" : ""
            remaining.removeAll { $0 == value }
            advice.add(.losingChoice, "\(p.name) \(value) never won: none of the top \(top) trials used it, though \(s.ran) trials ran with it "
                       + "(its best \(s.best.map(format) ?? "none finished"), ranked \(s.rank), against the study's \(format(f[0].value!)); "
                       + "\(s.ran) random trials all rank that low \(percent(s.chance)) of the time\(among)). Drop it.",
                       ["trials": Double(s.ran), "rank": Double(s.rank), "chance": s.chance],
                       changes: [.drop(p.name, value, why: "\(value) never reached the top quarter in \(s.ran) trials (best ranked \(s.rank))")])
        }
    }

    /// The probability that `m` of `n` ranks, drawn at random, are all `rank` or worse:
    /// C(n − rank + 1, m) / C(n, m).
    static func chance(rank: Int, of m: Int, among n: Int) -> Double {
        guard m >= 1, n >= m, rank >= 1 else { return 1 }
        let worse = n - rank + 1
        guard worse >= m else { return 0 }
        // The ratio term by term: Π (worse − i) / (n − i), i < m.
        return (0..<m).reduce(1.0) { $0 * Double(worse - $1) / Double(n - $1) }
    }
}
