import Testing
import Search
@testable import Coordinator

@Suite("Ranking")
struct RankingTests {
    @Test("a ranking built at once from stored scores (as a restart builds it) orders trials as one kept up by each change")
    func builtAtOnce() {
        var generator = SplitMix64(seed: 3)
        // Ties, non-finite scores and repeated numbers (the last score wins), in no order.
        let scores: [(number: Int, score: Double)] = (0..<500).map { _ in
            let number = Int(generator.next() % 300)
            switch generator.next() % 10 {
            case 0: return (number, .nan)
            case 1: return (number, .infinity)
            case 2, 3: return (number, 0.5)
            default: return (number, Double(generator.next() % 1000) / 1000)
            }
        }
        var kept = Ranking()
        for (number, score) in scores { kept.set(number, score: score) }
        var built = Ranking(scores)
        #expect(built.keys == kept.keys)
        #expect(Set(built.keys.map(\.number)).count == built.keys.count)
        // It goes on being kept up the same way.
        built.set(7, score: -1)
        kept.set(7, score: -1)
        #expect(built.keys == kept.keys && built.keys.first?.number == 7)
    }
}
