import Foundation
import Testing
import Wire

@Suite("Polling and shutdown")
struct PollTests {
    @Test("a poll with nothing ready returns after its timeout, not before")
    func pollTimesOut() throws {
        let context = try Context()
        let (router, dealer) = try routerDealer(context, transport: "inproc")
        let poller = Poller()
        poller.add(router)
        poller.add(dealer)
        let clock = ContinuousClock()
        let start = clock.now
        let ready = try poller.poll(timeout: .milliseconds(200))
        let waited = clock.now - start
        #expect(ready == 0)
        #expect(waited >= .milliseconds(190), "returned early after \(waited)")
        #expect(waited < .seconds(3), "overslept: \(waited)")
        #expect(poller.events(at: 0).isEmpty && poller.events(at: 1).isEmpty)
    }

    @Test("a poll returns as soon as one of several sockets is readable, and says which")
    func pollWakes() throws {
        let context = try Context()
        let (router, dealer) = try routerDealer(context, transport: "tcp")
        let (_, otherDealer) = try routerDealer(context, transport: "inproc")
        try dealer.send(strings: ["wake"])
        let poller = Poller()
        let quiet = poller.add(otherDealer)
        let busy = poller.add(router)
        let clock = ContinuousClock()
        let start = clock.now
        let ready = try poller.poll(timeout: .seconds(10))
        #expect(ready == 1)
        #expect(clock.now - start < .seconds(5))
        #expect(poller.events(at: busy).contains(.readable))
        #expect(poller.events(at: quiet).isEmpty)
        #expect(try router.receive(wait: false)?.strings == ["wake"])
    }

    @Test("sockets with queued unsent messages close and the context terminates without hanging")
    func shutdownWithQueuedMessages() throws {
        // A peer that never answers: a bound port nobody accepts on would also do, but an
        // unused port makes the DEALER queue messages while it keeps reconnecting.
        let finished = DispatchSemaphore(value: 0)
        let thread = Thread {
            do {
                let context = try Context()
                let dealer = try Socket(.dealer, context: context)
                try dealer.connect(.tcp(host: "127.0.0.1", port: 9)) // discard port: nothing listens
                for i in 0..<100 { _ = try dealer.send(strings: ["queued \(i)"], wait: false) }
                let publisher = try Socket(.publisher, context: context)
                try publisher.bind(.inproc(name: "shutdown-test"))
                try publisher.send(strings: ["nobody listens"])
                // Sockets and context go out of scope here: close, then zmq_ctx_term.
            } catch {
                Issue.record("setup failed: \(error)")
            }
            finished.signal()
        }
        thread.start()
        #expect(finished.wait(timeout: .now() + 20) == .success, "context termination hung with queued messages")
    }
}
