import Foundation
import Testing
import Config
import NN
import TrialSpecs

/// The claims of PLAYBOOK.md, reproduced from examples/playbook/*.yaml on small budgets.
@Suite("The playbook, reproduced", .serialized)
struct PlaybookTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../examples/playbook").standardized.path

    /// Validation accuracy (or outcome) of an example spec with a smaller budget laid over it.
    func run(_ name: String, overrides: [String: Config]) throws -> (Outcome, [EpochReport]) {
        var config = try Config.load(path: "\(Self.directory)/\(name).yaml")
        for (path, value) in overrides { config = config.setting(path, to: value) }
        let (outcome, reports, _) = try train(TrialSpec(config: config))
        return (outcome, reports)
    }

    @Test("softmax regression: zero-initialized W is clearly ahead of N(0, 1) after one epoch")
    func softmaxInitialization() throws {
        let small: [String: Config] = ["data.limit": .number(3000), "data.test_limit": .number(100)]
        let (_, normal) = try run("softmax-normal-init", overrides: small)
        let (_, zeros) = try run("softmax-zeros-init", overrides: small)
        let a = normal[0].validationAccuracy!, b = zeros[0].validationAccuracy!
        #expect(b > a + 0.15, "zeros \(b) vs normal \(a)")
        #expect(b > 0.5)
    }

    @Test("a small CNN: Glorot is clearly ahead of N(0, 1)")
    func cnnInitialization() throws {
        let small: [String: Config] = ["data.limit": .number(1500), "data.test_limit": .number(100)]
        let (_, normal) = try run("cnn-normal-init", overrides: small)
        let (_, glorot) = try run("cnn-glorot-init", overrides: small)
        let a = normal[0].validationAccuracy!, b = glorot[0].validationAccuracy!
        #expect(b > a + 0.15, "glorot \(b) vs normal \(a)")
    }

    @Test("linear regression: SGD trains at lr 0.1 and is reported diverged where the loss explodes")
    func learningRate() throws {
        let small: [String: Config] = ["data.examples": .number(500), "epochs": .number(10)]
        let (good, reports) = try run("linear-sgd-lr0.1", overrides: small)
        #expect(good == .completed)
        #expect(reports.last!.validationLoss < 0.01)
        let (bad, _) = try run("linear-sgd-lr10", overrides: small)
        guard case .diverged = bad else {
            Issue.record("lr 10 should diverge, got \(bad)")
            return
        }
    }
}
