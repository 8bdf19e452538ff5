import Testing
import Search
@testable import sweep_bench

/// The search benchmark's ways of keeping trials in flight compare samplers only if they simulate
/// what they say.
@Suite("Trials in flight")
struct FlightTests {
    @Test("one trial in flight asynchronously is the sequential run, seed for seed")
    func asynchronousOneIsSequential() {
        for seed in [UInt64(0), 5] {
            let sequential = SearchBench.regretCurve(.branin, TPESampler(seed: seed), seed: seed, flight: .sequential)
            let one = SearchBench.regretCurve(.branin, TPESampler(seed: seed), seed: seed, flight: .asynchronous(1))
            #expect(sequential == one)
        }
    }

    @Test("SWEEP_BENCH_BATCHES tokens: 1 is sequential, 8 a batch of 8, a8 eight asynchronously; nonsense is skipped")
    func tokens() {
        #expect(SearchBench.Flight("1") == .sequential)
        #expect(SearchBench.Flight("8") == .batches(8))
        #expect(SearchBench.Flight("a32") == .asynchronous(32))
        #expect(SearchBench.Flight("a1") == nil && SearchBench.Flight("x") == nil && SearchBench.Flight("0") == nil)
        #expect(SearchBench.Flight("a8")?.label == "a8" && SearchBench.Flight("8")?.label == "b8")
    }
}
