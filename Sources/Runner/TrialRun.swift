import Foundation
import Logging
import Config
import Datasets
import NN
import TrialSpecs
import Protocol
import Search

/// One assigned trial, trained to its end: the built-in engine or an external command. Reports
/// go out through `report` (false: stop now); the result is the DONE status, error and metrics.
public struct TrialRun {
    public let assign: Body.Assign
    public let logger: Logger
    /// Where a built-in trial's data comes from (a local study shares one load among its trials).
    public let data: @Sendable (TrialSpec) throws -> Splits

    public init(assign: Body.Assign, logger: Logger, data: @escaping @Sendable (TrialSpec) throws -> Splits = { try $0.splits() }) {
        self.assign = assign
        self.logger = logger
        self.data = data
    }

    public struct Result: Sendable {
        public var status = RunStatus.completed
        public var error: String?
        /// Set for a failure of this machine's, not the trial's.
        public var cause: FailureCause?
        /// The last report's metrics (with `test_*` for the final trial).
        public var metrics: [String: Double] = [:]
    }

    /// `output` hears a command's lines that are not reports, with their stream.
    public func run(shouldStop: @escaping @Sendable () -> Bool, report: (_ epoch: Int, _ metrics: [String: Double]) -> Bool,
             output: @escaping @Sendable (StandardStream, String) -> Void = { _, _ in }) -> Result {
        var result = Result()
        func forward(_ epoch: Int, _ metrics: [String: Double]) -> Bool {
            result.metrics = metrics
            return report(epoch, metrics)
        }
        do {
            if assign.kind == .command {
                guard let template = assign.command, case let .object(parameters)? = assign.config else {
                    throw SpecError.at("command", "a command trial needs its argument template and parameters")
                }
                let command = try CommandTrial(template: template, parameters: parameters, seed: assign.seed,
                                               builtins: ["trial": String(assign.number ?? -1), "study": assign.study])
                // A stop (the coordinator's, a lost lease, shutdown) must reach a program that is
                // not reporting, so it is watched, not only checked at each report.
                let ended = DispatchSemaphore(value: 0)
                let watcher = Thread {
                    while ended.wait(timeout: .now() + 0.1) == .timedOut {
                        if shouldStop() { return command.stop() }
                    }
                }
                watcher.start()
                defer { ended.signal() }
                let logger = logger, trial = assign.trial
                switch try command.run(onReport: { forward($0.epoch, $0.metrics) }, onLog: { stream, line in
                    logger.info("\(line)", metadata: ["trial": "\(trial)", "stream": "\(stream.rawValue)"])
                    output(stream, line)
                }) {
                case .stopped: result.status = .stopped
                case .exited(0): result.status = .completed
                case .exited(let code): result.status = .failed; result.error = "exit status \(code)"
                case .signaled(SIGKILL):
                    // Nobody here sends SIGKILL to a running trial (a stop is SIGTERM): the kernel's
                    // out-of-memory killer did, which is the machine's limit, not the trial's.
                    result.status = .failed
                    result.error = "killed by signal 9 (SIGKILL: out of memory on this machine?)"
                    result.cause = .worker
                case .signaled(let signal): result.status = .failed; result.error = "killed by signal \(signal)"
                }
            } else {
                let spec = try TrialSpec(config: assign.config ?? .object([:]))
                let splits: Splits
                do { splits = try data(spec) } catch { throw MachineFault("cannot load the data on this machine: \(error)") }
                let trainer = try Trainer(spec: spec, splits: splits)
                let (outcome, _) = try trainer.run(shouldStop: shouldStop) { forward($0.epoch, $0.metrics) }
                switch outcome {
                case .diverged: result.status = .diverged
                case .stopped: result.status = .stopped
                default: result.status = .completed
                }
                // The final trial: the study's best configuration, scored once on the test split.
                if assign.test == true, result.status == .completed {
                    guard let test = splits.test else { throw SpecError.at("data", "the dataset has no test split to score the best trial on") }
                    let (loss, accuracy) = try trainer.evaluate(test)
                    result.metrics["test_loss"] = Double(loss)
                    if let accuracy { result.metrics["test_accuracy"] = Double(accuracy) }
                }
            }
        } catch let fault as MachineFault {
            result.status = .failed
            result.error = fault.message
            result.cause = .worker
        } catch {
            result.status = .failed
            result.error = "\(error)"
        }
        return result
    }
}

/// A failure of the machine a trial runs on (its data or program missing, no pipes), not of
/// the trial: DONE says `cause: worker`, and the trial may run elsewhere.
public struct MachineFault: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

