internal import CZeroMQ

/// The socket patterns Sweep uses.
public enum SocketKind: Sendable, CaseIterable, CustomStringConvertible {
    /// Addresses each message to a peer by routing id; the coordinator's side.
    case router
    /// Load-balances to and fair-queues from its peers; workers and clients.
    case dealer
    /// Broadcasts to every subscriber whose topic prefix matches.
    case publisher
    /// Receives the publications whose prefix it subscribed to.
    case subscriber
    /// One-to-one, typically between threads over inproc.
    case pair

    var code: Int32 {
        switch self {
        case .router: ZMQ_ROUTER
        case .dealer: ZMQ_DEALER
        case .publisher: ZMQ_PUB
        case .subscriber: ZMQ_SUB
        case .pair: ZMQ_PAIR
        }
    }

    public var description: String {
        switch self {
        case .router: "ROUTER"
        case .dealer: "DEALER"
        case .publisher: "PUB"
        case .subscriber: "SUB"
        case .pair: "PAIR"
        }
    }
}
