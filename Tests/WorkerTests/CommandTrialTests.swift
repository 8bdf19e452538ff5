import Foundation
import Testing
import Config
import Synchronization
@testable import Worker

/// Collects log lines from the trial's reader threads.
final class Lines: Sendable {
    let lines = Mutex<[String]>([])
    func add(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

@Suite("Command trials")
struct CommandTrialTests {
    @Test("placeholders and environment variables carry the parameters")
    func template() throws {
        let parameters: [String: Config] = ["optimizer.lr": .number(0.01), "model": .string("mlp")]
        let trial = try CommandTrial(template: ["train.py", "--lr={optimizer.lr}", "--model", "{model}", "plain", #"{"a": 1}"#], parameters: parameters, seed: 4)
        #expect(trial.arguments == ["train.py", "--lr=0.01", "--model", "mlp", "plain", #"{"a": 1}"#])
        #expect(trial.environment["SWEEP_PARAM_OPTIMIZER_LR"] == "0.01" && trial.environment["SWEEP_PARAM_MODEL"] == "mlp")
        #expect(trial.environment["SWEEP_SEED"] == "4")
        let error = #expect(throws: SpecError.self) { try CommandTrial(template: ["x", "{optimizer.lrr}"], parameters: parameters, seed: 0) }
        #expect(error?.description.contains("placeholder {optimizer.lrr} names no parameter of the space (did you mean 'optimizer.lr'?)") == true)
    }

    @Test("report lines become reports; other output and stderr go to the log; the exit status is kept")
    func reports() throws {
        let script = """
            echo "starting"
            echo '{"epoch": 1, "validation_accuracy": 0.5, "loss": "nan"}'
            echo "warning: slow" >&2
            echo '{"epoch": 2, "validation_accuracy": 0.75}'
            echo '{"no_epoch": 1}'
            echo "lr=$SWEEP_PARAM_LR"
            exit 3
            """
        let trial = try CommandTrial(template: ["sh", "-c", script], parameters: ["lr": .number(0.1)], seed: 0)
        var reports: [CommandTrial.Report] = []
        let log = Lines()
        let outcome = try trial.run(onReport: { reports.append($0); return true }, onLog: log.add)
        #expect(outcome == .exited(3))
        #expect(reports.map(\.epoch) == [1, 2])
        #expect(reports[1].metrics == ["validation_accuracy": 0.75])
        #expect(reports[0].metrics["loss"]!.isNaN)
        #expect(Set(log.all) == ["starting", "warning: slow", #"{"no_epoch": 1}"#, "lr=0.1"])
    }

    @Test("stopping kills the whole process group, children included")
    func stop() throws {
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(UUID().uuidString)").path
        let script = """
            sleep 300 &
            echo $! > \(pidFile)
            i=1
            while true; do echo "{\\"epoch\\": $i, \\"loss\\": 1}"; i=$((i+1)); sleep 0.05; done
            """
        let trial = try CommandTrial(template: ["sh", "-c", script], parameters: [:], seed: 0)
        var seen = 0
        let outcome = try trial.run(onReport: { _ in seen += 1; return seen < 3 }, onLog: { _ in })
        #expect(outcome == .stopped)
        #expect(seen == 3)
        let child = pid_t(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))!
        // The child got SIGTERM with its group; give the kernel a moment to reap it.
        var alive = true
        for _ in 0..<100 where alive {
            alive = kill(child, 0) == 0 && !isZombie(child)
            if alive { usleep(20_000) }
        }
        #expect(!alive, "child \(child) of the stopped trial is still running")
    }

    @Test("a program that exits leaves no process behind to hold the trial open")
    func leftovers() throws {
        let trial = try CommandTrial(template: ["sh", "-c", "sleep 300 & echo '{\"epoch\": 1, \"loss\": 0.5}'; exit 0"], parameters: [:], seed: 0)
        var reports = 0
        let start = Date()
        #expect(try trial.run(onReport: { _ in reports += 1; return true }, onLog: { _ in }) == .exited(0))
        #expect(reports == 1)
        #expect(Date().timeIntervalSince(start) < 60, "the run waited for the background sleep")
    }

    @Test("a program that cannot start is an error naming it")
    func missing() throws {
        let trial = try CommandTrial(template: ["/nonexistent/train"], parameters: [:], seed: 0)
        let error = #expect(throws: SpecError.self) { _ = try trial.run(onReport: { _ in true }, onLog: { _ in }) }
        #expect(error?.description.contains("cannot start '/nonexistent/train'") == true)
    }
}

/// Whether /proc shows the process as a zombie (exited, not yet reaped by its parent).
func isZombie(_ pid: pid_t) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
    return stat.split(separator: ")").last?.trimmingCharacters(in: .whitespaces).hasPrefix("Z") ?? true
}
