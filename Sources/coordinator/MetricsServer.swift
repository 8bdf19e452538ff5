import Hummingbird
import Logging
import Service
import Telemetry

/// `coordinator --metrics HOST:PORT`: GET /metrics answers the Prometheus text format.
struct MetricsServer {
    let host: String
    let port: Int
    let meters: Meters
    let logger: Logger

    /// `HOST:PORT`, or a bare port on loopback.
    init(_ address: String, meters: Meters, logger: Logger) throws {
        guard let parsed = HTTPAddress(address) else {
            throw MetricsAddressError(description: "--metrics must be HOST:PORT or PORT, e.g. 127.0.0.1:9464 (got '\(address)')")
        }
        host = parsed.host
        port = parsed.port
        self.meters = meters
        self.logger = logger
    }

    func run() async throws {
        let router = Router()
        let meters = meters
        router.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: meters.text())))
        }
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .notice)
        let app = Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "sweep-coordinator"), logger: quiet)
        logger.info("metrics served", metadata: ["url": "http://\(host):\(port)/metrics"])
        // The coordinator handles its own signals; this stops when its task is cancelled.
        try await app.runService(gracefulShutdownSignals: [])
    }
}

struct MetricsAddressError: Error, CustomStringConvertible {
    let description: String
}
