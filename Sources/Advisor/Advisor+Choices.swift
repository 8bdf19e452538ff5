import Config
import Search

/// Which values of a searched choice never win, too clearly for chance.
extension Advisor {
    /// How a choice's value did: its trials, whether any reached the top quarter, its best rank,
    /// and how often as many random trials all rank that low.
    struct Standing {
        let ran: Int, won: Bool, rank: Int, chance: Double
    }

    /// Every ranked trial and, below them, the finished ones outside the ranking (failed,
    /// diverged, stopped without a value).
    var counted: [Observed] { trials.filter { $0.state.isFinished && $0.state != .cancelled } }

    func standing(_ name: String, _ value: Config) -> Standing {
        let f = ranked, all = counted
        let top = f.prefix(max(2, f.count / 4))
        let ran = all.filter { $0.values[name] == value }.count
        let rank = (f.firstIndex { $0.values[name] == value } ?? f.count) + 1
        return Standing(ran: ran, won: top.contains { $0.values[name] == value }, rank: rank, chance: Self.chance(rank: rank, of: ran, among: all.count))
    }

    /// The choices' values (parameter name, value) that lost too clearly for chance, with
    /// Holm's step-down over every value tried at least 3 times, as for ranges, and how many those were.
    func losingValues() -> (values: Set<[Config]>, tested: Int) {
        guard ranked.count >= 8 else { return ([], 0) }
        var tests: [([Config], Double)] = []
        for p in spec.space.searched {
            guard case let .choice(values) = p.domain, values.count >= 2 else { continue }
            for value in values {
                let s = standing(p.name, value)
                if s.ran >= 3 { tests.append(([.string(p.name), value], s.won ? 1 : s.chance)) }
            }
        }
        var passed: Set<[Config]> = []
        for (i, (key, chance)) in tests.sorted(by: { $0.1 < $1.1 }).enumerated() {
            guard chance < 0.05 / Double(tests.count - i) else { break }
            passed.insert(key)
        }
        return (passed, tests.count)
    }

    /// A choice with several trials that never reached the top quarter is dropped, when its
    /// trials rank too low together for chance: with 12 trials and a top three, a value tried 4
    /// times misses the top a quarter of the time by luck alone.
    func choice(_ p: Parameter, _ values: [Config], losing: (values: Set<[Config]>, tested: Int), _ advice: inout Advice) {
        let f = ranked
        let top = Array(f.prefix(max(2, f.count / 4)))
        var remaining = values
        for value in values where remaining.count > 1 && losing.values.contains([.string(p.name), value]) {
            let s = standing(p.name, value)
            let (ran, rank, chance) = (s.ran, s.rank, s.chance)
            let among = losing.tested > 1 ? ", rarely enough with \(losing.tested) values tested" : ""
            let bestOwn = f.first { $0.values[p.name] == value }?.value
            remaining.removeAll { $0 == value }
            advice.add(.losingChoice, "\(p.name) \(value) never won: none of the top \(top.count) trials used it, though \(ran) trials ran with it "
                       + "(its best \(bestOwn.map(format) ?? "none finished"), ranked \(rank), against the study's \(format(f[0].value!)); "
                       + "\(ran) random trials all rank that low \(percent(chance)) of the time\(among)). Drop it.",
                       ["trials": Double(ran), "rank": Double(rank), "chance": chance],
                       changes: [.drop(p.name, value, why: "\(value) never reached the top quarter in \(ran) trials (best ranked \(rank))")])
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
