// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Sweep",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Wire", targets: ["Wire"]),
        .library(name: "Service", targets: ["Service"]),
        .library(name: "Protocol", targets: ["Protocol"]),
        .library(name: "Tensor", targets: ["Tensor"]),
        .library(name: "Datasets", targets: ["Datasets"]),
        .library(name: "NN", targets: ["NN"]),
        .library(name: "TrialSpecs", targets: ["TrialSpecs"]),
        .library(name: "Config", targets: ["Config"]),
        .library(name: "Search", targets: ["Search"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        // The package's version (the VERSION file), for --version and HELLO.
        .plugin(name: "VersionPlugin", capability: .buildTool()),
        // The dashboard's pages (Sources/Dashboard/Assets) as Swift strings, so every binary carries them.
        .plugin(name: "AssetsPlugin", capability: .buildTool()),
        .target(name: "Version", plugins: ["VersionPlugin"]),

        // System libraries (Debian: libzmq3-dev).
        .systemLibrary(
            name: "CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]
        ),

        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),

        // Loops Swift lowers to scalar libm calls (square roots in optimizer steps), in C.
        // No math errno (sqrtf is one instruction) and no contraction (the same bits on every CPU).
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3", "-fno-math-errno", "-ffp-contract=off"])]),

        // Tensors, kernels and reverse-mode autodiff.
        .target(name: "Tensor", dependencies: ["CBLAS", "CKernels"]),
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "TestSupport"]),

        // Helpers shared by test targets: finite-difference gradient checks, seeded samples, schema checks.
        .target(name: "TestSupport", dependencies: ["Tensor", "Config"]),

        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // Configuration trees read from YAML/JSON, with every problem reported at its path.
        .target(name: "Config", dependencies: [.product(name: "Yams", package: "Yams")]),

        // Search spec, space, samplers and stoppers: pure and deterministic, no I/O.
        .target(name: "Search", dependencies: ["Config"]),
        .testTarget(name: "SearchTests", dependencies: ["Search", "TrialSpecs"]),

        // Trial specs as plain values read from config (task, data, model, optimizer, schedule, …):
        // what a coordinator checks and a worker trains, without the engine.
        .target(name: "TrialSpecs", dependencies: ["Config"]),

        // Datasets: IDX (MNIST format), CSV, synthetic sets, splits, batches, augmentation.
        .target(name: "Datasets", dependencies: ["Tensor", "CZlib", "TrialSpecs"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "TrialSpecs"]),

        // Layers, initializers, losses, optimizers, schedules and the trainer.
        .target(name: "NN", dependencies: ["Tensor", "Datasets", "TrialSpecs", "Config", "CKernels"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "TrialSpecs", "TestSupport"], resources: [.copy("Fixtures")]),

        // SWEEP/1: the envelope, every message body as a typed value, and the errors peers answer with.
        .target(name: "Protocol", dependencies: ["Config", "Search"]),
        .testTarget(name: "ProtocolTests", dependencies: ["Protocol", "TestSupport"]),

        // ZeroMQ sockets, polling, monitoring, CURVE and the I/O-thread bridge.
        .target(name: "Wire", dependencies: ["CZeroMQ"]),
        .testTarget(name: "WireTests", dependencies: ["Wire"]),

        // What the services share beside sockets: cluster files, termination and hang-up signals.
        .target(name: "Service", dependencies: ["Config", "Wire"]),
        .testTarget(name: "ServiceTests", dependencies: ["Service"]),

        // A study of built-in trials run in one process (the cluster runs the same loop across machines).
        .target(name: "LocalStudy", dependencies: ["Search", "Runner", "Protocol", "NN", "TrialSpecs", "Datasets", "Config"]),
        .testTarget(name: "LocalStudyTests", dependencies: ["LocalStudy", "TrialSpecs", "Protocol", "Advisor"]),

        // The coordinator's durable state: one SQLite file in WAL mode.
        .target(name: "Store", dependencies: ["Search", "Config", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "StoreTests", dependencies: ["Store"]),

        // The coordinator's logic, socket-free: messages in, messages out, state in the Store.
        // sweep advise: the playbook's debugging workflow read off a study, and the next spec.
        .target(name: "Advisor", dependencies: ["Config", "Search"]),
        .testTarget(name: "AdvisorTests", dependencies: ["Advisor", "Search", "Config", "TrialSpecs"]),

        // What operators scrape: the coordinator's counters, gauges and latencies (Prometheus text).
        .target(name: "Telemetry", dependencies: [.product(name: "Prometheus", package: "swift-prometheus")]),
        .target(name: "Coordinator", dependencies: ["Store", "Search", "Protocol", "Wire", "Service", "Config", "Telemetry", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "CoordinatorTests", dependencies: ["Coordinator", "Telemetry", "Protocol", "TrialSpecs", "NN", "TestSupport", "LocalStudy", "Runner", .product(name: "GRDB", package: "GRDB.swift")]),

        // Starting a command trial: a supervised process group that dies with its worker.
        .target(name: "CSpawn"),

        // One trial run to its end, built-in (the engine) or an external command: what a worker
        // runs for the coordinator and `sweep run` runs here.
        .target(name: "Runner", dependencies: ["CSpawn", "Config", "Search", "Protocol", "NN", "TrialSpecs", "Datasets", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "RunnerTests", dependencies: ["Runner", "Protocol"]),

        // The worker: its protocol without sockets (WorkerCore), the service on sockets, trial runs (built-in or command).
        .target(name: "Worker", dependencies: ["Version", "Runner", "Config", "Search", "Protocol", "Wire", "Tensor", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "WorkerTests", dependencies: ["Worker", "Protocol"]),

        // sweep dashboard and sweep report: the study mirrored from the coordinator's pushes, served to browsers.
        .target(name: "Dashboard", dependencies: ["Protocol", "Config", "Search", "Advisor", "TrialSpecs", .product(name: "Hummingbird", package: "hummingbird"),
                                                  .product(name: "Logging", package: "swift-log")],
                exclude: ["Assets"], plugins: ["AssetsPlugin"]),
        .testTarget(name: "DashboardTests", dependencies: ["Dashboard", "Protocol", "Config", "Search", "TrialSpecs"]),

        // The services' executables.
        .executableTarget(name: "coordinator", dependencies: [
            "Version", "Coordinator", "Store", "Wire", "Service", "TrialSpecs", "Config", "Telemetry", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"), .product(name: "Hummingbird", package: "hummingbird"),
        ]),
        .executableTarget(name: "worker", dependencies: [
            "Version", "Worker", "Wire", "Service", .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "Logging", package: "swift-log"),
        ]),

        // The client CLI.
        .executableTarget(name: "sweep", dependencies: [
            "Version", "Advisor", "Dashboard", "NN", "TrialSpecs", "Config", "Tensor", "Search", "LocalStudy", "Protocol", "Wire", "Service",
            .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "Logging", package: "swift-log"),
        ]),

        // Release benchmarks (`make bench`).
        .executableTarget(name: "sweep-bench", dependencies: ["Wire", "Protocol", "Tensor", "CBLAS", "Datasets", "NN", "TrialSpecs", "Config", "Search", "Store", "Advisor", "LocalStudy"]),
        .testTarget(name: "BenchTests", dependencies: ["sweep-bench"]),
    ],
    swiftLanguageModes: [.v6]
)
