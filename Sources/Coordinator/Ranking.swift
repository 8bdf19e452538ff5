/// Trial numbers ordered by score (lower is better, ties by number), kept sorted as scores
/// change: an update is two binary searches and a move, so the top of a leaderboard costs the
/// same with 100 trials or 100,000.
struct Ranking {
    struct Key: Comparable {
        /// Outside a constraint: ranked after every trial within them.
        let infeasible: Bool
        let score: Double
        let number: Int
        static func < (a: Key, b: Key) -> Bool { (a.infeasible ? 1 : 0, a.score, a.number) < (b.infeasible ? 1 : 0, b.score, b.number) }
    }

    private(set) var keys: [Key] = []
    private var byNumber: [Int: Key] = [:]

    init() {}

    /// Every trial's score at once, sorted once: a restart on 100,000 stored trials would spend
    /// seconds moving memory if each went in by `set`.
    init(_ scores: some Sequence<(number: Int, score: Double, infeasible: Bool)>) {
        for (number, score, infeasible) in scores { byNumber[number] = Self.key(number, score, infeasible) }
        keys = byNumber.values.sorted()
    }

    /// Places `number` at `score` (non-finite scores rank last among feasible or infeasible trials).
    mutating func set(_ number: Int, score: Double, infeasible: Bool = false) {
        let key = Self.key(number, score, infeasible)
        if let old = byNumber[number] {
            if old == key { return }
            keys.remove(at: index(of: old))
        }
        keys.insert(key, at: index(of: key))
        byNumber[number] = key
    }

    private static func key(_ number: Int, _ score: Double, _ infeasible: Bool) -> Key {
        Key(infeasible: infeasible, score: score.isFinite ? score : .infinity, number: number)
    }

    /// The first position whose key is not below `key`.
    private func index(of key: Key) -> Int {
        var low = 0, high = keys.count
        while low < high {
            let mid = (low + high) / 2
            if keys[mid] < key { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
