import Foundation
import Testing
import Config
import Synchronization
import Search
@testable import Runner

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
        #expect(try Config.parse(json: trial.environment["SWEEP_PARAMS"] ?? "", source: "t") == .object(["optimizer.lr": .number(0.01), "model": .string("mlp")]))
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
        let outcome = try trial.run(onReport: { reports.append($0); return true }, onLog: { log.add("\($0.rawValue): \($1)") })
        #expect(outcome == .exited(3))
        #expect(reports.map(\.epoch) == [1, 2])
        #expect(reports[1].metrics == ["validation_accuracy": 0.75])
        #expect(reports[0].metrics["loss"]!.isNaN)
        #expect(Set(log.all) == ["stdout: starting", "stderr: warning: slow", #"stdout: {"no_epoch": 1}"#, "stdout: lr=0.1"], "each line labelled by its stream")
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
        let outcome = try trial.run(onReport: { _ in seen += 1; return seen < 3 }, onLog: { _, _ in })
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
        #expect(try trial.run(onReport: { _ in reports += 1; return true }, onLog: { _, _ in }) == .exited(0))
        #expect(reports == 1)
        #expect(Date().timeIntervalSince(start) < 60, "the run waited for the background sleep")
    }

    @Test("a program starts with no signal blocked or ignored, so its SIGTERM handler runs when the trial stops")
    func signals() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("signals-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let saved = directory + "/checkpoint"
        let script = """
            import json, signal, sys, time
            status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
            def on_term(number, frame):
                open(sys.argv[1], "w").write("saved at epoch 1")
                sys.exit(0)
            signal.signal(signal.SIGTERM, on_term)
            print(json.dumps({"epoch": 1, "blocked": int(status["SigBlk"], 16), "ignored": int(status["SigIgn"], 16)}), flush=True)
            while True:
                time.sleep(0.05)
            """
        // The worker blocks the signals its own handlers read; the program must not inherit that.
        var blocked = sigset_t(), previous = sigset_t()
        sigemptyset(&blocked)
        for signal in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&blocked, signal) }
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        let trial = try CommandTrial(template: ["python3", "-c", script, saved], parameters: [:], seed: 0)
        var reports: [CommandTrial.Report] = []
        let outcome = try trial.run(onReport: { reports.append($0); return false }, onLog: { _, _ in })
        #expect(outcome == .stopped)
        // Python ignores SIGPIPE itself; SIGTERM must be neither blocked nor ignored.
        #expect(reports.first?.metrics["blocked"] == 0 && (Int(reports.first?.metrics["ignored"] ?? -1) & (1 << (SIGTERM - 1))) == 0, "\(reports)")
        #expect((try? String(contentsOfFile: saved, encoding: .utf8)) == "saved at epoch 1", "the handler ran before the stop")
    }

    @Test("nothing the worker blocks or ignores reaches the program")
    func cleanMasks() throws {
        var blocked = sigset_t(), previous = sigset_t()
        sigemptyset(&blocked)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGALRM] { sigaddset(&blocked, signal) }
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        let lines = Lines()
        let trial = try CommandTrial(template: ["sh", "-c", "exec awk '/^Sig(Blk|Ign)/ {print $1, $2}' /proc/self/status"], parameters: [:], seed: 0)
        #expect(try trial.run(onReport: { _ in true }, onLog: { lines.add($1) }) == .exited(0))
        let masks = Dictionary(uniqueKeysWithValues: lines.all.map { line in
            (String(line.prefix(while: { $0 != ":" })), UInt64(line.split(separator: " ").last ?? "", radix: 16) ?? .max)
        })
        // Signals 1–31 (32 and 33 belong to glibc, which sets them up in every program it starts).
        #expect(masks["SigBlk"] == 0 && masks["SigIgn"].map { $0 & 0x7FFF_FFFF } == 0, "\(lines.all)")
    }

    @Test("a program killed by a signal is not a completed trial")
    func killed() throws {
        let trial = try CommandTrial(template: ["sh", "-c", "kill -SEGV $$"], parameters: [:], seed: 0)
        #expect(try trial.run(onReport: { _ in true }, onLog: { _, _ in }) == .signaled(SIGSEGV))
    }

    @Test("a program that cannot start is the machine's failure, naming it")
    func missing() throws {
        let trial = try CommandTrial(template: ["/nonexistent/train"], parameters: [:], seed: 0)
        let error = #expect(throws: MachineFault.self) { _ = try trial.run(onReport: { _ in true }, onLog: { _, _ in }) }
        #expect(error?.description.contains("cannot start '/nonexistent/train'") == true)
    }
}

/// Whether /proc shows the process as a zombie (exited, not yet reaped by its parent).
func isZombie(_ pid: pid_t) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
    return stat.split(separator: ")").last?.trimmingCharacters(in: .whitespaces).hasPrefix("Z") ?? true
}
