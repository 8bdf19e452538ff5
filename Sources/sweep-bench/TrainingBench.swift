import Foundation
import Config
import Datasets
import NN
import TrialSpecs
import Tensor

/// Training throughput on Fashion-MNIST next to PyTorch CPU (when an anchor Python with torch is
/// available: `ANCHOR_PYTHON`, or /opt/anchor-venv/bin/python), and test accuracy.
enum TrainingBench {
    static let mlp = "model: {kind: mlp, hidden: [256, 128]}"
    static let cnn = "model: {kind: cnn, channels: [32, 64], kernel: 3, hidden: [128]}"

    static func run() async throws {
        print("Training (Fashion-MNIST, Adam lr 1e-3, samples/s over a training epoch, data in memory)")
        var report = Report(suite: "training")
        let (train, test) = try MNIST.fashion()
        // All 60,000 examples train, as in the PyTorch script; the test set is the validation here.
        let splits = Splits(train: train, validation: test.prefix(1000), test: test)
        let cases: [(String, String, Int, String)] = [("MLP 784-256-128-10", mlp, 128, "mlp"), ("MLP 784-256-128-10", mlp, 32, "mlp"), ("CNN", cnn, 128, "cnn")]
        for (name, model, batch, anchorModel) in cases {
            for threads in [1, 2] {
                BLAS.threads = threads
                let trial = try TrialSpec(config: Config.parse(yaml: "{\(model), batch_size: \(batch), epochs: 2, seed: 1}", source: "bench"))
                let (_, reports) = try Trainer(spec: trial, splits: splits).run()
                let ours = reports.map(\.samplesPerSecond).max() ?? 0
                var note = ""
                if let torch = anchor(anchorModel, batch: batch, threads: threads) {
                    note = String(format: "PyTorch %.0f samples/s in this run; ratio %.2f", torch, ours / torch)
                }
                report.add("\(name), batch \(batch), \(threads) thread(s)", ours, "samples/s", note: note)
            }
        }
        BLAS.threads = 2
        for (name, model, epochs) in [("MLP", mlp, 10), ("CNN", cnn, 5)] {
            let trial = try TrialSpec(config: Config.parse(yaml: "{\(model), batch_size: 128, epochs: \(epochs), seed: 1}", source: "bench"))
            let trainer = try Trainer(spec: trial, splits: splits)
            _ = try trainer.run()
            let accuracy = try trainer.evaluate(test).accuracy ?? 0
            report.add("\(name) test accuracy after \(epochs) epochs", 100 * Double(accuracy), "%")
        }
        BLAS.threads = 1
        try report.write()
    }

    /// Median samples/s of the PyTorch anchor script for the same model, batch and threads.
    static func anchor(_ model: String, batch: Int, threads: Int) -> Double? {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("torch-\(model)-\(batch)-\(threads).json").path
        // "SUMMARY mlp b=128 t=1: median sps=47300 min=… max=…"; the best epoch, as for ours.
        return Anchor.summary("pytorch/torch_train.py", [model, String(batch), String(threads), "2", "1", out])
            .flatMap { Anchor.number(after: "max", in: $0) }
    }
}
