import Foundation
import Dashboard
import Protocol

/// The dashboard's link to the coordinator over SWEEP/1: one connection for requests, taken one
/// at a time (a reply is matched on the connection it came in on), and one per watched study.
actor ClientLink: Link {
    private let option: CoordinatorOption
    private var client: Client?

    init(_ option: CoordinatorOption) { self.option = option }

    func request<B: MessageBody, R: MessageBody>(_ type: MessageType, _ body: B, reply: R.Type) async throws -> R {
        do {
            let connection = try await connected()
            return try await connection.request(type, body, timeout: .seconds(60)).decode(R.self)
        } catch let failure as Failure {
            // A timeout closed the connection; an ERROR reply left it usable.
            if failure.code == nil { drop() }
            throw LinkError(code: failure.code, failure.description)
        }
    }

    private func connected() async throws -> Client {
        if let client { return client }
        let fresh = try await option.connect()
        client = fresh
        return fresh
    }

    private func drop() {
        client?.close()
        client = nil
    }

    nonisolated func watch(_ study: String) async throws -> AsyncThrowingStream<Body.Trials, Error> {
        let connection = try await option.connect()
        let first: Body.Trials
        do {
            first = try await connection.request(.watch, Body.StudyRef(study: study), timeout: .seconds(120)).decode(Body.Trials.self)
        } catch let failure as Failure {
            connection.close()
            throw LinkError(code: failure.code, failure.description)
        }
        return AsyncThrowingStream { continuation in
            continuation.yield(first)
            // The coordinator drops a follower it has not heard from in 30 s.
            let heartbeat = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(5))
                    _ = try? await connection.send(.heartbeat, Body.Empty())
                }
            }
            let reader = Task {
                do {
                    while let message = try await connection.next() {
                        guard message.header.type == .trials else { continue }
                        continuation.yield(try message.decode(Body.Trials.self))
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in
                heartbeat.cancel()
                reader.cancel()
                connection.close()
            }
        }
    }
}
