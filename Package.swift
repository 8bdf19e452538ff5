// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Sweep",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Wire", targets: ["Wire"]),
    ],
    targets: [
        // System libraries (Debian: libzmq3-dev).
        .systemLibrary(
            name: "CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]
        ),

        // ZeroMQ sockets, polling, monitoring, CURVE and the I/O-thread bridge.
        .target(name: "Wire", dependencies: ["CZeroMQ"]),
        .testTarget(name: "WireTests", dependencies: ["Wire"]),

        // Release benchmarks (`make bench`).
        .executableTarget(name: "sweep-bench", dependencies: ["Wire"]),
    ],
    swiftLanguageModes: [.v6]
)
