/// Where a socket binds or connects: `tcp://host:port`, `ipc:///path` or `inproc://name`.
public enum Endpoint: Hashable, Sendable, CustomStringConvertible {
    /// TCP on `host` (a name, an IPv4/IPv6 address, `*` for every interface when binding).
    /// A nil port binds an ephemeral one; read it back from `Socket.lastEndpoint`.
    case tcp(host: String, port: UInt16?)
    /// A Unix domain socket at `path`.
    case ipc(path: String)
    /// An in-process transport between sockets of one `Context`.
    case inproc(name: String)

    public var description: String {
        switch self {
        case let .tcp(host, port):
            let shown = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
            return "tcp://\(shown):\(port.map(String.init) ?? "*")"
        case let .ipc(path): return "ipc://\(path)"
        case let .inproc(name): return "inproc://\(name)"
        }
    }

    /// Parses `tcp://host:port`, `ipc://path` or `inproc://name`.
    public init(parsing text: String) throws(EndpointError) {
        guard let range = text.range(of: "://") else { throw EndpointError(text: text, problem: "has no transport (expected tcp://, ipc:// or inproc://)") }
        let transport = text[..<range.lowerBound]
        let rest = String(text[range.upperBound...])
        switch transport {
        case "tcp":
            guard let colon = rest.lastIndex(of: ":") else { throw EndpointError(text: text, problem: "has no port (expected tcp://host:port)") }
            var host = String(rest[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            let portText = rest[rest.index(after: colon)...]
            guard !host.isEmpty else { throw EndpointError(text: text, problem: "has an empty host") }
            if portText == "*" { self = .tcp(host: host, port: nil); return }
            guard let port = UInt16(portText) else { throw EndpointError(text: text, problem: "has port '\(portText)', expected a number 0–65535 or *") }
            self = .tcp(host: host, port: port)
        case "ipc":
            guard !rest.isEmpty else { throw EndpointError(text: text, problem: "has an empty path") }
            self = .ipc(path: rest)
        case "inproc":
            guard !rest.isEmpty else { throw EndpointError(text: text, problem: "has an empty name") }
            self = .inproc(name: rest)
        default:
            throw EndpointError(text: text, problem: "has transport '\(transport)', expected tcp, ipc or inproc")
        }
    }
}

/// An endpoint string that could not be parsed.
public struct EndpointError: Error, CustomStringConvertible, Sendable {
    public let text: String
    public let problem: String
    public var description: String { "endpoint '\(text)' \(problem)" }
}
