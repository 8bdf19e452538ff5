import Foundation
import Testing
import NN
import Tensor

/// Trajectories from the independent NumPy implementation in Fixtures/optimizers.py.
struct Reference: Decodable {
    let w0: [Float], t: [Float], c: [Float]
    let trajectories: [String: [[Float]]]

    static func load() throws -> Reference {
        let url = try #require(Bundle.module.url(forResource: "optimizers", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }
}

@Suite("Optimizers against reference values")
struct OptimizerTests {
    static let cases: [(String, Algorithm, Float)] = [
        ("sgd", .sgd(momentum: 0, nesterov: false), 0.1),
        ("momentum", .sgd(momentum: 0.9, nesterov: false), 0.05),
        ("nesterov", .sgd(momentum: 0.9, nesterov: true), 0.05),
        ("adagrad", .adagrad(epsilon: 1e-8), 0.5),
        ("adadelta", .adadelta(rho: 0.95, epsilon: 1e-6), 1.0),
        ("rmsprop", .rmsprop(rho: 0.9, epsilon: 1e-8), 0.01),
        ("adam", .adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, decoupledDecay: 0), 0.1),
        ("adamw", .adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, decoupledDecay: 0.01), 0.1),
    ]

    @Test("five steps match NumPy", arguments: cases.map(\.0))
    func trajectory(name: String) throws {
        let reference = try Reference.load()
        let (_, algorithm, lr) = try #require(Self.cases.first { $0.0 == name })
        let w = try Tensor(shape: [5], scalars: reference.w0, requiresGrad: true)
        let t = try Tensor(shape: [5], scalars: reference.t), c = try Tensor(shape: [5], scalars: reference.c)
        let optimizer = Optimizer(algorithm)
        for (step, expected) in try #require(reference.trajectories[name]).enumerated() {
            try (c * (w - t).squared()).sum().backward()
            optimizer.step([w], learningRate: lr)
            for (got, want) in zip(w.scalars, expected) {
                #expect(abs(got - want) <= 1e-5 * max(1, abs(want)), "\(name) step \(step + 1): \(w.scalars) vs \(expected)")
            }
        }
    }

    @Test("a penalty in the step moves weights as the penalty on the tape would", arguments: cases.map(\.0))
    func penaltyInStep(name: String) throws {
        let (_, algorithm, lr) = try #require(Self.cases.first { $0.0 == name })
        let start: [Float] = [0.5, -1.5, 0.25, 0, 2, -0.75]
        let target = try Tensor(shape: [6], scalars: [1, 0, -1, 0.5, 1, -2])
        let (l1, l2): (Float, Float) = (0.05, 0.2)
        // The penalty's gradient from the tape (Loss.penalty) and from inside the step.
        let taped = try Tensor(shape: [6], scalars: start, requiresGrad: true)
        let stepped = try Tensor(shape: [6], scalars: start, requiresGrad: true)
        let onTape = Optimizer(algorithm, clipNorm: 2)
        let inStep = Optimizer(algorithm, clipNorm: 2, penalty: Penalty(l1: l1, l2: l2), on: [stepped])
        for step in 1...4 {
            try ((taped - target).squared().sum() + Loss.penalty([taped], l1: l1, l2: l2)!).backward()
            onTape.step([taped], learningRate: lr)
            try (stepped - target).squared().sum().backward()
            inStep.step([stepped], learningRate: lr)
            for (a, b) in zip(stepped.scalars, taped.scalars) {
                #expect(abs(a - b) <= 1e-5 * max(1, abs(b)), "\(name) step \(step): \(stepped.scalars) vs \(taped.scalars)")
            }
        }
    }

    @Test("the penalty applies to weights only, not biases or batch-norm scales")
    func penaltyTargets() throws {
        var g = SeededGenerator(seed: 2)
        let model = Sequential([Dense(3, 4, using: &g), BatchNorm(4, channels: false), Dense(4, 2, using: &g)])
        let weights = model.weights.map(ObjectIdentifier.init)
        #expect(weights.count == 2 && model.parameters.count == 6)
        let dense = try #require(model.layers[0] as? Dense)
        #expect(weights.contains(ObjectIdentifier(dense.weight)) && !weights.contains(ObjectIdentifier(dense.bias)))
        // A zero gradient: only the penalty moves anything, and only the weights.
        let before = model.parameters.map(\.scalars)
        for p in model.parameters { try (p * 0).sum().backward() }
        Optimizer(.sgd(momentum: 0, nesterov: false), penalty: Penalty(l2: 0.5), on: model.weights).step(model.parameters, learningRate: 0.1)
        for (p, old) in zip(model.parameters, before) {
            let moved = p.scalars != old
            #expect(moved == weights.contains(ObjectIdentifier(p)), "shape \(p.shape) moved: \(moved)")
        }
    }

    @Test("clipping scales the global gradient norm down to the limit")
    func clipping() throws {
        let a = try Tensor(shape: [2], scalars: [0, 0], requiresGrad: true)
        let b = try Tensor(shape: [1], scalars: [0], requiresGrad: true)
        // Gradients (3, 0) and (4): global norm 5, clipped to 1 → steps of 0.6 and 0.8.
        try (a * Tensor(shape: [2], scalars: [3, 0])).sum().backward()
        try (b * 4).sum().backward()
        Optimizer(.sgd(momentum: 0, nesterov: false), clipNorm: 1).step([a, b], learningRate: 1)
        #expect(abs(a.scalars[0] + 0.6) < 1e-6 && a.scalars[1] == 0)
        #expect(abs(b.scalars[0] + 0.8) < 1e-6)
        #expect(a.grad == nil && b.grad == nil, "a step clears the gradients")
    }

    @Test("schedules follow their formulas")
    func schedules() {
        #expect(Schedule(base: 1, rule: .step(factor: 0.5, every: 2)).rate(epoch: 5) == 0.25)
        #expect(abs(Schedule(base: 1, rule: .exponential(factor: 0.9)).rate(epoch: 2) - 0.81) < 1e-6)
        let cosine = Schedule(base: 1, rule: .cosine(epochs: 10, minimum: 0))
        #expect(cosine.rate(epoch: 0) == 1 && abs(cosine.rate(epoch: 5) - 0.5) < 1e-6 && cosine.rate(epoch: 10) < 1e-6)
        let warm = Schedule(base: 1, rule: .constant, warmup: 4)
        #expect(warm.rate(epoch: 0) == 0.25 && warm.rate(epoch: 3) == 1 && warm.rate(epoch: 9) == 1)
        let plateau = Schedule(base: 1, rule: .plateau(factor: 0.3, patience: 1, minimum: 0.05))
        for value: Float in [1.0, 0.9, 0.95, 0.96] { plateau.observe(value) }
        #expect(abs(plateau.rate(epoch: 4) - 0.3) < 1e-6, "two epochs without improvement past patience 1: × 0.3")
        var early = EarlyStopping(patience: 2)
        #expect(!early.observe(1, epoch: 0) && !early.observe(0.5, epoch: 1) && !early.observe(0.6, epoch: 2))
        #expect(early.observe(0.7, epoch: 3) && early.bestEpoch == 1)
    }
}
