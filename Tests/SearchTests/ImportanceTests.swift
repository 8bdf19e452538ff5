import Testing
import Config

@testable import Search

@Suite("Parameter importance")
struct ImportanceTests {
    static let space = SearchSpace([
        Parameter("big", .float(low: 0, high: 1, log: false, step: nil)), Parameter("middle", .float(low: 0, high: 1, log: false, step: nil)),
        Parameter("small", .float(low: 0, high: 1, log: false, step: nil)), Parameter("dummy", .float(low: 0, high: 1, log: false, step: nil)),
        Parameter("layers", .int(low: 1, high: 8, log: false, step: 1)), Parameter("kind", .choice([.string("a"), .string("b"), .string("c")])),
    ])

    /// A sum of terms of known size: `big` moves the value most, then `kind`, `middle`, `small`;
    /// `dummy` and `layers` not at all.
    func trials(_ n: Int, seed: UInt64) -> [Trial] {
        var g = SplitMix64(seed: seed)
        return (0..<n).map { i in
            let c = Self.space.configuration(at: (0..<6).map { _ in Double.random(in: 0..<1, using: &g) })
            func x(_ k: String) -> Double { if case let .number(v)? = c[k] { v } else { 0 } }
            let kind = c["kind"] == .string("b") ? 1.5 : 0
            let y = 4 * x("big") + kind + 1 * x("middle") + 0.3 * x("small")
            return Trial(number: i, configuration: c, state: .completed, value: y)
        }
    }

    @Test("parameters rank by their effect, and parameters without one come last, near 0")
    func ranks() throws {
        let ranked = try #require(Importance.of(Self.space, trials: trials(2000, seed: 1), direction: .minimize))
        #expect(ranked.map(\.parameter).prefix(2) == ["big", "kind"])
        #expect(Set(ranked.suffix(2).map(\.parameter)) == ["dummy", "layers"])
        #expect(ranked.suffix(2).allSatisfy { $0.importance < 0.05 })
        #expect(abs(ranked.map(\.importance).reduce(0, +) - 1) < 1e-9)
        let middle = ranked.firstIndex { $0.parameter == "middle" }!, small = ranked.firstIndex { $0.parameter == "small" }!
        #expect(middle < small)
    }

    @Test("maximizing ranks the same effects; too few trials give no answer")
    func direction() throws {
        let flipped = trials(2000, seed: 2).map { Trial(number: $0.number, configuration: $0.configuration, state: .completed, value: -$0.value!) }
        let ranked = try #require(Importance.of(Self.space, trials: flipped, direction: .maximize))
        #expect(ranked.first?.parameter == "big")
        #expect(Importance.of(Self.space, trials: Array(flipped.prefix(9)), direction: .maximize) == nil)
    }
}
