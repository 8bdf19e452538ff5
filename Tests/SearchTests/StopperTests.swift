import Testing
import Config
@testable import Search

/// A trial with objective reports at steps 1….
func reporting(_ number: Int, _ values: [Double], state: TrialState = .running) -> Trial {
    Trial(number: number, configuration: Configuration(["n": .number(Double(number))]), state: state,
          reports: Dictionary(uniqueKeysWithValues: values.enumerated().map { ($0.offset + 1, $0.element) }),
          value: state == .completed ? values.last : nil)
}

let stoppers: [(String, any Stopper)] = [
    ("divergence", Divergence()), ("median", MedianRule(warmup: 1, minimumTrials: 2)),
    ("asha", ASHA(minimumResource: 1, reductionFactor: 2)), ("hyperband", Hyperband(minimumResource: 1, reductionFactor: 2, brackets: 2)),
    ("patience", Patience(patience: 2)), ("max steps", MaximumSteps(10)),
]

@Suite("Stoppers")
struct StopperTests {
    @Test("conformance: first trials continue, NaN histories do not crash, decisions repeat", arguments: stoppers.map(\.0))
    func conformance(name: String) {
        let stopper = stoppers.first { $0.0 == name }!.1
        let lone = reporting(0, [0.5])
        #expect(stopper.decide(lone, step: 1, history: [lone], direction: .minimize) == .continue, "\(name) stopped a lone first trial")
        let history = [reporting(1, [.nan, .nan], state: .completed), reporting(2, [.infinity], state: .failed), reporting(3, [0.4, 0.3])]
        let a = stopper.decide(history[2], step: 2, history: history, direction: .maximize)
        #expect(a == stopper.decide(history[2], step: 2, history: history, direction: .maximize))
    }

    @Test("divergence stops NaN, infinity and explosions, and says why")
    func divergence() {
        let rule = Divergence(factor: 10)
        guard case let .stop(reason) = rule.decide(reporting(0, [1, .nan]), step: 2, history: [], direction: .minimize) else {
            Issue.record("NaN not stopped"); return
        }
        #expect(reason.rule == .divergence && reason.detail == "objective is nan at step 2")
        guard case let .stop(explosion) = rule.decide(reporting(0, [2.3, 0.4, 40]), step: 3, history: [], direction: .minimize) else {
            Issue.record("explosion not stopped"); return
        }
        #expect(explosion.numbers == ["value": 40, "largest": 2.3, "factor": 10])
        #expect(rule.decide(reporting(0, [2.3, 0.4, 20]), step: 3, history: [], direction: .minimize) == .continue, "under 10× its largest: noisy, not diverged")
        // Near zero, a rise that is large only relative to the best is not divergence (the
        // quadratic example's third-best trial: 5.5e-11 then 7.5e-9).
        #expect(rule.decide(reporting(0, [0.08, 1e-6, 5.5e-11, 7.5e-9]), step: 4, history: [], direction: .minimize) == .continue)
        // Signed or maximized objectives have no scale to judge by: only NaN and ∞ stop them.
        #expect(rule.decide(reporting(0, [-3, -5, 200]), step: 3, history: [], direction: .minimize) == .continue)
        #expect(rule.decide(reporting(0, [0.1, 0.2, 90]), step: 3, history: [], direction: .maximize) == .continue)
        if case .stop = rule.decide(reporting(0, [0.1, -.infinity]), step: 2, history: [], direction: .maximize) {} else { Issue.record("-∞ not stopped") }
        // Off: NaN still stops, blow-ups do not.
        let off = Divergence(factor: nil)
        #expect(off.decide(reporting(0, [2.3, 0.4, 4000]), step: 3, history: [], direction: .minimize) == .continue)
        if case .stop = off.decide(reporting(0, [2.3, .nan]), step: 2, history: [], direction: .minimize) {} else { Issue.record("NaN not stopped with the rule off") }
        // The chain puts divergence first, whatever follows.
        #expect(StopperChain([MaximumSteps(100)]).decide(reporting(0, [.infinity]), step: 1, history: [], direction: .maximize) != .continue)
    }

    @Test("the median rule stops a trial worse than the median at the same step")
    func median() {
        let rule = MedianRule(warmup: 2, minimumTrials: 3)
        let done = [reporting(0, [0.9, 0.5, 0.4], state: .completed), reporting(1, [0.8, 0.6, 0.5], state: .completed), reporting(2, [0.7, 0.7, 0.6], state: .completed)]
        let bad = reporting(3, [0.95, 0.9]), good = reporting(4, [0.9, 0.55])
        #expect(rule.decide(bad, step: 1, history: done + [bad], direction: .minimize) == .continue, "warm-up")
        guard case let .stop(reason) = rule.decide(bad, step: 2, history: done + [bad], direction: .minimize) else { Issue.record("not stopped"); return }
        #expect(reason.numbers["median"] == 0.6 && reason.numbers["value"] == 0.9)
        #expect(rule.decide(good, step: 2, history: done + [good], direction: .minimize) == .continue)
        #expect(rule.decide(bad, step: 2, history: Array(done.prefix(2)) + [bad], direction: .minimize) == .continue, "too few completed trials")
    }

    @Test("ASHA keeps the top 1/η at each rung and ignores other steps")
    func asha() {
        let rule = ASHA(minimumResource: 1, reductionFactor: 3)
        #expect([1, 3, 9, 27].allSatisfy(rule.isRung) && ![2, 4, 10].contains(where: rule.isRung))
        // Six trials at rung 3 (accuracy, maximize): top 2 continue.
        let trials = [0.5, 0.9, 0.7, 0.6, 0.8, 0.4].enumerated().map { reporting($0.offset, [0.1, 0.2, $0.element]) }
        let decisions = trials.map { rule.decide($0, step: 3, history: trials, direction: .maximize) }
        #expect(decisions.enumerated().filter { $0.element == .continue }.map(\.offset) == [1, 4])
        guard case let .stop(reason) = decisions[0] else { return }
        #expect(reason.rule == .asha && reason.numbers["keep"] == 2 && reason.numbers["rank"] == 5)
        #expect(rule.decide(trials[0], step: 2, history: trials, direction: .maximize) == .continue, "not a rung")
    }

    @Test("Hyperband compares trials only within their bracket")
    func hyperband() {
        let rule = Hyperband(minimumResource: 1, reductionFactor: 2, brackets: 2)
        // Bracket 0 (even numbers) has rungs 1, 2, 4…; bracket 1 (odd) starts at 2.
        let trials = (0..<6).map { reporting($0, [Double($0), Double($0)]) }
        #expect(rule.decide(trials[1], step: 1, history: trials, direction: .minimize) == .continue, "step 1 is no rung of bracket 1")
        guard case let .stop(reason) = rule.decide(trials[4], step: 1, history: trials, direction: .minimize) else { Issue.record("not stopped"); return }
        #expect(reason.numbers["bracket"] == 0 && reason.numbers["trials"] == 3)
        #expect(rule.decide(trials[0], step: 1, history: trials, direction: .minimize) == .continue)
    }

    @Test("patience stops after that many steps without improvement")
    func patience() {
        let rule = Patience(patience: 2)
        #expect(rule.decide(reporting(0, [0.5, 0.4, 0.45]), step: 3, history: [], direction: .minimize) == .continue)
        guard case let .stop(reason) = rule.decide(reporting(0, [0.5, 0.4, 0.45, 0.41]), step: 4, history: [], direction: .minimize) else { Issue.record("not stopped"); return }
        #expect(reason.numbers == ["best_step": 2, "waited": 2])
    }
}
