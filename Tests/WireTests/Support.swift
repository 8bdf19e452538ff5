import Foundation
import Wire

/// Waits up to `timeout` for one message on `socket`.
func receive(_ socket: Socket, within timeout: Duration = .seconds(5)) throws -> Message? {
    let poller = Poller()
    poller.add(socket)
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if let message = try socket.receive(wait: false) { return message }
        try poller.poll(timeout: min(.milliseconds(50), deadline - ContinuousClock.now))
    }
    return try socket.receive(wait: false)
}

/// A bound ROUTER and a DEALER connected to it over `transport` ("tcp" or "inproc").
func routerDealer(_ context: Context, transport: String, routingID: String? = nil) throws -> (router: Socket, dealer: Socket) {
    let router = try Socket(.router, context: context)
    let endpoint: Endpoint = transport == "tcp"
        ? .tcp(host: "127.0.0.1", port: nil)
        : .inproc(name: "test-\(UUID().uuidString)")
    let bound = try router.bind(endpoint)
    let dealer = try Socket(.dealer, context: context)
    if let routingID { try dealer.set(.routingID, Data(routingID.utf8)) }
    try dealer.connect(bound)
    return (router, dealer)
}
