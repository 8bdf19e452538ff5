import Foundation
import Hummingbird

/// Who may read the dashboard: anyone on loopback; off loopback, a browser that shows the token
/// (`?token=`, then a cookie) or a program that sends it (`Authorization: Bearer`).
public struct Access: Sendable {
    public let token: String?

    public init(token: String?) { self.token = token }

    /// A fresh token: 32 random bytes from the system's generator, hex.
    public static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// The token the request carries, if any.
    static func presented(_ request: Request) -> String? {
        if let query = request.uri.queryParameters.get("token") { return query }
        if let header = request.headers[.authorization], header.hasPrefix("Bearer ") { return String(header.dropFirst(7)) }
        for cookie in (request.headers[.cookie] ?? "").split(separator: ";") {
            let pair = cookie.trimmingCharacters(in: .whitespaces)
            if pair.hasPrefix("sweep_token=") { return String(pair.dropFirst("sweep_token=".count)) }
        }
        return nil
    }

    func allows(_ request: Request) -> Bool {
        guard let token else { return true }
        guard let shown = Self.presented(request) else { return false }
        // Compared in constant time: how long a refusal takes says nothing about the token.
        let a = Array(shown.utf8), b = Array(token.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}

/// Refuses requests without the token (401, with how to get in), and sets the cookie when a
/// browser came with `?token=`.
struct AccessMiddleware<Context: RequestContext>: RouterMiddleware {
    let access: Access

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard access.allows(request) else {
            return Response(status: .unauthorized, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: "This dashboard needs its token: open the URL sweep dashboard printed (…/?token=…).\n")))
        }
        var response = try await next(request, context)
        if let token = access.token, request.uri.queryParameters.get("token") != nil {
            response.headers[.setCookie] = "sweep_token=\(token); Path=/; HttpOnly; SameSite=Strict"
        }
        return response
    }
}
