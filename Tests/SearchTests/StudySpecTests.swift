import Foundation
import Testing
import Config
import TrialSpecs
@testable import Search

func study(_ yaml: String) throws -> StudySpec {
    try StudySpec(config: Config.parse(yaml: yaml, source: "test"), trials: TrialSpec.rules)
}

@Suite("Study specs")
struct StudySpecTests {
    @Test("a full spec reads into a space, a strategy, a budget and a stopper")
    func full() throws {
        let spec = try study("""
            study: fmnist-mlp
            objective: {metric: validation_accuracy, direction: maximize}
            trial: {model: {kind: mlp}, epochs: 9}
            space:
              optimizer.lr: {type: float, low: 1e-4, high: 0.1, log: true}
              optimizer.name: {type: choice, values: [sgd, adam]}
              optimizer.momentum: {type: float, low: 0.5, high: 0.99, when: {optimizer.name: [sgd]}}
              model.hidden: {values: [[64], [128, 64]]}
              batch_size: {type: int, low: 32, high: 256, log: true}
              seed: {value: 3}
            strategy: {name: grid, grid_points: 4}
            budget: {max_trials: 40, max_concurrent: 4, max_wall_time: 600}
            stopper: {name: asha, min_resource: 1, reduction_factor: 3}
            seed: 5
            """)
        #expect(spec.name == "fmnist-mlp" && spec.direction == .maximize && spec.metric == "validation_accuracy")
        #expect(spec.space.parameters.count == 6)
        #expect(spec.space.parameters.firstIndex { $0.name == "optimizer.name" }! < spec.space.parameters.firstIndex { $0.name == "optimizer.momentum" }!)
        #expect(spec.strategy == .grid(points: 4))
        #expect(spec.budget == StudySpec.Budget(maxTrials: 40, maxConcurrent: 4, maxWallTime: 600))
        #expect(spec.stopper == .asha(minimumResource: 1, reductionFactor: 3))
        #expect(spec.trial[path: "epochs"] == .number(9) && spec.seed == 5)
        let conditional = try study("study: c\nspace: {optimizer.name: {values: [sgd, adam]}, optimizer.momentum: {low: 0.5, high: 0.9, when: {optimizer.name: sgd}}}")
        #expect(conditional.strategy == .tpe, "conditional spaces default to TPE")
    }

    @Test("every problem is reported at once, with its path and the fix")
    func problems() throws {
        let error = #expect(throws: SpecError.self) {
            try study("""
                objective: {metric: loss, direction: down}
                space:
                  optimizer.lr: {type: float, low: 0, high: 0.1, log: true}
                  optimiser.name: {type: choice, values: [sgd]}
                  batch_size: {type: int, low: 64, high: 32}
                  model.dropout: {type: float, low: 0, high: 0.5, when: {model.kind: [cnn]}}
                  epochs: {type: choice, values: []}
                strategy: {name: bayes}
                budgett: {max_trials: 3}
                """)
        }
        let lines = error?.problems.map(\.description) ?? []
        #expect(lines.contains("study is required: name the study"))
        #expect(lines.contains { $0.hasPrefix("objective.direction must be one of minimize, maximize (got 'down')") })
        #expect(lines.contains("space.optimizer.lr.low must be > 0 when log: true (got 0)"))
        #expect(lines.contains { $0.hasPrefix("space.optimiser.name names no trial config key (did you mean 'optimizer.name'?)") })
        #expect(lines.contains("space.batch_size.high must be ≥ low (got low 64, high 32)"))
        #expect(lines.contains { $0.hasPrefix("space.model.dropout.when refers to 'model.kind', which is not a parameter of the space") })
        #expect(lines.contains("space.epochs.values must be a non-empty list of the values to choose from"))
        #expect(lines.contains { $0.hasPrefix("strategy.name must be one of auto, gp, tpe, nsga2, random, sobol, grid, coarse_to_fine (got 'bayes')") })
        #expect(lines.contains { $0.hasPrefix("budgett is not a known key (did you mean 'budget'?)") })
        #expect(lines.count == 9)
    }

    @Test("a trial spec that cannot train, an unknown objective metric and a stray placeholder are refused at submit, each at its path")
    func trialsChecked() throws {
        func problems(_ yaml: String) -> [String] {
            do { _ = try study(yaml); return [] } catch let error as SpecError { return error.problems.map(\.description) } catch { return ["\(error)"] }
        }
        let lines = problems("""
            study: typos
            objective: {metric: val_acc}
            trial: {model: {kind: transformer, hiden: [64]}, epocs: 3}
            space:
              optimizer.name: {values: [adam, adamm]}
              optimizer.lr: {low: 1e-4, high: 0.1, log: true}
            """)
        #expect(lines.contains { $0.hasPrefix("objective.metric must be a metric built-in trials report: validation_loss, validation_accuracy, train_loss, train_accuracy, seconds, parameters (got 'val_acc')") })
        #expect(lines.contains { $0.hasPrefix("trial.epocs is not a known key (did you mean 'epochs'?)") })
        #expect(lines.contains { $0.hasPrefix("trial.model.hiden is not a known key (did you mean 'hidden'?)") })
        #expect(lines.contains { $0.hasPrefix("trial.model.kind must be one of") && $0.contains("(got 'transformer')") })
        #expect(lines.contains { $0.hasPrefix("space.optimizer.name.values[1] gives a trial spec that does not train: optimizer.name must be one of") })
        #expect(!lines.contains { $0.hasPrefix("space.optimizer.lr") }, "the learning rate's range is fine")
        #expect(problems("study: ok\ntrial: {data: {dataset: moons}}\nspace: {optimizer.name: {values: [sgd, adam]}, model.kind: {values: [mlp]}}") == [])
        let command = problems("study: c\ncommand: [train.py, '--lr={lr}', '--seed={seed}', '--out=run-{trial}', '--x={x_typo}']\nspace: {lr: {low: 0.1, high: 1}, x: {low: 0, high: 1}}")
        #expect(command == ["command[4] has the placeholder {x_typo}, which names no parameter of the space; a placeholder is a parameter or one of {trial}, {seed}, {study}"])
    }

    @Test("an objective list gives several objectives in order; a bad list is refused at submit, each problem at its entry")
    func objectiveLists() throws {
        func problems(_ yaml: String) -> [String] {
            do { _ = try study(yaml); return [] } catch let error as SpecError { return error.problems.map(\.description) } catch { return ["\(error)"] }
        }
        let two = try study("study: t\nobjective: [{metric: validation_accuracy, direction: maximize}, {metric: parameters}]\nspace: {model.hidden: {values: [[8], [64]]}}")
        #expect(two.objectives == [Objective("validation_accuracy", .maximize), Objective("parameters", .minimize)])
        #expect(two.metric == "validation_accuracy" && two.direction == .maximize, "the first is the objective a study retrains and reports best")
        #expect(problems("study: t\nobjective: []").contains { $0.hasPrefix("objective lists no objective") })
        #expect(problems("study: t\nobjective: [{metric: seconds}, {direction: maximize}]").contains("objective[1].metric is required when the study lists several objectives"))
        #expect(problems("study: t\nobjective: [{metric: seconds}, {metric: seconds, direction: maximize}]").contains { $0.hasPrefix("objective[1].metric lists 'seconds' twice") })
        #expect(problems("study: t\nobjective: [{metric: seconds}, {metric: size}]\nspace: {optimizer.lr: {low: 0.01, high: 0.1}}").contains { $0.hasPrefix("objective[1].metric must be a metric built-in trials report") && $0.contains("(got 'size')") })
        #expect(problems("study: t\nstrategy: {name: nsga2}").contains { $0.hasPrefix("strategy.name nsga2 searches several objectives and this study has one") })
        let several = "study: t\nobjective: [{metric: validation_loss}, {metric: seconds}]\nspace: {optimizer.lr: {low: 0.01, high: 0.1}}\n"
        #expect(problems(several + "strategy: {name: coarse_to_fine}").contains { $0.hasPrefix("strategy.name coarse_to_fine narrows around one best trial") })
        #expect(problems(several + "stopper: {name: patience}").contains { $0.hasPrefix("stopper.name patience watches one objective improve") })
        for strategy in ["nsga2", "gp", "tpe", "random", "sobol"] { #expect(problems(several + "strategy: {name: \(strategy)}") == [], "\(strategy) takes several objectives") }
    }

    @Test("constraints are read as bounds on metrics, and every mistake in them is refused at submit with the field and the fix")
    func constraintLists() throws {
        func problems(_ yaml: String) -> [String] {
            do { _ = try study(yaml); return [] } catch let error as SpecError { return error.problems.map(\.description) } catch { return ["\(error)"] }
        }
        let base = "study: t\nspace: {optimizer.lr: {low: 0.01, high: 0.1}}\n"
        let spec = try study(base + "constraints: [{metric: seconds, max: 30}, {metric: validation_accuracy, min: 0.8}]")
        #expect(spec.constraints == [Constraint("seconds", .max(30)), Constraint("validation_accuracy", .min(0.8))])
        #expect(spec.constraints.map(\.description) == ["seconds ≤ 30", "validation_accuracy ≥ 0.8"])
        #expect(spec.constraints[0].violation(32) == 2 && spec.constraints[1].violation(0.9) < 0 && spec.constraints[0].violation(nil).isNaN)
        #expect(try study(base).constraints == [], "none by default")
        #expect(problems(base + "constraints: {metric: seconds, max: 3}").contains { $0.hasPrefix("constraints must be a list like [{metric: latency_ms, max: 50}]") })
        #expect(problems(base + "constraints: [{max: 3}]").contains("constraints[0].metric is required: name the metric to bound"))
        #expect(problems(base + "constraints: [{metric: seconds}]").contains { $0.hasPrefix("constraints[0] needs a bound: max") })
        #expect(problems(base + "constraints: [{metric: seconds, max: 3, min: 1}]").contains { $0.hasPrefix("constraints[0] gives both max and min") })
        #expect(problems(base + "constraints: [{metric: seconds, max: fast}]").contains { $0.hasPrefix("constraints[0].max must be") })
        #expect(problems(base + "constraints: [{metric: seconds, max: 3}, {metric: seconds, max: 5}]").contains { $0.hasPrefix("constraints[1].max bounds 'seconds' from the same side twice") })
        #expect(problems(base + "constraints: [{metric: seconds, max: 3}, {metric: seconds, min: 1}]") == [], "a range is two bounds")
        #expect(problems(base + "constraints: [{metric: latency, max: 3}]").contains { $0.hasPrefix("constraints[0].metric must be a metric built-in trials report") && $0.contains("(got 'latency')") })
        #expect(problems(base + "constraints: [{metric: seconds, limit: 3}]").contains { $0.hasPrefix("constraints[0].limit is not a known key") })
        #expect(problems("study: t\ncommand: [run, '{x}']\nspace: {x: {low: 0, high: 1}}\nconstraints: [{metric: latency, max: 3}]") == [],
                "a command reports metrics Sweep cannot know in advance")
    }

    @Test("float domains that would overflow or trap are refused at submit, naming the field and the limit")
    func hostileDomains() throws {
        func problems(_ domain: String) -> [String] {
            // A command study: the domain alone is checked, not what a built-in trial makes of it.
            do { _ = try study("study: h\ncommand: [run, '{optimizer.lr}']\nspace: {optimizer.lr: \(domain)}"); return [] } catch let error as SpecError {
                return error.problems.map(\.description)
            } catch { return ["\(error)"] }
        }
        #expect(problems("{type: float, low: 0, high: 1, step: 1e-300}").first?.hasPrefix("space.optimizer.lr.step leaves too many values between low and high (at most 1000000000000000") == true)
        #expect(problems("{type: float, low: 0, high: 1e8, step: 1e-12}").first?.contains("use a larger step") == true)
        #expect(problems("{type: float, low: -1e308, high: 1e308}") == [
            "space.optimizer.lr.low must be a finite number within ±1e+300 (got -1e+308)",
            "space.optimizer.lr.high must be a finite number within ±1e+300 (got 1e+308)",
        ])
        #expect(problems("{type: float, low: 0, high: .inf}").first?.hasPrefix("space.optimizer.lr.high must be a finite number") == true)
        #expect(problems("{type: float, low: 0, high: 1, step: 0.001}") == [], "a thousand values is fine")
        // What the samplers do with the largest domain allowed stays finite.
        let spec = try study("study: h\ncommand: [run, '{optimizer.lr}']\nspace: {optimizer.lr: {low: -1e300, high: 1e300}}\nstrategy: {name: random}")
        var generator = SplitMix64(seed: 1)
        let value = RandomSampler().suggest(spec.space, history: [], direction: .minimize, using: &generator)?["optimizer.lr"]
        guard case let .number(x)? = value else { Issue.record("no value"); return }
        #expect(x.isFinite)
    }

    @Test("a stored domain that breaks the limits does not trap")
    func storedDomains() {
        #expect(Domain.float(low: 0, high: 1, log: false, step: 1e-300).cardinality == Int(Domain.mostValues) + 1)
        #expect(Domain.float(low: -1e308, high: 1e308, log: false, step: 1).cardinality == 1)
    }

    @Test("a configuration with a number JSON cannot hold still encodes, never as an empty text")
    func nonFiniteJSON() throws {
        let config = Config.object(["x": .number(.infinity), "y": .number(.nan), "z": .number(1)])
        #expect(config.json == #"{"x":"inf","y":"nan","z":1}"#)
    }

    @Test("the divergence rule's factor is a setting, and off turns the blow-up rule off")
    func divergenceSetting() throws {
        #expect(try study("study: d\nspace: {optimizer.lr: {low: 0.001, high: 0.1}}").divergence == 10)
        #expect(try study("study: d\nspace: {optimizer.lr: {low: 0.001, high: 0.1}}\nstopper: {divergence: 100}").divergence == 100)
        #expect(try study("study: d\nspace: {optimizer.lr: {low: 0.001, high: 0.1}}\nstopper: {divergence: off}").divergence == nil)
        let error = #expect(throws: SpecError.self) { try study("study: d\nspace: {optimizer.lr: {low: 0.001, high: 0.1}}\nstopper: {divergence: 0.5}") }
        #expect(error?.problems.first?.path == "stopper.divergence")
    }

    @Test("a base trial that leaves out epochs gets the trainer's default, so progress and stoppers know the last epoch")
    func epochsDefault() throws {
        #expect(try study("study: e\nspace: {optimizer.lr: {low: 0.001, high: 0.1}}").trial[path: "epochs"] == .number(10))
        #expect(try study("study: e\ntrial: {epochs: 3}\nspace: {optimizer.lr: {low: 0.001, high: 0.1}}").trial[path: "epochs"] == .number(3))
        let engine = StudyEngine(spec: try study("study: e\nspace: {optimizer.lr: {low: 0.001, high: 0.1}}"), start: 0)
        engine.add(Configuration(["optimizer.lr": .number(0.01)]))
        #expect(engine.epochs(0) == 10)
    }

    @Test("a command trial may search any parameter name")
    func command() throws {
        let spec = try study("""
            study: cmd
            command: [python3, train.py, --lr, "{lr}"]
            space: {lr: {low: 0.001, high: 0.1, log: true}}
            """)
        #expect(spec.command == ["python3", "train.py", "--lr", "{lr}"])
        #expect(spec.strategy == .gp, "numeric spaces default to Bayesian optimization")
        #expect(spec.stopper == .none && spec.budget.maxTrials == 20)
    }
}

@Suite("Example search specs")
struct ExampleSpecTests {
    @Test("every study spec under examples/ reads without a problem", arguments: [
        "fashion-mnist-mlp.yaml", "fashion-mnist-cnn.yaml", "fashion-mnist-pareto.yaml", "fashion-mnist-constrained.yaml", "grid.yaml", "coarse-to-fine.yaml", "playbook-search.yaml", "command/quadratic.yaml",
    ])
    func example(_ name: String) throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples/\(name)").standardized.path
        let spec = try StudySpec(config: Config.load(path: path), trials: TrialSpec.rules)
        #expect(spec.budget.maxTrials > 0 && !spec.space.parameters.isEmpty)
    }
}

@Suite("Enqueued configurations")
struct EnqueueTests {
    @Test("a spec's enqueue runs first, in order, then the sampler's; a restarted engine goes on where it was")
    func order() throws {
        let spec = try study("""
            study: e
            command: [train, '{lr}', '{name}']
            space: {lr: {low: 0.001, high: 0.1, log: true}, name: {values: [sgd, adam]}}
            strategy: {name: random}
            budget: {max_trials: 5, max_concurrent: 1}
            enqueue: [{lr: 0.01, name: adam}, {lr: 0.002, name: sgd}]
            """)
        #expect(spec.enqueue.map { $0["lr"] } == [.number(0.01), .number(0.002)])
        let engine = StudyEngine(spec: spec, start: 0)
        var tried: [Configuration] = []
        while let next = engine.suggest(now: 0, running: 0) {
            tried.append(next)
            engine.set(engine.add(next), .completed, value: 1)
        }
        #expect(tried.count == 5)
        #expect(Array(tried.prefix(2)) == spec.enqueue, "the enqueued two first, in order")
        #expect(!tried.dropFirst(2).contains { spec.enqueue.contains($0) }, "then the sampler's")
        // An engine rebuilt from the first trial (a restarted coordinator) runs the second next.
        let restarted = StudyEngine(spec: spec, start: 0, trials: [Trial(number: 0, configuration: tried[0], state: .completed, value: 1)])
        #expect(restarted.nextEnqueued == spec.enqueue[1] && restarted.suggest(now: 0, running: 0) == spec.enqueue[1])
        #expect(StudyEngine(spec: spec, start: 0).nextEnqueued == spec.enqueue[0])
    }

    @Test("an enqueue that is not a list of configurations inside the space is refused at submit, each problem at its entry")
    func refused() throws {
        func problems(_ enqueue: String, budget: Int = 5) -> [String] {
            let yaml = "study: e\ncommand: [train, '{lr}']\nspace: {lr: {low: 0.001, high: 0.1}}\nbudget: {max_trials: \(budget)}\nenqueue: \(enqueue)"
            do { _ = try study(yaml); return [] } catch let error as SpecError { return error.problems.map(\.description) } catch { return ["\(error)"] }
        }
        #expect(problems("[{lr: 0.05}]") == [])
        #expect(problems("{lr: 0.05}").contains { $0.hasPrefix("enqueue must be a list of configurations to try first") })
        #expect(problems("[0.05]").contains { $0.hasPrefix("enqueue[0] must be a configuration {param: value, …}") })
        #expect(problems("[{lr: 0.05}, {lr: 0.5}]").contains { $0.hasPrefix("enqueue[1].lr") })
        #expect(problems("[{lr: 0.05, momentum: 0.9}]").contains { $0.hasPrefix("enqueue[0].momentum is not a parameter of the study's space") })
        #expect(problems("[{}]").contains { $0.hasPrefix("enqueue[0].lr is missing") })
        #expect(problems("[{lr: 0.05}, {lr: 0.06}]", budget: 1).contains { $0.hasPrefix("enqueue lists 2 configurations, more than budget.max_trials (1)") })
        // A built-in trial's configuration must also train.
        let builtin = "study: b\ntrial: {data: {dataset: moons}}\nspace: {model.activation: {values: [relu, tanh]}}\nenqueue: [{model.activation: relu}]"
        #expect(throws: Never.self) { try study(builtin) }
    }
}
