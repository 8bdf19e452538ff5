import Foundation
import Testing
import Config
import Search
import TrialSpecs
@testable import Advisor

/// Synthetic studies built to show each of the playbook's patterns, and built not to.
struct Lab {
    static let yaml = """
        study: mlp
        objective: {metric: validation_accuracy, direction: maximize}
        trial: {data: {dataset: spirals}, model: {kind: mlp, hidden: [64]}, epochs: 9}
        space:
          optimizer.lr: {type: float, low: 1e-4, high: 0.1, log: true}
          optimizer.name: {type: choice, values: [sgd, adam, rmsprop]}
        strategy: {name: tpe}
        budget: {max_trials: 20}
        stopper: {name: asha, min_resource: 1, reduction_factor: 3}
        """
    var config: Config
    var trials: [Observed] = []

    init(_ yaml: String = Lab.yaml) throws { config = try Config.parse(yaml: yaml, source: "t") }

    var spec: StudySpec { try! StudySpec(config: config, trials: TrialSpec.rules) }

    /// A trial whose validation accuracy climbs to `final` over `epochs`, training at `final + gap`;
    /// `peak`: validation is best at that epoch and falls by `drop` after it, while training gains
    /// (unless `trainingStalls`: then training stays `gap` from validation).
    mutating func add(lr: Double, name: String = "adam", final: Double, gap: Double = 0.005, epochs: Int = 9, rising: Bool = false,
                      peak: Int? = nil, drop: Double = 0, trainingStalls: Bool = false, state: TrialState = .completed, reason: StopReason? = nil,
                      front: Int? = nil, feasible: Bool? = nil) {
        var curve: [Int: [String: Double]] = [:]
        for e in 1...epochs {
            // Rising: still gaining at the end; else a plateau reached by epoch 4.
            var valid = rising ? final - 0.01 * Double(epochs - e) : final - 0.1 * max(0, Double(4 - e)) / 4
            if let peak, e > peak { valid = final - drop * Double(e - peak) / Double(epochs - peak) }
            let gain = trainingStalls ? 0 : peak.map { e > $0 ? drop * Double(e - $0) / 4 : 0 } ?? 0
            curve[e] = ["validation_accuracy": valid, "train_accuracy": min(1, valid + gap + gain)]
        }
        let value = curve[epochs]!["validation_accuracy"]!
        trials.append(Observed(number: trials.count, state: state, values: ["optimizer.lr": .number(lr), "optimizer.name": .string(name)],
                               value: state == .diverged ? nil : value, curve: state == .diverged ? [:] : curve, reason: reason, front: front, feasible: feasible))
    }

    func advice() -> Advice { Advisor(spec: spec, trials: trials).advise() }
}

@Suite("The advisor's readings")
struct AdvisorTests {
    @Test("the best trials still climbing with training and validation together: underfit, train longer, grow the model")
    func underfit() throws {
        var lab = try Lab()
        for (i, lr) in [0.001, 0.002, 0.004, 0.008, 0.016, 0.03].enumerated() { lab.add(lr: lr, final: 0.80 + 0.01 * Double(i), rising: true) }
        let advice = lab.advice()
        #expect(advice.has(.underfit) && !advice.has(.overfit))
        #expect(advice.changes.contains(.set("trial.epochs", .number(14), why: "the best trials still improved at their last epoch (9): train longer")))
        #expect(advice.changes.contains { if case .set("trial.model.hidden", .array([.number(128)]), _) = $0 { true } else { false } })

        var flat = try Lab()
        for (i, lr) in [0.001, 0.002, 0.004, 0.008, 0.016, 0.03].enumerated() { flat.add(lr: lr, final: 0.80 + 0.01 * Double(i)) }
        #expect(!flat.advice().has(.underfit), "a plateau is not underfitting")
    }

    @Test("two of the best three still climbing, the best one's last epochs a noise-sized dip: underfit; one of three is not enough")
    func underfitMostOfTheBest() throws {
        // As in a Fashion-MNIST round on 6,000 validation examples: the best trial's last two
        // epochs moved by −0.0008, the next two gained 0.006 and 0.005.
        var lab = try Lab()
        for (i, lr) in [0.001, 0.002, 0.004].enumerated() { lab.add(lr: lr, final: 0.70 + 0.01 * Double(i), rising: true) }
        lab.add(lr: 0.008, final: 0.80, rising: true)
        lab.add(lr: 0.016, final: 0.81, rising: true)
        lab.add(lr: 0.03, final: 0.82)
        let advice = lab.advice()
        #expect(advice.has(.underfit))
        #expect(advice.findings.first { $0.rule == .underfit }?.sentence.contains("2 of the best 3") == true)
        // The two still climbing run again first in the next study, trained longer; the flat best does not.
        let climbing: Config = .array([0.016, 0.008].map { .object(["optimizer.lr": .number($0), "optimizer.name": .string("adam")]) })
        #expect(advice.changes.contains { if case .set("enqueue", climbing, _) = $0 { true } else { false } }, "\(advice.changes)")
        let next = advice.next(spec: lab.config, study: "s-000001")
        let spec = try StudySpec(config: next.config, trials: TrialSpec.rules)
        #expect(spec.enqueue.map { $0["optimizer.lr"] } == [.number(0.016), .number(0.008)] && spec.trial[path: "epochs"] == .number(14))
        #expect(next.yaml.contains("# trials 4, 3 were still improving: they run again first, trained longer\nenqueue: "), "\(next.yaml)")

        var one = try Lab()
        for (i, lr) in [0.001, 0.002, 0.004].enumerated() { one.add(lr: lr, final: 0.70 + 0.01 * Double(i), rising: true) }
        one.add(lr: 0.008, final: 0.80)
        one.add(lr: 0.016, final: 0.81, rising: true)
        one.add(lr: 0.03, final: 0.82)
        #expect(!one.advice().has(.underfit), "one climbing trial of the best three is not the study underfitting")
    }

    @Test("configurations run again first only where the next space holds them: a narrowed range or a dropped choice leaves them out")
    func retrainedInsideTheNextSpace() throws {
        let lab = try Lab()
        func config(_ lr: Double, _ name: String) -> Config { .object(["optimizer.lr": .number(lr), "optimizer.name": .string(name)]) }
        var advice = Advice()
        advice.changes = [.range("optimizer.lr", low: 0.01, high: 0.1, why: "narrowed"), .drop("optimizer.name", .string("sgd"), why: "lost"),
                          .set("enqueue", .array([config(0.016, "adam"), config(0.008, "adam"), config(0.02, "sgd")]), why: "climbing")]
        Advisor(spec: lab.spec, trials: []).retrained(&advice)
        #expect(advice.changes.last == .set("enqueue", .array([config(0.016, "adam")]), why: "climbing"))
        advice.changes[2] = .set("enqueue", .array([config(0.008, "adam")]), why: "climbing")
        Advisor(spec: lab.spec, trials: []).retrained(&advice)
        #expect(advice.changes.count == 2, "none left: no enqueue")
    }

    @Test("a loss still falling by 5% over the last two epochs: underfit; a flat loss jittering by 1–3% is not")
    func underfitLoss() throws {
        let yaml = Lab.yaml.replacingOccurrences(of: "{metric: validation_accuracy, direction: maximize}", with: "{metric: validation_loss, direction: minimize}")
        // Six trials ending near 0.05; `fall`: the loss's drop per epoch at the end; `jitter`: epoch e's
        // noise, as in the advisor bench's narrow problem (uniform in [0, 0.002] on a 0.05 loss).
        func study(fall: Double, jitter: (Int, Int) -> Double) throws -> Advice {
            let trials = (0..<6).map { i -> Observed in
                let final = 0.05 + 0.002 * Double(i)
                var curve: [Int: [String: Double]] = [:]
                for e in 1...9 {
                    let loss = final * (1 + fall * Double(9 - e)) + jitter(i, e)
                    curve[e] = ["validation_loss": loss, "train_loss": loss * 0.97]
                }
                return Observed(number: i, state: .completed, values: ["optimizer.lr": .number(0.001 * Double(i + 1)), "optimizer.name": .string("adam")],
                                value: curve[9]!["validation_loss"]!, curve: curve)
            }
            return Advisor(spec: try StudySpec(config: try Config.parse(yaml: yaml, source: "t"), trials: TrialSpec.rules), trials: trials).advise()
        }
        #expect(try study(fall: 0.025) { _, _ in 0 }.has(.underfit))
        // The best three gain 1.4%, 1.5% and 2.4% of the loss over their last two epochs, by noise
        // alone: at 0.5% (the bar until 2026-12-06) all three counted as still improving.
        let flat = try study(fall: 0) { i, e in e == 7 ? [0.0009, 0.0010, 0.0015, 0.001, 0.001, 0.001][i] : 0.0002 }
        #expect(!flat.has(.underfit), "\(flat.findings.map(\.sentence))")
    }

    @Test("training far above validation, validation falling after epoch 4: overfit, stop there and regularize")
    func overfit() throws {
        var lab = try Lab()
        for (i, lr) in [0.001, 0.002, 0.004, 0.008, 0.016, 0.03].enumerated() { lab.add(lr: lr, final: 0.85 + 0.01 * Double(i), gap: 0.08, peak: 4, drop: 0.03) }
        let advice = lab.advice()
        #expect(advice.has(.overfit) && !advice.has(.underfit))
        #expect(advice.changes.contains { if case .set("trial.epochs", .number(5), _) = $0 { true } else { false } })
        #expect(advice.changes.contains { if case .search("model.dropout", _, _) = $0 { true } else { false } })
        #expect(advice.changes.contains { if case .search("l2", _, _) = $0 { true } else { false } })

        var fine = try Lab()
        for (i, lr) in [0.001, 0.002, 0.004, 0.008, 0.016, 0.03].enumerated() { fine.add(lr: lr, final: 0.85 + 0.01 * Double(i)) }
        #expect(!fine.advice().has(.overfit))
    }

    @Test("validation dipping after its peak while training stays below it is not overfitting (a real spirals study's misreading)")
    func dipBelowTraining() throws {
        // As in a 20-trial spirals study with too low learning rates: training 0.62, validation best
        // 0.675 at epoch 10 and 0.65 at 20 on 100 validation examples. Regularizing was the wrong advice.
        var lab = try Lab()
        for (i, lr) in [0.001, 0.002, 0.004, 0.008, 0.016, 0.03].enumerated() {
            lab.add(lr: lr, final: 0.6 + 0.01 * Double(i), gap: -0.03, peak: 4, drop: 0.03, trainingStalls: true)
        }
        let advice = lab.advice()
        #expect(!advice.has(.overfit))
        #expect(!advice.changes.contains { if case .search("model.dropout", _, _) = $0 { true } else { false } })
    }

    @Test("the best learning rates at the top of the range: widen it past that bound")
    func atBound() throws {
        var lab = try Lab()
        for lr in [0.0002, 0.0005, 0.001, 0.003, 0.01, 0.03, 0.07, 0.09, 0.1] { lab.add(lr: lr, final: 0.7 + lr) }
        let advice = lab.advice()
        #expect(advice.has(.atBound))
        let range = advice.changes.compactMap { if case let .range("optimizer.lr", low, high, _) = $0 { (low, high) } else { nil } }.first
        #expect(range.map { $0.1 == 1.0 } == true, "×10 past the upper bound: \(String(describing: range))")

        var middle = try Lab()
        for lr in [0.0002, 0.0005, 0.001, 0.003, 0.01, 0.03, 0.07, 0.09, 0.1] { middle.add(lr: lr, final: 0.9 - abs(log10(lr) + 2.5) / 10) }
        #expect(!middle.advice().has(.atBound))
    }

    @Test("a top quarter packed into a small part of the range: narrow it around them")
    func tooWide() throws {
        var lab = try Lab()
        let rates = [0.0001, 0.0003, 0.0006, 0.001, 0.0015, 0.002, 0.003, 0.006, 0.01, 0.03, 0.06, 0.1]
        for lr in rates { lab.add(lr: lr, final: 0.9 - abs(log10(lr / 0.0015)) / 5) }
        let advice = lab.advice()
        #expect(advice.has(.tooWide))
        let range = try #require(advice.changes.compactMap { if case let .range("optimizer.lr", low, high, _) = $0 { (low, high) } else { nil } }.first)
        #expect(range.0 > 0.0001 && range.1 < 0.1 && range.0 < 0.001 && range.1 > 0.002)

        var spread = try Lab()
        for (i, lr) in rates.enumerated() { spread.add(lr: lr, final: i % 4 == 0 ? 0.9 : 0.7 + Double(i) / 100) }
        #expect(!spread.advice().has(.tooWide), "the best are all over the range")
    }

    @Test("learning rates above 0.05 always diverged: the range ends below them")
    func diverging() throws {
        var lab = try Lab()
        for lr in [0.0002, 0.0005, 0.001, 0.003, 0.01, 0.02] { lab.add(lr: lr, final: 0.8 + lr) }
        for lr in [0.05, 0.07, 0.1] { lab.add(lr: lr, final: 0, state: .diverged, reason: StopReason(rule: .divergence, detail: "nan")) }
        let advice = lab.advice()
        let finding = try #require(advice.findings.first { $0.rule == .diverging })
        #expect(finding.numbers["threshold"] == 0.05 && finding.numbers["trials"] == 3)
        let range = try #require(advice.changes.compactMap { if case let .range("optimizer.lr", _, high, _) = $0 { high } else { nil } }.first)
        #expect(range < 0.05 && range > 0.02)

        var mixed = try Lab()
        for lr in [0.0002, 0.0005, 0.001, 0.003, 0.01, 0.08] { mixed.add(lr: lr, final: 0.8) }
        for lr in [0.05, 0.1] { mixed.add(lr: lr, final: 0, state: .diverged, reason: StopReason(rule: .divergence, detail: "nan")) }
        #expect(!mixed.advice().has(.diverging), "0.08 completed: not every rate above 0.05 diverged")
    }

    @Test("a choice that never reached the top quarter in several trials is dropped")
    func losingChoice() throws {
        var lab = try Lab()
        for (i, lr) in [0.001, 0.002, 0.004, 0.008].enumerated() { lab.add(lr: lr, name: "sgd", final: 0.70 + 0.01 * Double(i)) }
        for (i, lr) in [0.001, 0.002, 0.004, 0.008].enumerated() { lab.add(lr: lr, name: i % 2 == 0 ? "adam" : "rmsprop", final: 0.85 + 0.01 * Double(i)) }
        let advice = lab.advice()
        #expect(advice.findings.filter { $0.rule == .losingChoice }.count == 1)
        #expect(advice.changes.contains { if case .drop("optimizer.name", .string("sgd"), _) = $0 { true } else { false } })

        var even = try Lab()
        for (i, lr) in [0.001, 0.002, 0.004, 0.008, 0.016, 0.03, 0.05, 0.07].enumerated() {
            even.add(lr: lr, name: ["sgd", "adam", "rmsprop"][i % 3], final: 0.8 + 0.01 * Double(i))
        }
        #expect(!even.advice().has(.losingChoice))
    }

    @Test("a pruned trial ahead of a future leader when it was stopped: pruning too eager, judge later")
    func eager() throws {
        var lab = try Lab()
        for (i, lr) in [0.001, 0.002, 0.004, 0.008, 0.016, 0.03].enumerated() { lab.add(lr: lr, final: 0.85 + 0.01 * Double(i)) }
        // Leaders start at final − 0.075 at epoch 1; this one was at 0.86 when ASHA stopped it.
        lab.trials.append(Observed(number: 6, state: .pruned, values: ["optimizer.lr": .number(0.05), "optimizer.name": .string("adam")], value: 0.86,
                                   curve: [1: ["validation_accuracy": 0.86, "train_accuracy": 0.86]], reason: StopReason(rule: .asha, detail: "")))
        lab.trials.append(Observed(number: 7, state: .pruned, values: ["optimizer.lr": .number(0.06), "optimizer.name": .string("adam")], value: 0.5,
                                   curve: [1: ["validation_accuracy": 0.5, "train_accuracy": 0.5]], reason: StopReason(rule: .asha, detail: "")))
        let advice = lab.advice()
        #expect(advice.has(.eagerPruning))
        #expect(advice.changes.contains(.set("stopper", .object(["name": .string("asha"), "min_resource": .number(2), "reduction_factor": .number(2)]),
                                             why: "pruning stopped trials that would have finished among the best: judge later, keep more")))
        var fair = try Lab()
        for (i, lr) in [0.001, 0.002, 0.004, 0.008, 0.016, 0.03].enumerated() { fair.add(lr: lr, final: 0.85 + 0.01 * Double(i)) }
        for n in 0..<2 {
            fair.trials.append(Observed(number: 6 + n, state: .pruned, values: ["optimizer.lr": .number(0.05), "optimizer.name": .string("adam")], value: 0.5,
                                        curve: [1: ["validation_accuracy": 0.5, "train_accuracy": 0.5]], reason: StopReason(rule: .asha, detail: "")))
        }
        #expect(!fair.advice().has(.eagerPruning), "pruned trials behind every leader were rightly stopped")
    }

    @Test("without a stopper, trials behind early finished behind: pruning too lax, stop them with ASHA")
    func lax() throws {
        var lab = try Lab(Lab.yaml.replacingOccurrences(of: "stopper: {name: asha, min_resource: 1, reduction_factor: 3}", with: "stopper: {name: none}"))
        for (i, lr) in [0.0002, 0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.03].enumerated() { lab.add(lr: lr, final: 0.6 + 0.04 * Double(i)) }
        let advice = lab.advice()
        #expect(advice.has(.laxPruning))
        #expect(advice.changes.contains { if case .set("stopper", _, _) = $0 { true } else { false } })

        var crossing = try Lab(Lab.yaml.replacingOccurrences(of: "stopper: {name: asha, min_resource: 1, reduction_factor: 3}", with: "stopper: {name: none}"))
        for (i, lr) in [0.0002, 0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.03].enumerated() {
            crossing.add(lr: lr, final: 0.6 + 0.04 * Double(i))
            // The eventual leaders start slowest.
            for e in 1...3 { crossing.trials[i] = with(crossing.trials[i], epoch: e, value: 0.9 - 0.04 * Double(i)) }
        }
        #expect(!crossing.advice().has(.laxPruning), "the leaders started behind: early stopping would have lost them")
    }

    @Test("one configuration scoring further apart than the two best: the study is noisy")
    func noisy() throws {
        var lab = try Lab()
        for (i, lr) in [0.001, 0.002, 0.004, 0.008, 0.016].enumerated() { lab.add(lr: lr, final: 0.85 + 0.002 * Double(i)) }
        lab.add(lr: 0.004, final: 0.83)
        let advice = lab.advice()
        let finding = try #require(advice.findings.first { $0.rule == .noisy })
        #expect(abs(finding.numbers["spread"]! - 0.024) < 1e-9 && abs(finding.numbers["gap"]! - 0.002) < 1e-9)

        var steady = try Lab()
        for (i, lr) in [0.001, 0.002, 0.004, 0.008, 0.016].enumerated() { steady.add(lr: lr, final: 0.80 + 0.02 * Double(i)) }
        steady.add(lr: 0.004, final: 0.841)
        #expect(!steady.advice().has(.noisy))
    }

    @Test("the next spec applies every change with its reason, warm-starts from the study, and is a valid spec")
    func nextSpec() throws {
        var lab = try Lab()
        for (i, lr) in [0.001, 0.002, 0.004, 0.008].enumerated() { lab.add(lr: lr, name: "sgd", final: 0.70 + 0.01 * Double(i)) }
        for lr in [0.03, 0.06, 0.09, 0.1] { lab.add(lr: lr, name: "adam", final: 0.8 + lr, rising: true) }
        let advice = lab.advice()
        let (config, yaml) = advice.next(spec: lab.config, study: "s-000004")
        let next = try StudySpec(config: Config.parse(yaml: yaml, source: "next.yaml"), trials: TrialSpec.rules)
        #expect(try Config.parse(yaml: yaml, source: "next.yaml") == config, "the YAML is the config")
        #expect(next.name == "mlp-next" && next.warmStart == "s-000004")
        #expect(next.space.parameters.first { $0.name == "optimizer.name" }?.domain == .choice([.string("adam"), .string("rmsprop")]))
        #expect(yaml.contains("# dropped sgd: sgd never reached the top quarter in 4 trials"))
        #expect(yaml.contains("# The next study after s-000004"))
        for change in advice.changes { #expect(yaml.contains(change.why.split(separator: " ").prefix(4).joined(separator: " ")), "\(change.why)") }
    }

    @Test("the GP searches next when this study measured the same trial; after the trial changes, or in a conditional or mostly-choice space, the sampler stays")
    func strategy() throws {
        func movesToGP(_ lab: Lab) -> Bool { lab.advice().changes.contains { if case .set("strategy", .object(["name": .string("gp")]), _) = $0 { true } else { false } } }
        let rates = [0.0002, 0.0005, 0.001, 0.003, 0.01, 0.03, 0.07, 0.09, 0.1]
        let name = "  optimizer.name: {type: choice, values: [sgd, adam, rmsprop]}\n"
        var numeric = try Lab(Lab.yaml.replacingOccurrences(of: name, with: ""))
        for lr in rates { numeric.add(lr: lr, final: 0.7 + lr) }
        #expect(movesToGP(numeric))
        var mixed = try Lab()
        for lr in rates { mixed.add(lr: lr, final: 0.7 + lr) }
        #expect(movesToGP(mixed), "a choice beside a range, the trial unchanged: \(mixed.advice().changes)")
        // Still climbing: the next study trains longer on a wider model, which these values do not measure.
        var longer = try Lab()
        for lr in rates { longer.add(lr: lr, final: 0.7 + lr, rising: true) }
        #expect(longer.advice().has(.underfit))
        #expect(!movesToGP(longer))
        var choices = try Lab(Lab.yaml.replacingOccurrences(of: name, with: name + "  model.activation: {type: choice, values: [relu, tanh]}\n"))
        for lr in rates { choices.add(lr: lr, final: 0.7 + lr) }
        #expect(!movesToGP(choices), "two choices of three parameters: TPE, as strategy auto picks")
        var conditional = try Lab(Lab.yaml.replacingOccurrences(of: name, with: name + "  optimizer.momentum: {type: float, low: 0.5, high: 0.99, when: {optimizer.name: [sgd]}}\n"))
        for lr in rates { conditional.add(lr: lr, final: 0.7 + lr) }
        #expect(!movesToGP(conditional))
    }

    @Test("a numeric study with nothing to change still moves to the GP")
    func strategyAlone() throws {
        let numeric = Lab.yaml.replacingOccurrences(of: "  optimizer.name: {type: choice, values: [sgd, adam, rmsprop]}\n", with: "")
        var lab = try Lab(numeric)
        let rates = [0.0001, 0.0003, 0.0006, 0.001, 0.0015, 0.002, 0.003, 0.006, 0.01, 0.03, 0.06, 0.1]
        for (i, lr) in rates.enumerated() { lab.add(lr: lr, final: i % 4 == 0 ? 0.9 : 0.7 + Double(i) / 100) }
        let advice = lab.advice()
        #expect(!advice.changes.contains { if case .range = $0 { true } else { false } }, "\(advice.findings)")
        #expect(advice.changes.contains { if case .set("strategy", .object(["name": .string("gp")]), _) = $0 { true } else { false } })
    }

    @Test("the chance that random trials pack as tightly is exact: it matches counting every subset")
    func chance() throws {
        let positions = [0.05, 0.1, 0.12, 0.3, 0.31, 0.5, 0.52, 0.7, 0.9, 0.95]
        func subsets(_ k: Int, from start: Int = 0) -> [[Double]] {
            guard k > 0 else { return [[]] }
            return (start..<positions.count).flatMap { i in subsets(k - 1, from: i + 1).map { [positions[i]] + $0 } }
        }
        for k in [2, 3, 4] {
            for span in [0.0, 0.02, 0.2, 0.45, 1.0] {
                let all = subsets(k)
                let counted = Double(all.filter { $0.max()! - $0.min()! <= span + 1e-12 }.count) / Double(all.count)
                #expect(abs(Advisor.chance(span: span, of: k, among: positions) - counted) < 1e-12, "k \(k), span \(span)")
            }
        }
    }

    @Test("the chance that random trials all rank low is exact: it matches counting every subset of ranks")
    func rankChance() {
        let n = 9
        func subsets(_ m: Int, from start: Int = 1) -> [[Int]] {
            guard m > 0 else { return [[]] }
            return (start...n).flatMap { r in r + 1 > n && m > 1 ? [] : subsets(m - 1, from: r + 1).map { [r] + $0 } }
        }
        for m in [1, 3, 5] {
            let all = subsets(m)
            for rank in [1, 2, 4, 7, 9] {
                let counted = Double(all.filter { $0.min()! >= rank }.count) / Double(all.count)
                #expect(abs(Advisor.chance(rank: rank, of: m, among: n) - counted) < 1e-12, "m \(m), rank \(rank)")
            }
        }
    }

    @Test("a choice that missed the top quarter by luck is kept")
    func losingByLuck() throws {
        // 12 trials, a top three; rmsprop's four trials rank 4, 6, 9 and 11: four random ranks
        // all miss the top three a quarter of the time (the rule without the chance dropped it).
        var lab = try Lab()
        let names = ["adam", "sgd", "adam", "rmsprop", "sgd", "rmsprop", "adam", "sgd", "rmsprop", "adam", "rmsprop", "sgd"]
        for (i, name) in names.enumerated() { lab.add(lr: 0.001 * Double(i + 1), name: name, final: 0.9 - 0.005 * Double(i)) }
        #expect(!lab.advice().has(.losingChoice), "\(lab.advice().findings)")
    }

    @Test("a parameter that does not matter is not narrowed, though its best trials sit close by chance")
    func chanceNarrowing() throws {
        var lab = try Lab()
        // 16 trials, the objective blind to the rate: the best four happen to lie in a third of
        // its range, which a random four of these trials do 7% of the time.
        let rates = [0.0001, 0.0002, 0.0004, 0.0007, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.008, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1]
        let finals = [0.70, 0.71, 0.72, 0.80, 0.73, 0.81, 0.74, 0.82, 0.75, 0.83, 0.76, 0.71, 0.77, 0.72, 0.78, 0.73]
        for (lr, final) in zip(rates, finals) { lab.add(lr: lr, final: final) }
        let advice = lab.advice()
        #expect(!advice.has(.tooWide), "\(advice.findings)")
    }

    @Test("with several ranges tested, a packing one range alone would be narrowed for is not enough")
    func manyRanges() throws {
        // 20 trials; x3's top five lie in 7 of 20 evenly spaced slots, which chance gives 2–5% of
        // the time: enough for one range tested alone, not for one of four (Holm: 1.25% for the
        // first). x0…x2's top five are spread over their ranges.
        func study(_ searched: [String]) throws -> Advisor {
            let space = searched.map { "  \($0): {low: 0, high: 1}" }.joined(separator: "\n")
            let config = try Config.parse(yaml: "study: s\nobjective: {metric: loss, direction: minimize}\nspace:\n\(space)\nstrategy: {name: tpe}\nbudget: {max_trials: 20}",
                                          source: "t")
            let rules = TrialRules(keys: ["x0", "x1", "x2", "x3"], metrics: ["loss"], check: { _ in [] })
            let top = [6, 8, 10, 11, 13]
            let trials = (0..<20).map { i -> Observed in
                var values: [String: Config] = ["x3": .number(Double(i) / 19)]
                for j in 0..<3 { values["x\(j)"] = .number(Double((i * 7 + j * 3) % 20) / 19) }
                let loss = top.firstIndex(of: i).map { 0.1 + 0.01 * Double($0) } ?? 0.5 + 0.01 * Double(i)
                return Observed(number: i, state: .completed, values: values, value: loss, curve: [1: ["loss": loss]])
            }
            return Advisor(spec: try StudySpec(config: config, trials: rules), trials: trials)
        }
        let chance = Advisor.chance(span: 7.0 / 19, of: 5, among: (0..<20).map { Double($0) / 19 })
        try #require(chance > 0.0125 && chance < 0.05, "the setup's chance: \(chance)")
        #expect(try study(["x3"]).advise().has(.tooWide), "x3 tested alone is narrowed")
        let four = try study(["x0", "x1", "x2", "x3"]).advise()
        #expect(!four.has(.tooWide), "\(four.findings)")
    }

    @Test("infeasible trials and trials off the Pareto front are not the best the advisor reads")
    func feasibleFront() throws {
        // Accuracy climbs with the rate, but rates above 0.02 break a constraint: the feasible best
        // sit in the middle of the range, not at its upper bound.
        let rates = [0.0002, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.008, 0.012, 0.03, 0.05, 0.07, 0.1]
        var blind = try Lab(), constrained = try Lab()
        for lr in rates {
            blind.add(lr: lr, final: 0.7 + lr)
            constrained.add(lr: lr, final: 0.7 + lr, feasible: lr < 0.02)
        }
        #expect(blind.advice().has(.atBound), "the test can fail: without feasibility the best press on the upper bound")
        #expect(!constrained.advice().has(.atBound), "\(constrained.advice().findings)")
        let advisor = Advisor(spec: constrained.spec, trials: constrained.trials)
        #expect(advisor.finished.prefix(8).allSatisfy { $0.feasible == true })
        // Several objectives: the front first, then by the first objective.
        var pareto = try Lab()
        for (i, lr) in rates.enumerated() { pareto.add(lr: lr, final: 0.7 + lr, front: i % 3 == 0 ? 1 : 2) }
        let order = Advisor(spec: pareto.spec, trials: pareto.trials).finished.map(\.number)
        #expect(order == [9, 6, 3, 0, 11, 10, 8, 7, 5, 4, 2, 1])
    }

    @Test("too few trials: nothing is said")
    func quiet() throws {
        var lab = try Lab()
        for lr in [0.001, 0.1] { lab.add(lr: lr, name: "sgd", final: 0.7, rising: true) }
        #expect(lab.advice().findings.isEmpty)
    }
}

func with(_ t: Observed, epoch: Int, value: Double) -> Observed {
    var curve = t.curve
    curve[epoch] = ["validation_accuracy": value, "train_accuracy": value]
    return Observed(number: t.number, state: t.state, values: t.values, value: t.value, curve: curve, reason: t.reason)
}
