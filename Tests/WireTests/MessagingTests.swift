import Foundation
import Testing
@testable import Wire

@Suite("Messaging")
struct MessagingTests {
    @Test("a multipart message with a 1 MiB frame and empty frames arrives whole", arguments: ["inproc", "tcp"])
    func multipartRoundTrip(transport: String) throws {
        let context = try Context()
        let (router, dealer) = try routerDealer(context, transport: transport)
        var big = Data(count: 1 << 20)
        for i in stride(from: 0, to: big.count, by: 4093) { big[i] = UInt8(truncatingIfNeeded: i / 4093 + 1) }
        let frames = [Data(), Data("header".utf8), big, Data(), Data([0, 1, 2])]
        #expect(try dealer.send(Message(frames)))

        let got = try #require(try receive(router))
        #expect(got.frames == frames)
        #expect(got.peer?.isEmpty == false)

        try router.send(Message([Data(), big], peer: got.peer))
        let back = try #require(try receive(dealer))
        #expect(back.frames == [Data(), big])
    }

    @Test("a message over the socket's limit arrives without its frames, with its size and its sender; the next one is whole")
    func messageLimit() throws {
        let context = try Context()
        let (router, dealer) = try routerDealer(context, transport: "inproc")
        router.messageLimit = 1000
        #expect(try dealer.send(Message([Data(count: 400), Data(count: 400), Data(count: 400)])))
        #expect(try dealer.send(Message([Data("small".utf8)])))
        let big = try #require(try receive(router))
        #expect(big.frames.isEmpty && big.peer?.isEmpty == false)
        #expect((big.oversize ?? 0) >= 1200)
        let small = try #require(try receive(router))
        #expect(small.frames == [Data("small".utf8)] && small.oversize == nil && small.peer == big.peer)
    }

    @Test("a ROUTER addresses each DEALER by its routing id")
    func routingByIdentity() throws {
        let context = try Context()
        let router = try Socket(.router, context: context)
        let endpoint = try router.bind(.tcp(host: "127.0.0.1", port: nil))
        var dealers: [String: Socket] = [:]
        for name in ["alpha", "beta", "gamma"] {
            let dealer = try Socket(.dealer, context: context)
            try dealer.set(.routingID, Data(name.utf8))
            #expect(try dealer.get(.routingID) == Data(name.utf8))
            try dealer.connect(endpoint)
            try dealer.send(strings: ["hello from \(name)"])
            dealers[name] = dealer
        }
        var peers: [String: String] = [:]
        for _ in 0..<3 {
            let message = try #require(try receive(router))
            peers[String(decoding: message.peer ?? Data(), as: UTF8.self)] = message.strings.first
        }
        #expect(peers == ["alpha": "hello from alpha", "beta": "hello from beta", "gamma": "hello from gamma"])

        for name in ["gamma", "alpha", "beta"] {
            try router.send(strings: ["for \(name)"], to: Data(name.utf8))
        }
        for (name, dealer) in dealers {
            #expect(try receive(dealer)?.strings == ["for \(name)"])
        }
    }

    @Test("ROUTER_MANDATORY turns a send to an unknown peer into EHOSTUNREACH")
    func routerMandatory() throws {
        let context = try Context()
        let router = try Socket(.router, context: context)
        try router.set(.routerMandatory, true)
        try router.bind(.inproc(name: "mandatory"))
        let error = #expect(throws: WireError.self) {
            try router.send(strings: ["lost"], to: Data("nobody".utf8))
        }
        #expect(error?.code == WireError.Code.hostUnreachable)
        #expect(error?.isHostUnreachable == true)
        #expect(error?.operation.contains("zmq_send") == true)
    }

    @Test("a non-blocking receive on an empty socket returns nil")
    func nonBlockingEmpty() throws {
        let context = try Context()
        let (router, dealer) = try routerDealer(context, transport: "inproc")
        #expect(try router.receive(wait: false) == nil)
        #expect(try dealer.receive(wait: false) == nil)
    }

    @Test("a bad endpoint fails with its code and the operation")
    func badEndpoint() throws {
        let context = try Context()
        let socket = try Socket(.router, context: context)
        let missingDirectory = #expect(throws: WireError.self) {
            try socket.bind(.ipc(path: "/nonexistent-\(UUID().uuidString)/socket"))
        }
        #expect(missingDirectory?.code == ENOENT)
        #expect(missingDirectory?.operation.hasPrefix("zmq_bind(ipc:///nonexistent-") == true)

        let badHost = #expect(throws: WireError.self) {
            try socket.bind(.tcp(host: "300.1.2.3", port: 5555))
        }
        #expect(badHost?.code != 0)
        #expect(badHost?.operation == "zmq_bind(tcp://300.1.2.3:5555)")
        #expect(badHost?.description.contains("failed") == true)

        let taken = try socket.bind(.tcp(host: "127.0.0.1", port: nil))
        let other = try Socket(.router, context: context)
        let inUse = #expect(throws: WireError.self) { try other.bind(taken) }
        #expect(inUse?.code == WireError.Code.addressInUse)
    }

    @Test("endpoints print and parse in libzmq's syntax")
    func endpoints() throws {
        #expect(Endpoint.tcp(host: "127.0.0.1", port: 5555).description == "tcp://127.0.0.1:5555")
        #expect(Endpoint.tcp(host: "::1", port: 7).description == "tcp://[::1]:7")
        #expect(Endpoint.tcp(host: "*", port: nil).description == "tcp://*:*")
        #expect(try Endpoint(parsing: "tcp://[::1]:7") == .tcp(host: "::1", port: 7))
        #expect(try Endpoint(parsing: "ipc:///tmp/x") == .ipc(path: "/tmp/x"))
        #expect(try Endpoint(parsing: "inproc://zap") == .inproc(name: "zap"))
        #expect(throws: EndpointError.self) { try Endpoint(parsing: "udp://host:1") }
        #expect(throws: EndpointError.self) { try Endpoint(parsing: "tcp://host:99999") }
        #expect(throws: EndpointError.self) { try Endpoint(parsing: "127.0.0.1:5555") }
    }

    @Test("PUB/SUB delivers only the subscribed topics")
    func topics() throws {
        let context = try Context()
        let publisher = try Socket(.publisher, context: context)
        let endpoint = try publisher.bind(.tcp(host: "127.0.0.1", port: nil))
        let subscriber = try Socket(.subscriber, context: context)
        try subscriber.set(.subscribe, Data("study.7".utf8))
        try subscriber.set(.subscribe, Data("study.9".utf8))
        try subscriber.connect(endpoint)
        // A subscription reaches the publisher asynchronously: publish until one arrives.
        var first: Message?
        for _ in 0..<100 where first == nil {
            try publisher.send(strings: ["study.7", "ping"])
            first = try receive(subscriber, within: .milliseconds(50))
        }
        #expect(first?.strings == ["study.7", "ping"])
        while try receive(subscriber, within: .milliseconds(100)) != nil {}

        try subscriber.set(.unsubscribe, Data("study.9".utf8))
        try publisher.send(strings: ["study.8", "not subscribed"])
        try publisher.send(strings: ["study.9", "unsubscribed"])
        try publisher.send(strings: ["study.7", "wanted"])
        #expect(try receive(subscriber)?.strings == ["study.7", "wanted"])
        #expect(try receive(subscriber, within: .milliseconds(200)) == nil)
    }

    @Test("typed options read back what was set")
    func options() throws {
        let context = try Context()
        let socket = try Socket(.dealer, context: context)
        #expect(try socket.get(.linger) == .zero, "sockets start with LINGER 0")
        try socket.set(.linger, nil)
        #expect(try socket.get(.linger) == nil)
        try socket.set(.linger, .milliseconds(1500))
        #expect(try socket.get(.linger) == .milliseconds(1500))
        try socket.set(.sendHighWaterMark, 50)
        #expect(try socket.get(.sendHighWaterMark) == 50)
        try socket.set(.receiveHighWaterMark, 70)
        #expect(try socket.get(.receiveHighWaterMark) == 70)
        try socket.set(.immediate, true)
        #expect(try socket.get(.immediate))
        try socket.set(.reconnectInterval, .milliseconds(500))
        #expect(try socket.get(.reconnectInterval) == .milliseconds(500))
        try socket.set(.reconnectIntervalMax, .seconds(30))
        #expect(try socket.get(.reconnectIntervalMax) == .seconds(30))
        try socket.set(.connectTimeout, .seconds(2))
        #expect(try socket.get(.connectTimeout) == .seconds(2))
        try socket.set(.heartbeatInterval, .seconds(2))
        #expect(try socket.get(.heartbeatInterval) == .seconds(2))
        try socket.set(.heartbeatTimeout, .seconds(6))
        #expect(try socket.get(.heartbeatTimeout) == .seconds(6))
        try socket.set(.heartbeatTTL, .seconds(6))
        #expect(try socket.get(.heartbeatTTL) == .seconds(6))
        try socket.set(.handshakeInterval, .seconds(10))
        #expect(try socket.get(.handshakeInterval) == .seconds(10))
        try socket.set(.maxMessageSize, 1 << 20)
        #expect(try socket.get(.maxMessageSize) == 1 << 20)
        try socket.set(.maxMessageSize, nil)
        #expect(try socket.get(.maxMessageSize) == nil)
        // Sub-millisecond durations round up: zero would mean "off" to libzmq.
        try socket.set(.reconnectInterval, .microseconds(10))
        #expect(try socket.get(.reconnectInterval) == .milliseconds(1))

        let router = try Socket(.router, context: context)
        try router.set(.routerHandover, true)
        let refused = #expect(throws: WireError.self) { try router.set(.subscribe, Data("x".utf8)) }
        #expect(refused?.operation == "zmq_setsockopt(SUBSCRIBE)")
        #expect(refused?.code == WireError.Code.invalidArgument)
    }
}
