// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Sweep",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Wire", targets: ["Wire"]),
        .library(name: "Tensor", targets: ["Tensor"]),
    ],
    targets: [
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

        // Tensors, kernels and reverse-mode autodiff.
        .target(name: "Tensor", dependencies: ["CBLAS"]),
        .testTarget(name: "TensorTests", dependencies: ["Tensor"]),

        // ZeroMQ sockets, polling, monitoring, CURVE and the I/O-thread bridge.
        .target(name: "Wire", dependencies: ["CZeroMQ"]),
        .testTarget(name: "WireTests", dependencies: ["Wire"]),

        // Release benchmarks (`make bench`).
        .executableTarget(name: "sweep-bench", dependencies: ["Wire", "Tensor", "CBLAS"]),
    ],
    swiftLanguageModes: [.v6]
)
