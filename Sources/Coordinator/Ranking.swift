/// Trial numbers ordered by score (lower is better, ties by number), kept sorted as scores
/// change: an update is two binary searches and a move, so the top of a leaderboard costs the
/// same with 100 trials or 100,000.
struct Ranking {
    struct Key: Comparable {
        let score: Double
        let number: Int
        static func < (a: Key, b: Key) -> Bool { (a.score, a.number) < (b.score, b.number) }
    }

    private(set) var keys: [Key] = []
    private var byNumber: [Int: Key] = [:]

    /// Places `number` at `score` (non-finite scores rank last).
    mutating func set(_ number: Int, score: Double) {
        let key = Key(score: score.isFinite ? score : .infinity, number: number)
        if let old = byNumber[number] {
            if old == key { return }
            keys.remove(at: index(of: old))
        }
        keys.insert(key, at: index(of: key))
        byNumber[number] = key
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
