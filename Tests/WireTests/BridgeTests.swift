import Foundation
import Testing
import Wire

@Suite("I/O-thread bridge")
struct BridgeTests {
    @Test("10,000 messages each way arrive complete and in order")
    func tenThousandBothWays() async throws {
        let context = try Context()
        let bridge = Bridge(context: context)
        defer { bridge.stop() }
        let router = try await bridge.open(.router) { socket in
            try socket.set(.routerMandatory, true)
            try socket.bind(.inproc(name: "bridge-test"))
        }
        let dealer = try await bridge.open(.dealer) { socket in
            try socket.set(.routingID, Data("worker-1".utf8))
            try socket.connect(.inproc(name: "bridge-test"))
        }
        let count = 10_000
        let peer = Data("worker-1".utf8)

        let sending = Task {
            for i in 0..<count {
                try await bridge.send(Message(strings: ["up", String(i)]), on: dealer)
                try await bridge.send(Message(strings: ["down", String(i)], peer: peer), on: router)
            }
        }
        // A lost message would leave the loop below waiting: stopping the bridge ends it.
        let watchdog = Task { try await Task.sleep(for: .seconds(60)); bridge.stop() }
        defer { watchdog.cancel() }
        var up: [Int] = [], down: [Int] = []
        for await event in bridge.events {
            guard case let .message(socket, message) = event else { continue }
            let value = Int(message.strings[1])!
            if socket == router {
                #expect(message.peer == peer && message.strings[0] == "up")
                up.append(value)
            } else {
                #expect(socket == dealer && message.strings[0] == "down")
                down.append(value)
            }
            if up.count == count && down.count == count { break }
        }
        try await sending.value
        #expect(up == Array(0..<count))
        #expect(down == Array(0..<count))
    }

    @Test("errors from setup and from sends reach the awaiting caller")
    func errorsPropagate() async throws {
        let context = try Context()
        let bridge = Bridge(context: context)
        defer { bridge.stop() }
        await #expect(throws: WireError.self) {
            _ = try await bridge.open(.router) { try $0.bind(.ipc(path: "/nonexistent-dir/x")) }
        }
        let router = try await bridge.open(.router) { socket in
            try socket.set(.routerMandatory, true)
            try socket.bind(.inproc(name: "bridge-errors"))
        }
        let error = await #expect(throws: WireError.self) {
            try await bridge.send(Message(strings: ["x"], peer: Data("ghost".utf8)), on: router)
        }
        #expect(error?.isHostUnreachable == true)

        let lonely = try await bridge.open(.dealer) { socket in
            try socket.set(.immediate, true)
            try socket.connect(.tcp(host: "127.0.0.1", port: 9))
        }
        let blocked = await #expect(throws: WireError.self) {
            try await bridge.send(Message(strings: ["nobody there"]), on: lonely)
        }
        #expect(blocked?.isWouldBlock == true)

        let endpoint = try await bridge.with(router) { try $0.get(.lastEndpoint) }
        #expect(endpoint == "inproc://bridge-errors")
    }

    @Test("monitor events of a bridged socket arrive on the event stream")
    func monitorEvents() async throws {
        let context = try Context()
        let bridge = Bridge(context: context)
        defer { bridge.stop() }
        let router = try await bridge.open(.router) { try $0.bind(.tcp(host: "127.0.0.1", port: nil)) }
        let endpoint = try await bridge.with(router) { try $0.get(.lastEndpoint) }
        let dealer = try await bridge.open(.dealer, monitor: true) { try $0.connect(Endpoint(parsing: endpoint)) }
        let watchdog = Task { try await Task.sleep(for: .seconds(20)); bridge.stop() }
        defer { watchdog.cancel() }
        var seen: [MonitorEvent.Kind] = []
        for await event in bridge.events {
            if case let .monitor(socket, monitorEvent) = event {
                #expect(socket == dealer)
                seen.append(monitorEvent.kind)
                if monitorEvent.kind == .handshakeSucceeded { break }
            }
        }
        #expect(seen.contains(.connected))
        #expect(seen.last == .handshakeSucceeded)
    }

    @Test("stopping the bridge ends the event stream")
    func stopEndsEvents() async throws {
        let context = try Context()
        let bridge = Bridge(context: context)
        _ = try await bridge.open(.pair) { try $0.bind(.inproc(name: "stop-test")) }
        bridge.stop()
        var count = 0
        for await _ in bridge.events { count += 1 }
        #expect(count == 0)
        bridge.stop() // a second stop is harmless
    }
}

@Suite("Bridge shutdown")
struct BridgeShutdownTests {
    @Test("after stop, sends and opens fail at once instead of waiting forever")
    func afterStop() async throws {
        let bridge = Bridge(context: try Context())
        let socket = try await bridge.open(.pair) { try $0.bind(.inproc(name: "after-stop")) }
        bridge.stop()
        let send = await #expect(throws: WireError.self) { try await bridge.send(Message(strings: ["late"]), on: socket) }
        #expect(send?.isTerminated == true)
        await #expect(throws: WireError.self) { _ = try await bridge.open(.dealer) { _ in } }
    }
}
