import Foundation

/// How a connecting peer (worker or client) secures its socket.
public enum Security: Sendable {
    /// CURVE with this peer's key pair, to the server whose public key is given.
    case curve(CurveKeyPair, serverKey: String)
    /// Plain TCP: no encryption, no authentication. Loopback only.
    case none

    /// Makes `socket` a CURVE client (before it connects).
    public func apply(to socket: Socket) throws(WireError) {
        if case let .curve(pair, serverKey) = self { try socket.makeCurveClient(keyPair: pair, serverKey: serverKey) }
    }

    /// Reads the security a connecting peer asked for: `insecure` (loopback endpoints only), or
    /// its own secret certificate and the server's public key (a certificate file, or Z85 text).
    public static func client(insecure: Bool, key: String?, serverKey: String?, endpoint: Endpoint, role: String) throws -> Security {
        if insecure {
            guard endpoint.isLoopback else {
                throw SecurityError("--insecure is allowed only on a loopback endpoint (got \(endpoint)); on a network use CURVE keys (sweep keygen)")
            }
            return .none
        }
        guard let key else {
            throw SecurityError("""
                CURVE is on by default: give this \(role)'s secret key with --key FILE (make one with: sweep keygen \(role)), \
                and the coordinator's public key with --server-key or a --cluster file; or --insecure on loopback
                """)
        }
        guard let pair = try Certificate(path: key).keyPair else { throw SecurityError("\(key) is a public certificate; --key needs the secret one (NAME.key_secret)") }
        guard let serverKey else { throw SecurityError("CURVE needs the coordinator's public key: --server-key FILE (its .key file) or a --cluster file") }
        let server = Z85.decode(serverKey)?.count == 32 ? serverKey : try Certificate(path: serverKey).publicKey
        return .curve(pair, serverKey: server)
    }

    /// A hint for a monitor event that means the handshake failed, nil for other events.
    public static func hint(_ event: MonitorEvent, role: String, domain: String) -> String? {
        switch event.kind {
        case .handshakeFailedAuth:
            return "the coordinator at \(event.address) refused this \(role)'s key: add its public certificate (NAME.key) to the coordinator's \(domain) allow-list and send the coordinator SIGHUP"
        case .handshakeFailedProtocol, .handshakeFailedNoDetail:
            return "the CURVE handshake with \(event.address) failed: check the coordinator's public key (--server-key or the cluster file), and that both sides use CURVE (or both --insecure)"
        default:
            return nil
        }
    }
}

/// The server side: the coordinator's key pair and the allow-lists of its two endpoints.
public struct ServerSecurity: Sendable {
    public let keyPair: CurveKeyPair
    /// Certificate files or directories of `*.key` files, per ZAP domain (`workers`, `clients`).
    public let allowLists: [String: [String]]

    public init(keyPair: CurveKeyPair, allowLists: [String: [String]]) {
        self.keyPair = keyPair
        self.allowLists = allowLists
    }

    /// Reads every allow-list now (at start and on SIGHUP) and hands them to the authenticator.
    @discardableResult
    public func load(into authenticator: Authenticator) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        var lists: [String: Set<String>] = [:]
        for (domain, paths) in allowLists {
            lists[domain] = try paths.reduce(into: Set<String>()) { keys, path in keys.formUnion(try Certificate.publicKeys(at: path)) }
        }
        // All lists read before any changes: a bad file leaves the old lists in force.
        for (domain, keys) in lists {
            authenticator.allow(keys, domain: domain)
            counts[domain] = keys.count
        }
        return counts
    }
}

/// A security setting that cannot work, with what to do instead.
public struct SecurityError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension Endpoint {
    /// True for TCP on 127.0.0.0/8, localhost or ::1, and for ipc and inproc endpoints.
    public var isLoopback: Bool {
        switch self {
        case let .tcp(host, _): host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
        case .ipc, .inproc: true
        }
    }
}
