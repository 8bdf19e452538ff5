import Foundation
import Testing
import Wire

@Suite("CURVE and the ZAP allow-list", .serialized)
struct CurveTests {
    /// A CURVE ROUTER server on loopback whose context has an authenticator allowing `allowed`.
    struct Server {
        let context: Context
        let authenticator: Authenticator
        let keys: CurveKeyPair
        let router: Socket
        let endpoint: Endpoint

        init(allowed: Set<String>, domain: String = "workers") throws {
            context = try Context()
            authenticator = try Authenticator(context: context)
            authenticator.allow(allowed, domain: domain)
            keys = try CurveKeyPair.generate()
            router = try Socket(.router, context: context)
            try router.makeCurveServer(secretKey: keys.secretKey, domain: domain)
            endpoint = try router.bind(.tcp(host: "127.0.0.1", port: nil))
        }

        func client(_ clientKeys: CurveKeyPair, serverKey: String? = nil) throws -> (Socket, Monitor) {
            let dealer = try Socket(.dealer, context: context)
            try dealer.makeCurveClient(keyPair: clientKeys, serverKey: serverKey ?? keys.publicKey)
            let monitor = try dealer.monitor()
            try dealer.connect(endpoint)
            return (dealer, monitor)
        }
    }

    /// Monitor events seen within `window`.
    func events(_ monitor: Monitor, within window: Duration) throws -> [MonitorEvent.Kind] {
        var kinds: [MonitorEvent.Kind] = []
        let deadline = ContinuousClock.now + window
        let poller = Poller()
        poller.add(monitor.socket)
        while ContinuousClock.now < deadline {
            try poller.poll(timeout: .milliseconds(50))
            while let event = try monitor.next(wait: false) { kinds.append(event.kind) }
        }
        return kinds
    }

    @Test("key pairs are Z85 text and the public key derives from the secret one")
    func keys() throws {
        let pair = try CurveKeyPair.generate()
        #expect(pair.publicKey.count == 40 && pair.secretKey.count == 40)
        #expect(try CurveKeyPair(secretKey: pair.secretKey) == pair)
        #expect(Z85.decode(pair.publicKey)?.count == 32)
        let bytes: [UInt8] = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]
        #expect(Z85.encode(bytes) == "HelloWorld")
        #expect(Z85.decode("HelloWorld") == bytes)
        #expect(Z85.decode("Hello World") == nil)
        let short = #expect(throws: WireError.self) { try CurveKeyPair(secretKey: "tooshort") }
        #expect(short?.description.contains("40 Z85 characters (got 8 characters)") == true)
    }

    @Test("a client whose key is on the allow-list exchanges messages, tagged with its key")
    func allowedClient() throws {
        let clientKeys = try CurveKeyPair.generate()
        let server = try Server(allowed: [clientKeys.publicKey])
        let (dealer, _) = try server.client(clientKeys)
        try dealer.send(strings: ["hello"])
        let got = try #require(try receive(server.router))
        #expect(got.strings == ["hello"])
        #expect(got.userID == clientKeys.publicKey)
        try server.router.send(Message(strings: ["welcome"], peer: got.peer))
        #expect(try receive(dealer)?.strings == ["welcome"])
    }

    @Test("a client with an unknown key never gets a message through, and its monitor says why")
    func unknownClient() throws {
        let allowed = try CurveKeyPair.generate()
        let stranger = try CurveKeyPair.generate()
        let server = try Server(allowed: [allowed.publicKey])
        let (dealer, monitor) = try server.client(stranger)
        try dealer.send(strings: ["let me in"])
        #expect(try receive(server.router, within: .milliseconds(1500)) == nil)
        #expect(try events(monitor, within: .milliseconds(300)).contains(.handshakeFailedAuth))
        #expect(!server.authenticator.allowed(domain: "workers").contains(stranger.publicKey))
    }

    @Test("a client key allowed in one domain is refused by a server of another domain")
    func domainsAreSeparate() throws {
        let clientKeys = try CurveKeyPair.generate()
        let server = try Server(allowed: [], domain: "workers")
        server.authenticator.allow([clientKeys.publicKey], domain: "clients")
        let (dealer, _) = try server.client(clientKeys)
        try dealer.send(strings: ["act as a worker"])
        #expect(try receive(server.router, within: .milliseconds(1500)) == nil)

        // Reloading the list admits the key on the next connection attempt.
        server.authenticator.allow([clientKeys.publicKey], domain: "workers")
        let (retry, _) = try server.client(clientKeys)
        try retry.send(strings: ["now allowed"])
        #expect(try receive(server.router)?.strings == ["now allowed"])
    }

    @Test("a client with the wrong server key never connects")
    func wrongServerKey() throws {
        let clientKeys = try CurveKeyPair.generate()
        let server = try Server(allowed: [clientKeys.publicKey])
        let impostor = try CurveKeyPair.generate()
        let (dealer, monitor) = try server.client(clientKeys, serverKey: impostor.publicKey)
        try dealer.send(strings: ["hello?"])
        #expect(try receive(server.router, within: .milliseconds(1500)) == nil)
        #expect(try receive(dealer, within: .milliseconds(100)) == nil)
        #expect(!(try events(monitor, within: .milliseconds(300)).contains(.handshakeSucceeded)))
    }

    @Test("a second authenticator in the same context fails to start")
    func handlerMustBind() throws {
        let context = try Context()
        let first = try Authenticator(context: context)
        let error = #expect(throws: WireError.self) { try Authenticator(context: context) }
        #expect(error?.code == WireError.Code.addressInUse)
        #expect(error?.operation == "zmq_bind(inproc://zeromq.zap.01)")
        first.stop()
        // Once stopped, the endpoint is free again — after libzmq's reaper thread has closed the
        // socket, which it does asynchronously: allow it a moment.
        var again: Authenticator?
        for _ in 0..<100 where again == nil {
            again = try? Authenticator(context: context)
            if again == nil { Thread.sleep(forTimeInterval: 0.01) }
        }
        #expect(again != nil)
    }
}
