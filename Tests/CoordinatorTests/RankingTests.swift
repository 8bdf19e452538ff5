import Testing
import Search
@testable import Coordinator

@Suite("Ranking")
struct RankingTests {
    @Test("a ranking built at once from stored scores (as a restart builds it) orders trials as one kept up by each change")
    func builtAtOnce() {
        var generator = SplitMix64(seed: 3)
        // Ties, non-finite scores, infeasible trials and repeated numbers (the last score wins), in no order.
        let scores: [(number: Int, score: Double, infeasible: Bool)] = (0..<500).map { _ in
            let number = Int(generator.next() % 300), infeasible = generator.next() % 4 == 0
            switch generator.next() % 10 {
            case 0: return (number, .nan, infeasible)
            case 1: return (number, .infinity, infeasible)
            case 2, 3: return (number, 0.5, infeasible)
            default: return (number, Double(generator.next() % 1000) / 1000, infeasible)
            }
        }
        var kept = Ranking()
        for (number, score, infeasible) in scores { kept.set(number, score: score, infeasible: infeasible) }
        var built = Ranking(scores)
        #expect(built.keys == kept.keys)
        #expect(Set(built.keys.map(\.number)).count == built.keys.count)
        // It goes on being kept up the same way.
        built.set(7, score: -1)
        kept.set(7, score: -1)
        #expect(built.keys == kept.keys && built.keys.first?.number == 7)
        // Every trial within the constraints ranks before any outside them, whatever its score.
        let tiers = built.keys.map(\.infeasible)
        #expect(tiers == tiers.sorted { !$0 && $1 } && tiers.contains(true))
        built.set(7, score: -1, infeasible: true)
        #expect(built.keys.first?.number != 7 && built.keys.first { $0.infeasible }?.number == 7)
    }
}
