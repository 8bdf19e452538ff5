import Foundation
import Config
import Synchronization
import CSpawn
import Protocol
#if canImport(Glibc)
import Glibc
#endif

/// A trial run by an external program. Its arguments are a template whose `{param}`
/// placeholders (a parameter name: letters, digits, `_`, `.`, `-`; other braces are left alone)
/// take the trial's values (also passed as `SWEEP_PARAM_<NAME>` environment
/// variables, the name upper-cased with non-alphanumerics as `_`). The program prints one JSON
/// object per line on standard output for each report, e.g.
/// `{"epoch": 3, "validation_accuracy": 0.91, "train_loss": 0.25}`; other lines are passed to the
/// log with standard error. It runs in its own process group, so stopping it stops its children.
public final class CommandTrial: Sendable {
    /// One parsed report line.
    public struct Report: Equatable, Sendable {
        public let epoch: Int
        public let metrics: [String: Double]
    }

    public enum Outcome: Equatable, Sendable {
        /// The program exited on its own with this status.
        case exited(Int32)
        /// A signal ended the program (not the worker's stop).
        case signaled(Int32)
        /// `stop()` was called, or a report callback asked to stop.
        case stopped
    }

    public let arguments: [String]
    public let environment: [String: String]
    private let group = Atomic<Int32>(0)
    private let stopping = Atomic<Bool>(false)

    /// Prepares the command; throws when a placeholder names no parameter. `builtins` are the
    /// other names a template may use (`Template.builtins`: the trial's number, seed and study).
    public init(template: [String], parameters: [String: Config], seed: UInt64, builtins: [String: String] = [:]) throws {
        var values = builtins
        values["seed"] = String(seed)
        arguments = try Self.render(template, parameters, values)
        var environment = ProcessInfo.processInfo.environment
        for (name, value) in parameters { environment[Self.variable(name)] = value.description }
        environment["SWEEP_SEED"] = String(seed)
        // Every parameter with its dotted name and type, for programs that read them whole
        // (the Python client's sweep.command.params()).
        environment["SWEEP_PARAMS"] = Config.object(parameters).json
        for (name, value) in builtins { environment["SWEEP_" + name.uppercased()] = value }
        self.environment = environment
    }

    /// Fills `{name}` placeholders with parameters, else built-ins.
    static func render(_ template: [String], _ parameters: [String: Config], _ builtins: [String: String]) throws -> [String] {
        try template.map { argument in
            guard let text = Template.render(argument, { parameters[$0]?.description ?? builtins[$0] }) else {
                let missing = Template.placeholders(argument).first { parameters[$0] == nil && builtins[$0] == nil } ?? ""
                throw SpecError.at("command", "placeholder {\(missing)} names no parameter of the space\(suggestion(missing, Array(parameters.keys)))")
            }
            return text
        }
    }

    /// `optimizer.lr` → `SWEEP_PARAM_OPTIMIZER_LR`.
    static func variable(_ name: String) -> String {
        "SWEEP_PARAM_" + String(name.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    /// Parses a stdout line as a report: a JSON object with a whole-number `epoch` (or `step`)
    /// and numeric metrics ("nan"/"inf" strings allowed). Nil for any other line.
    static func parse(_ line: String) -> Report? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
        guard let epoch = (object["epoch"] ?? object["step"]) as? Int else { return nil }
        var metrics: [String: Double] = [:]
        for (key, value) in object where key != "epoch" && key != "step" {
            if let number = value as? Double { metrics[key] = number }
            else if let text = value as? String, let number = Double(text) { metrics[key] = number }
        }
        return Report(epoch: epoch, metrics: metrics)
    }

    /// Runs the program to the end (or until stopped). `onReport` hears each report and returns
    /// false to stop the program; `onLog` hears standard error and non-report output lines.
    public func run(onReport: (Report) -> Bool, onLog: @escaping @Sendable (StandardStream, String) -> Void) throws -> Outcome {
        var out: [Int32] = [0, 0], err: [Int32] = [0, 0]
        guard pipe(&out) == 0, pipe(&err) == 0 else { throw MachineFault("cannot create pipes (errno \(errno))") }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        // A supervised group (CSpawn): default signals for the program, and the group dies with
        // this worker even when it is killed outright.
        let pid = sweep_spawn(arguments[0], argv, envp, out[1], err[1])
        let spawnError = errno
        close(out[1])
        close(err[1])
        guard pid > 0 else {
            close(out[0]); close(err[0])
            throw MachineFault("cannot start '\(arguments[0])' on this machine: \(String(cString: strerror(spawnError)))")
        }
        group.store(pid, ordering: .releasing)
        if stopping.load(ordering: .acquiring) { kill(-pid, SIGTERM) }
        let errorDone = DispatchSemaphore(value: 0)
        let errorReader = Thread { [err] in
            Self.lines(err[0]) { onLog(.stderr, $0) }
            close(err[0])
            errorDone.signal()
        }
        errorReader.start()
        // When the program exits, whatever it left running in its group goes too: leftovers
        // would hold the output pipes open and the trial would never end.
        let exitStatus = Mutex<Int32>(0)
        let exited = DispatchSemaphore(value: 0)
        let watcher = Thread { [pid] in
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            exitStatus.withLock { $0 = status }
            kill(-pid, SIGTERM)
            DispatchQueue.global().asyncAfter(deadline: .now() + 2) { kill(-pid, SIGKILL) }
            exited.signal()
        }
        watcher.start()
        var stoppedByCallback = false
        Self.lines(out[0]) { line in
            if let report = Self.parse(line) {
                if !stoppedByCallback && !onReport(report) {
                    stoppedByCallback = true
                    stop()
                }
            } else {
                onLog(.stdout, line)
            }
        }
        close(out[0])
        exited.wait()
        errorDone.wait()
        let exit = exitStatus.withLock { $0 }
        if stopping.load(ordering: .acquiring) { return .stopped }
        // A program killed by a signal has no exit status: status & 0x7f is the signal.
        return exit & 0x7F != 0 ? .signaled(exit & 0x7F) : .exited((exit >> 8) & 0xFF)
    }

    /// Stops the program and its children: SIGTERM to the group, SIGKILL two seconds later.
    public func stop() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let pid = group.load(ordering: .acquiring)
        guard pid > 0 else { return }
        kill(-pid, SIGTERM)
        DispatchQueue.global().asyncAfter(deadline: .now() + 2) { kill(-pid, SIGKILL) }
    }

    /// Calls `body` with each line read from `fd` until end of file.
    static func lines(_ fd: Int32, _ body: (String) -> Void) {
        var pending = [UInt8](), buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            for byte in buffer[0..<n] {
                if byte == 10 {
                    body(String(decoding: pending, as: UTF8.self))
                    pending.removeAll(keepingCapacity: true)
                } else {
                    pending.append(byte)
                }
            }
        }
        if !pending.isEmpty { body(String(decoding: pending, as: UTF8.self)) }
    }
}
