/// Pareto dominance on loss vectors: lower is better in every coordinate (turn values into
/// losses with `losses(_:_:)` first). Non-finite coordinates never reach these functions.
public enum Pareto {
    /// Values as losses, objective by objective.
    public static func losses(_ values: [Double], _ directions: [Direction]) -> [Double] {
        zip(values, directions).map { $1.loss($0) }
    }

    /// Values as losses when there is one for every objective and all are finite; nil otherwise
    /// (such a trial has no place on a front).
    public static func finiteLosses(_ values: [Double]?, _ directions: [Direction]) -> [Double]? {
        guard let values, values.count == directions.count, values.allSatisfy(\.isFinite) else { return nil }
        return losses(values, directions)
    }

    /// `a` is no worse than `b` anywhere and better somewhere.
    public static func dominates(_ a: [Double], _ b: [Double]) -> Bool {
        var better = false
        for (x, y) in zip(a, b) {
            if x > y { return false }
            if x < y { better = true }
        }
        return better
    }

    /// Non-dominated sorting (Deb et al. 2002): each point's front, 0 for the Pareto front, 1 for
    /// the front once that one is removed, and so on. O(m·n²).
    public static func fronts(_ points: [[Double]]) -> [Int] {
        let n = points.count
        var dominatedBy = [Int](repeating: 0, count: n), dominating = [[Int]](repeating: [], count: n)
        for i in 0..<n {
            for j in (i + 1)..<n {
                if dominates(points[i], points[j]) {
                    dominating[i].append(j)
                    dominatedBy[j] += 1
                } else if dominates(points[j], points[i]) {
                    dominating[j].append(i)
                    dominatedBy[i] += 1
                }
            }
        }
        var front = [Int](repeating: 0, count: n)
        var current = (0..<n).filter { dominatedBy[$0] == 0 }, level = 0
        while !current.isEmpty {
            var next: [Int] = []
            for i in current {
                front[i] = level
                for j in dominating[i] {
                    dominatedBy[j] -= 1
                    if dominatedBy[j] == 0 { next.append(j) }
                }
            }
            current = next
            level += 1
        }
        return front
    }

    /// How many of the points dominate each one (0 on the Pareto front).
    public static func dominatedCounts(_ points: [[Double]]) -> [Int] {
        points.map { p in points.count(where: { dominates($0, p) }) }
    }

    /// How many of the points lie in a better front than point `index`: its rank among them by
    /// non-dominated sorting, the several-objective counterpart of "how many are better".
    public static func better(than index: Int, among points: [[Double]]) -> Int {
        let front = fronts(points)
        return front.count(where: { $0 < front[index] })
    }

    /// Crowding distance within one front (Deb et al. 2002): the perimeter of the box its
    /// neighbours span, objective by objective, scaled by the front's range; ∞ at the ends.
    public static func crowding(_ points: [[Double]]) -> [Double] {
        let n = points.count
        guard n > 2, let m = points.first?.count else { return [Double](repeating: .infinity, count: n) }
        var distance = [Double](repeating: 0, count: n)
        for k in 0..<m {
            let order = (0..<n).sorted { (points[$0][k], $0) < (points[$1][k], $1) }
            let low = points[order.first!][k], high = points[order.last!][k]
            distance[order.first!] = .infinity
            distance[order.last!] = .infinity
            guard high > low else { continue }
            for r in 1..<(n - 1) {
                distance[order[r]] += (points[order[r + 1]][k] - points[order[r - 1]][k]) / (high - low)
            }
        }
        return distance
    }

    /// The volume the points dominate inside the box up to `reference` (points not strictly
    /// below it in every coordinate add nothing). Exact, by slicing along the last objective:
    /// O(n log n) for two objectives, O(n² log n) for three.
    public static func hypervolume(_ points: [[Double]], reference: [Double]) -> Double {
        volume(points.filter { zip($0, reference).allSatisfy { $0 < $1 } }, reference, reference.count)
    }

    private static func volume(_ points: [[Double]], _ reference: [Double], _ m: Int) -> Double {
        guard !points.isEmpty else { return 0 }
        if m == 1 { return reference[0] - points.map { $0[0] }.min()! }
        if m == 2 {
            var area = 0.0, lowest = reference[1]
            for p in points.sorted(by: { ($0[0], $0[1]) < ($1[0], $1[1]) }) where p[1] < lowest {
                area += (reference[0] - p[0]) * (lowest - p[1])
                lowest = p[1]
            }
            return area
        }
        let sorted = points.sorted { $0[m - 1] < $1[m - 1] }
        var total = 0.0
        for i in sorted.indices {
            let top = i + 1 < sorted.count ? sorted[i + 1][m - 1] : reference[m - 1]
            guard top > sorted[i][m - 1] else { continue }
            total += volume(Array(sorted[...i]), reference, m - 1) * (top - sorted[i][m - 1])
        }
        return total
    }
}
