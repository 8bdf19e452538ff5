/// An HTTP listening address as `--metrics` and `--listen` take it: `HOST:PORT`, or a bare
/// `PORT` on loopback; IPv6 hosts may be bracketed.
public struct HTTPAddress: Sendable, Equatable {
    public let host: String
    public let port: Int

    /// nil when `text` is neither; `allowZero`: port 0 (the system picks one) is accepted.
    public init?(_ text: String, allowZero: Bool = false) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        let (host, port) = parts.count == 1 ? ("127.0.0.1", String(parts[0])) : (parts.dropLast().joined(separator: ":"), String(parts.last!))
        guard let number = Int(port), ((allowZero ? 0 : 1)...65535).contains(number), !host.isEmpty else { return nil }
        self.host = host.trimmingCharacters(in: ["[", "]"])
        self.port = number
    }

    public var isLoopback: Bool { ["127.0.0.1", "localhost", "::1"].contains(host) }
}
