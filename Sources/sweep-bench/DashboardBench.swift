import Foundation
import Config
import Search
import Store

/// `make bench SUITES=dashboard`: stores of 1,000, 10,000 and 100,000 finished trials (four
/// parameters, five epochs each), each served by the release coordinator and `sweep dashboard`
/// and opened in headless Chromium by scripts/bench_dashboard.py: the study page's first view,
/// and what each live push costs the page while a trial reports. optuna-dashboard on a
/// 10,000-trial Optuna study in the same run, where it is installed (ANCHOR_PYTHON).
enum DashboardBench {
    static func spec(trials: Int) -> Config {
        try! Config.parse(yaml: """
            study: dashboard-bench
            objective: {metric: loss}
            command: ["true"]
            space: {lr: {low: 0.0001, high: 1, log: true}, width: {type: int, low: 16, high: 512}, dropout: {low: 0, high: 0.5},
                    optimizer: {type: choice, values: [sgd, momentum, adam]}}
            strategy: {name: random}
            budget: {max_trials: \(trials), max_concurrent: 2}
            """, source: "bench")
    }

    /// A store of `trials` finished trials (60% stopped after one epoch), with room in the budget for more.
    static func store(path: String, trials: Int) throws {
        let store = try Store(path: path)
        var generator = SplitMix64(seed: 7)
        func uniform() -> Double { Double(generator.next() >> 11) / Double(1 << 53) }
        try store.batch {
            let study = try store.createStudy(name: "dashboard-bench", spec: spec(trials: trials + 1000), seed: 0)
            for number in 0..<trials {
                let lr = pow(10, -4 + 4 * uniform()), width = 16 + Int(uniform() * 496), dropout = 0.5 * uniform()
                let optimizer = ["sgd", "momentum", "adam"][Int(uniform() * 3) % 3]
                let configuration = Search.Configuration(["lr": .number(lr), "width": .number(Double(width)), "dropout": .number(dropout), "optimizer": .string(optimizer)])
                try store.addTrial(study: study, number: number, configuration: configuration)
                let attempt = try store.assign(study: study, number: number, worker: "w\(number % 8)")
                let final = abs(log10(lr) + 2.5) * 0.3 + dropout * 0.2 + 0.1 * uniform()
                let epochs = uniform() < 0.6 ? 1 : 5
                for epoch in 1...epochs {
                    _ = try store.record(study: study, number: number, attempt: attempt, seq: epoch, epoch: epoch,
                                         metrics: ["loss": final + 1.0 / Double(epoch), "train_loss": final * 0.9 + 0.8 / Double(epoch)])
                }
                try store.finish(study: study, number: number, attempt: attempt, state: epochs == 5 ? .completed : .pruned,
                                 value: final + 1.0 / Double(epochs), reason: nil)
            }
        }
    }

    static func run() async throws {
        var report = Report(suite: "dashboard")
        let python = ProcessInfo.processInfo.environment["ANCHOR_PYTHON"] ?? "/opt/anchor-venv/bin/python"
        // Sweep's page is driven by the `python3` on the PATH, which `make deps` equips (pyzmq, for
        // the worker that reports); only optuna-dashboard needs the anchor's environment.
        let ours = ["/usr/bin/env", "python3"]
        let binaries = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scripts/bench_dashboard.py").standardized.path
        let sizes = (ProcessInfo.processInfo.environment["SWEEP_BENCH_DASHBOARD_SIZES"] ?? "1000,10000,100000").split(separator: ",").compactMap { Int($0) }
        print("dashboard: the study page in headless Chromium (first view: navigation until every view is drawn; push: the page's work per push)")
        for size in sizes {
            // SWEEP_BENCH_DASHBOARD_STORES keeps the stores there (and takes them from there the next time).
            let kept = ProcessInfo.processInfo.environment["SWEEP_BENCH_DASHBOARD_STORES"]
            let directory = kept ?? FileManager.default.temporaryDirectory.appendingPathComponent("sweep-bench-dash-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { if kept == nil { try? FileManager.default.removeItem(atPath: directory) } }
            let path = directory + "/dashboard-\(size).sqlite", pristine = path + ".pristine"
            if !FileManager.default.fileExists(atPath: pristine) {
                try store(path: pristine, trials: size)
            }
            // Each run starts from the same store (a run adds a trial and its reports).
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            try FileManager.default.copyItem(atPath: pristine, toPath: path)
            let result = try measure(ours + [script, "sweep", "--bin", binaries, "--store", path, "--trials", "\(size)"])
            for (key, unit) in [("first_view_s", "s"), ("first_view_spread_s", "s"), ("payload_mb", "MB"), ("server_cold_s", "s"), ("server_warm_s", "s"),
                                ("push_apply_ms", "ms"), ("push_apply_p90_ms", "ms"), ("pushes", ""), ("redraws_in_pushes", "")] {
                if let value = result[key] as? Double { report.add("sweep \(size) trials: \(key)", value, unit) }
            }
        }
        // optuna-dashboard's own limit is 10,000 trials; the anchor runs there, and at 1,000 beside Sweep's smallest.
        for size in (ProcessInfo.processInfo.environment["SWEEP_BENCH_DASHBOARD_ANCHOR_SIZES"] ?? "1000,10000").split(separator: ",").compactMap({ Int($0) }) {
            do {
                let anchor = try measure([python, script, "optuna", "--trials", "\(size)"])
                for (key, unit) in [("first_view_s", "s"), ("first_view_spread_s", "s"), ("runs", "")] {
                    if let value = anchor[key] as? Double {
                        report.add("optuna-dashboard \(size) trials: \(key)", value, unit, note: key == "first_view_s" ? anchor["note"] as? String ?? "" : "")
                    }
                }
            } catch {
                print("  optuna-dashboard \(size): not measured (\(error); it needs pip install optuna-dashboard into ANCHOR_PYTHON's environment)")
            }
        }
        try report.write()
    }

    /// Runs the script; its last stdout line is a JSON object of figures.
    static func measure(_ command: [String]) throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last,
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw StoreError("\(command.joined(separator: " ")) failed (status \(process.terminationStatus))")
        }
        return object
    }
}
