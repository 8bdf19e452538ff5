import Foundation
import Wire

/// Messaging costs: raw sockets on one thread each, and async code through the `Bridge`.
enum WireBench {
    static func run() async throws {
        print("Wire (libzmq \(Context.version.major).\(Context.version.minor).\(Context.version.patch), tcp://127.0.0.1)")
        var report = Report(suite: "wire")
        let context = try Context()

        // An echo peer on its own thread: a ROUTER that returns every message to its sender.
        let ready = DispatchSemaphore(value: 0)
        let endpointBox = EndpointBox()
        let echo = Thread {
            do {
                let router = try Socket(.router, context: context)
                try router.set(.receiveHighWaterMark, 0)
                try router.set(.sendHighWaterMark, 0)
                endpointBox.value = try router.bind(.tcp(host: "127.0.0.1", port: nil))
                ready.signal()
                while let message = try router.receive() {
                    if message.strings.first == "quit" { break }
                    try router.send(message)
                }
            } catch {
                print("echo failed: \(error)")
                ready.signal()
            }
        }
        echo.start()
        ready.wait()
        let endpoint = endpointBox.value!

        // Raw round trips from this thread.
        let dealer = try Socket(.dealer, context: context)
        try dealer.connect(endpoint)
        let payload = Data(repeating: 7, count: 200) // about one metric report
        let roundTrips = 20_000
        var latencies: [Double] = []
        latencies.reserveCapacity(roundTrips)
        let clock = ContinuousClock()
        for _ in 0..<200 { try dealer.send(Message([payload])); _ = try dealer.receive() }
        for _ in 0..<roundTrips {
            let start = clock.now
            try dealer.send(Message([payload]))
            _ = try dealer.receive()
            latencies.append((clock.now - start).seconds * 1e6)
        }
        latencies.sort()
        report.add("socket round trip p50", quantile(latencies, 0.5), "µs")
        report.add("socket round trip p99", quantile(latencies, 0.99), "µs")

        // Pipelined: send a window of messages ahead, then read them back.
        let total = 200_000, window = 500
        var start = clock.now
        var sent = 0, received = 0
        while received < total {
            while sent < total && sent - received < window { try dealer.send(Message([payload])); sent += 1 }
            _ = try dealer.receive()
            received += 1
        }
        report.add("socket echo throughput (200 B)", Double(total) / (clock.now - start).seconds, "msg/s")
        dealer.close()

        // The same through the bridge, from async code.
        let bridge = Bridge(context: context)
        let socket = try await bridge.open(.dealer) { try $0.connect(endpoint) }
        var events = bridge.events.makeAsyncIterator()
        latencies.removeAll(keepingCapacity: true)
        for _ in 0..<roundTrips {
            let begin = clock.now
            try await bridge.send(Message([payload]), on: socket)
            _ = await events.next()
            latencies.append((clock.now - begin).seconds * 1e6)
        }
        latencies.sort()
        report.add("bridge round trip p50", quantile(latencies, 0.5), "µs")
        report.add("bridge round trip p99", quantile(latencies, 0.99), "µs")

        start = clock.now
        let bridged = 100_000
        let sender = Task {
            for _ in 0..<bridged { try await bridge.send(Message([payload]), on: socket) }
        }
        for _ in 0..<bridged { _ = await events.next() }
        try await sender.value
        report.add("bridge echo throughput (200 B)", Double(bridged) / (clock.now - start).seconds, "msg/s")

        try await bridge.send(Message(strings: ["quit"]), on: socket)
        bridge.stop()
        try report.write()
    }
}

/// Hands the echo thread's bound endpoint back to the benchmark.
final class EndpointBox: @unchecked Sendable {
    var value: Endpoint?
}
