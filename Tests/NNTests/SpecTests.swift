import Testing
import Config
import TrialSpecs

@Suite("Trial specs")
struct SpecTests {
    @Test("an empty spec means the documented defaults")
    func defaults() throws {
        let trial = try TrialSpec(config: .object([:]))
        #expect(trial == TrialSpec())
        #expect(trial.model.kind == .mlp && trial.model.hidden == [128])
        #expect(trial.optimizer.name == "adam" && trial.optimizer.learningRate == 0.001)
        #expect(trial.batchSize == 128 && trial.epochs == 10 && trial.seed == 0)
        #expect(trial.data.source == .fashionMNIST && trial.data.validationFraction == 0.1)
    }

    @Test("every problem is reported at once, with its path and the fix")
    func problems() throws {
        let config = try Config.parse(yaml: """
            epochs: 0
            batch_sise: 64
            model: {kind: mlp, dropout: 1.5, activation: relu6, weight_init: glorot_unifrom}
            optimizer: {name: adam, lr: -1}
            schedule: {name: stepp}
            """, source: "test")
        let error = #expect(throws: SpecError.self) { try TrialSpec(config: config) }
        let lines = error?.problems.map(\.description) ?? []
        #expect(lines.contains("epochs must be ≥ 1 (got 0)"))
        #expect(lines.contains { $0.hasPrefix("batch_sise is not a known key (did you mean 'batch_size'?)") })
        #expect(lines.contains("model.dropout must be in [0, 0.99] (got 1.5)"))
        #expect(lines.contains { $0.hasPrefix("model.activation must be one of relu, leaky_relu, sigmoid, tanh, linear (got 'relu6')") })
        #expect(lines.contains { $0.contains("model.weight_init unknown initializer 'glorot_unifrom' (did you mean 'glorot_uniform'?)") })
        #expect(lines.contains("optimizer.lr must be > 0 (got -1)"))
        #expect(lines.contains { $0.hasPrefix("schedule.name must be one of constant, step, exponential, plateau, cosine (got 'stepp')") })
        #expect(lines.count == 7)
    }

    @Test("wrong types name the field")
    func types() throws {
        let config = try Config.parse(yaml: "{epochs: ten, model: {hidden: [a]}, restore_best: maybe, data: 3}", source: "test")
        let lines = (#expect(throws: SpecError.self) { try TrialSpec(config: config) })?.problems.map(\.description) ?? []
        #expect(lines.contains("epochs must be a whole number (got ten)"))
        #expect(lines.contains("model.hidden.0 must be a whole number (got a)"))
        #expect(lines.contains("restore_best must be true or false (got maybe)"))
        #expect(lines.contains("data must be a mapping of keys to values (got 3)"))
    }

    @Test("parameters can be laid over a base config by path")
    func overlay() throws {
        let base = try Config.parse(yaml: "{optimizer: {name: sgd}, model: {hidden: [64]}}", source: "test")
        let config = base.setting("optimizer.lr", to: .number(0.3)).setting("model.dropout", to: .number(0.5))
        let trial = try TrialSpec(config: config)
        #expect(trial.optimizer.learningRate == 0.3 && trial.optimizer.name == "sgd")
        #expect(trial.model.dropout == 0.5 && trial.model.hidden == [64])
        #expect(config[path: "optimizer.lr"] == .number(0.3))
        #expect(TrialSpec.searchableKeys.contains("optimizer.lr"))
        #expect(TrialSpec.searchableKeys.contains("model.weight_init"))
    }
}
