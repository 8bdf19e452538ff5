import Protocol

/// What the dashboard needs from a coordinator: requests with their replies, and a study's
/// trials watched (WATCH: the full TRIALS first, then each push). `sweep dashboard` connects
/// as a CURVE client; tests can answer from memory.
public protocol Link: Sendable {
    func request<B: MessageBody, R: MessageBody>(_ type: MessageType, _ body: B, reply: R.Type) async throws -> R
    /// Ends (or throws) when the connection is lost; the caller watches again.
    func watch(_ study: String) async throws -> AsyncThrowingStream<Body.Trials, Error>
}
