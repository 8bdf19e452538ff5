import Foundation
import Config
import Datasets
import NN
import TrialSpecs
import Tensor

/// The trials searches sample, timed as a worker runs them (seconds per epoch: training plus the
/// validation pass) beside the same model, initialization, optimizer and penalty in PyTorch
/// (scripts/torch_trial.py, when the anchor Python has torch), in the same run, at 1 and 2
/// threads. Also checks that both reach the same validation accuracy after 3 epochs, and
/// compares the peak memory of one process training the largest configuration.
enum TrialBench {
    /// Every knob a study searches appears at least once: depths 1–3, widths 64–512, batch norm,
    /// dropout, every activation and optimizer, l1 and l2, batches 32–256, CNN ± batch norm,
    /// ResNet, RNN. MLPs train on 20,000 images and convolutional models on 6,000; all validate
    /// on the first 5,000 test images (the same images on both sides).
    static let configurations: [(name: String, spec: String)] = [
        ("mlp 128 relu sgd b32", "model: {hidden: [128]}, optimizer: {name: sgd, lr: 0.05}, batch_size: 32"),
        ("mlp 256 tanh momentum l2 b64", "model: {hidden: [256], activation: tanh}, optimizer: {name: momentum}, l2: 1e-4, batch_size: 64"),
        ("mlp 512 sigmoid nesterov b128", "model: {hidden: [512], activation: sigmoid}, optimizer: {name: nesterov, lr: 0.1}, batch_size: 128"),
        ("mlp 256 linear sgd l1 b256", "model: {hidden: [256], activation: linear}, optimizer: {name: sgd, lr: 0.05}, l1: 1e-5, batch_size: 256"),
        ("mlp 64-64 leaky adagrad do.3 b32", "model: {hidden: [64, 64], activation: leaky_relu, dropout: 0.3}, optimizer: {name: adagrad}, batch_size: 32"),
        ("mlp 256-128 relu adam b128", "model: {hidden: [256, 128]}, optimizer: {name: adam}, batch_size: 128"),
        ("mlp 256-256 bn rmsprop l2 b64", "model: {hidden: [256, 256], batch_norm: true}, optimizer: {name: rmsprop, lr: 0.001}, l2: 1e-5, batch_size: 64"),
        ("mlp 512-512 bn leaky do.3 rmsprop l2 b64", "model: {hidden: [512, 512], batch_norm: true, dropout: 0.3, activation: leaky_relu}, optimizer: {name: rmsprop, lr: 0.001}, l2: 1e-5, batch_size: 64"),
        ("mlp 512-256 bn tanh adadelta b256", "model: {hidden: [512, 256], batch_norm: true, activation: tanh}, optimizer: {name: adadelta}, batch_size: 256"),
        ("mlp 128×3 bn do.3 adam b64", "model: {hidden: [128, 128, 128], batch_norm: true, dropout: 0.3}, optimizer: {name: adam}, batch_size: 64"),
        ("mlp 256×3 leaky adamw l1 b256", "model: {hidden: [256, 256, 256], activation: leaky_relu}, optimizer: {name: adamw}, l1: 1e-5, batch_size: 256"),
        ("mlp 512×3 bn do.3 momentum l2 b128", "model: {hidden: [512, 512, 512], batch_norm: true, dropout: 0.3}, optimizer: {name: momentum}, l2: 1e-4, batch_size: 128"),
        ("mlp 64×3 bn sigmoid adam b32", "model: {hidden: [64, 64, 64], batch_norm: true, activation: sigmoid}, optimizer: {name: adam}, batch_size: 32"),
        ("cnn 32-64 adam b128", "model: {kind: cnn, channels: [32, 64], hidden: [128]}, optimizer: {name: adam}, batch_size: 128"),
        ("cnn 32-64 bn do.3 momentum b64", "model: {kind: cnn, channels: [32, 64], hidden: [128], batch_norm: true, dropout: 0.3}, optimizer: {name: momentum}, batch_size: 64"),
        ("resnet 16-32 adam b128", "model: {kind: resnet, channels: [16, 32], blocks: 1}, optimizer: {name: adam}, batch_size: 128"),
        ("rnn 128 rmsprop b128", "model: {kind: rnn, units: 128}, optimizer: {name: rmsprop, lr: 0.001}, batch_size: 128"),
    ]

    static func images(_ name: String) -> Int { name.hasPrefix("mlp") ? 20_000 : 6_000 }
    static let validationImages = 5_000
    /// The configuration whose peak memory is compared (the most parameters).
    static let largest = 11

    static func spec(_ index: Int, epochs: Int) throws -> Config {
        let (name, body) = configurations[index]
        return try Config.parse(yaml: "{\(body), epochs: \(epochs), seed: 1, data: {limit: \(images(name)), test_limit: \(validationImages)}}", source: name)
    }

    static func run() async throws {
        print("Trials over the search space (Fashion-MNIST; s/epoch = training + validation pass; PyTorch in the same run)")
        var report = Report(suite: "trials")
        let (train, test) = try MNIST.fashion(limit: 20_000, testLimit: validationImages)
        let only = ProcessInfo.processInfo.environment["SWEEP_BENCH_TRIALS"].map { $0.split(separator: ",").compactMap { Int($0) } }
        let chosen = only ?? Array(configurations.indices)
        for threads in [1, 2] {
            // The median of 3 epochs (the first pays for fresh buffers); accuracy after the third.
            let epochs = 3
            let specs = try chosen.map { try spec($0, epochs: epochs) }
            let trainers = try chosen.enumerated().map { row, index in
                BLAS.threads = threads
                return try Trainer(spec: TrialSpec(config: specs[row]), splits: Splits(train: train.prefix(images(configurations[index].name)), validation: test, test: nil))
            }
            let torch = anchor(try zip(specs, trainers).enumerated().map { try twin($1.0, $1.1, epochs: epochs, file: "\(threads)-\($0)") }, threads: threads)
            var ratios: [Double] = []
            print("  " + pad("\(threads) thread(s)", 42) + ["Sweep s", "PyTorch s", "ratio", "acc", "torch acc"].map { pad($0, 10, right: true) }.joined())
            for (row, index) in chosen.enumerated() {
                let name = configurations[index].name
                BLAS.threads = threads
                let (_, reports) = try trainers[row].run()
                let ours = median(reports.map(\.seconds))
                let accuracy = Double(reports.last?.validationAccuracy ?? 0)
                var note = String(format: "acc %.3f", accuracy)
                var line = "  " + pad(name, 42) + String(format: "%10.3f", ours)
                if let theirs = torch?[row] {
                    let seconds = median(theirs.seconds), ratio = seconds / ours
                    ratios.append(ratio)
                    let theirAccuracy = theirs.validationAccuracy.last ?? 0
                    note += String(format: "; PyTorch %.3f s, ratio %.2f, acc %.3f", seconds, ratio, theirAccuracy)
                    let by = { (values: [Double]) in values.map { String(format: "%.3f", $0) }.joined(separator: " ") }
                    note += "; acc by epoch Sweep \(by(reports.map { Double($0.validationAccuracy ?? 0) })), PyTorch \(by(theirs.validationAccuracy))"
                    if threads == 1 && abs(accuracy - theirAccuracy) > 0.01 { note += " ACCURACY DIFFERS BY MORE THAN 1 POINT" }
                    line += String(format: "%10.3f%10.2f%10.3f%10.3f", seconds, ratio, accuracy, theirAccuracy)
                } else {
                    line += pad("-", 10, right: true) + pad("-", 10, right: true) + String(format: "%10.3f", accuracy)
                }
                print(line)
                report.record("\(name), \(threads) thread(s)", ours, "s/epoch", note: note)
            }
            if !ratios.isEmpty {
                let geometric = Foundation.exp(ratios.map { Foundation.log($0) }.reduce(0, +) / Double(ratios.count))
                print(String(format: "  geometric mean of PyTorch s ÷ Sweep s at %d thread(s): %.2f (min %.2f)", threads, geometric, ratios.min()!))
                report.record("geometric mean speed ratio, \(threads) thread(s)", geometric, "×", note: String(format: "min %.2f", ratios.min()!))
            }
        }
        BLAS.threads = 1
        try memory(&report)
        try report.write()
    }

    /// Peak resident memory of a fresh process training the largest configuration for one epoch:
    /// this executable in its `trial-memory` mode, and the PyTorch script.
    static func memory(_ report: inout Report) throws {
        let name = configurations[largest].name
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = ["trial-memory"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard let ours = Double(text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ").last ?? "") else {
            print("  (trial-memory printed \(text))")
            return
        }
        var note = ""
        if let theirs = anchor([try spec(largest, epochs: 1)], threads: 1)?.first {
            note = String(format: "PyTorch %.0f MB; ratio %.2f", theirs.maxRSS, ours / theirs.maxRSS)
        }
        report.add("peak memory, \(name), 1 epoch", ours, "MB", note: note)
    }

    /// This process's peak resident set (VmHWM): unlike getrusage's maxrss it starts afresh at
    /// exec, so a child of a large process reports only its own.
    static func peakResidentMegabytes() -> Double {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return (Double(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
    }

    /// `sweep-bench trial-memory`: trains the largest configuration once and prints its peak RSS.
    static func trialMemory() throws {
        let config = try spec(largest, epochs: 1)
        let trial = try TrialSpec(config: config)
        let (train, test) = try MNIST.fashion(limit: images(configurations[largest].name), testLimit: validationImages)
        _ = try Trainer(spec: trial, splits: Splits(train: train, validation: test, test: nil)).run()
        print("max_rss_mb \(peakResidentMegabytes())")
    }

    /// The spec with what PyTorch needs to start where Sweep starts: the initial parameters (in
    /// `model.parameters` order, float32) and every epoch's batches (int32), in files beside it.
    static func twin(_ spec: Config, _ trainer: Trainer, epochs: Int, file: String) throws -> Config {
        guard case var .object(fields) = spec else { return spec }
        let directory = FileManager.default.temporaryDirectory
        let parameters = directory.appendingPathComponent("sweep-twin-\(file).f32"), order = directory.appendingPathComponent("sweep-twin-\(file).i32")
        var weights = Data(), batches = Data()
        for p in trainer.model.parameters { p.withUnsafeBufferPointer { weights.append(Data(buffer: $0)) } }
        for epoch in trainer.plannedBatches(epochs: epochs) {
            let flat = epoch.joined().map { Int32($0) }
            flat.withUnsafeBufferPointer { batches.append(Data(buffer: $0)) }
        }
        try weights.write(to: parameters)
        try batches.write(to: order)
        fields["twin"] = .object([
            "parameters": .string(parameters.path), "order": .string(order.path),
            "shapes": .array(trainer.model.parameters.map { .array($0.shape.map { .number(Double($0)) }) }),
        ])
        return .object(fields)
    }

    struct Anchored: Decodable {
        let seconds: [Double]
        let validationAccuracy: [Double]
        let maxRSS: Double
        enum CodingKeys: String, CodingKey { case seconds, validationAccuracy = "validation_accuracy", maxRSS = "max_rss_mb" }
    }

    /// The PyTorch twin's results for each spec, or nil without an anchor Python.
    static func anchor(_ specs: [Config], threads: Int) -> [Anchored]? {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-trials-\(threads).json")
        guard (try? Data(Config.array(specs).json.utf8).write(to: file)) != nil else { return nil }
        let script = FileManager.default.currentDirectoryPath + "/scripts/torch_trial.py"
        guard let lines = Anchor.lines(script, [String(threads), file.path]) else { return nil }
        let results = lines.compactMap { try? JSONDecoder().decode(Anchored.self, from: Data($0.utf8)) }
        return results.count == specs.count ? results : nil
    }

    static func median(_ values: [Double]) -> Double { quantile(values.sorted(), 0.5) }

    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: Swift.max(0, width - text.count))
        return right ? fill + text : text + fill
    }
}
