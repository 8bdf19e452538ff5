import Foundation
import Synchronization
internal import CZeroMQ

/// The ZAP handler (ZeroMQ RFC 27) for one context: admits a CURVE client only when its public
/// key is on the allow-list of the domain its server socket names. Without a handler in the
/// context libzmq admits any key, so start one before binding a CURVE server; `init` throws if
/// the handler endpoint cannot be bound (for example, when another handler already holds it).
public final class Authenticator: Sendable {
    /// One decision, for logs and tests.
    public struct Decision: Sendable, Equatable {
        public let domain: String
        public let address: String
        public let mechanism: String
        /// The client's public key in Z85 (empty for other mechanisms).
        public let publicKey: String
        public let admitted: Bool
    }

    private let allowLists = AllowLists()
    private let stopped = Latch()
    private let wakeup = Wakeup()
    private let finished = DispatchSemaphore(value: 0)

    /// Starts the handler on its own thread. `onDecision` runs on that thread for every request.
    public init(context: Context, onDecision: (@Sendable (Decision) -> Void)? = nil) throws(WireError) {
        let ready = DispatchSemaphore(value: 0)
        let bindError = Mutex<WireError?>(nil)
        let thread = Thread { [allowLists, stopped, wakeup, finished] in
            defer { finished.signal() }
            let socket: Socket
            do {
                socket = try Socket(.router, context: context)
                try socket.bind(.inproc(name: "zeromq.zap.01"))
            } catch {
                bindError.withLock { $0 = error as? WireError }
                ready.signal()
                return
            }
            ready.signal()
            let poller = Poller()
            poller.add(socket)
            poller.add(fileDescriptor: wakeup.readEnd)
            while !stopped.isSet {
                guard (try? poller.poll(timeout: .seconds(1))) != nil else { continue }
                if poller.events(at: 1).contains(.readable) { wakeup.drain() }
                while let request = try? socket.receive(wait: false) {
                    let (reply, decision) = Self.answer(request, allowLists: allowLists)
                    _ = try? socket.send(reply, wait: false)
                    if let decision { onDecision?(decision) }
                }
            }
            socket.close()
        }
        thread.name = "wire-zap"
        thread.start()
        ready.wait()
        if let error = bindError.withLock({ $0 }) {
            finished.wait()
            _ = stopped.set() // the thread is gone: deinit must not wait for it again
            throw error
        }
    }

    deinit { stop() }

    /// Replaces the allow-list of `domain` with these Z85 public keys.
    public func allow(_ publicKeys: Set<String>, domain: String) {
        allowLists.keys.withLock { $0[domain] = publicKeys }
    }

    /// The keys currently admitted under `domain`.
    public func allowed(domain: String) -> Set<String> {
        allowLists.keys.withLock { $0[domain] ?? [] }
    }

    /// Stops the handler and waits for its thread to close its socket.
    public func stop() {
        guard stopped.set() else { return }
        wakeup.signal()
        finished.wait()
    }

    /// Builds the ZAP reply to one request:
    /// request  [peer, "", "1.0", request id, domain, address, identity, mechanism, credentials…]
    /// reply    [peer, "", "1.0", request id, status code, status text, user id, metadata]
    static func answer(_ request: Message, allowLists: AllowLists) -> (Message, Decision?) {
        let f = request.frames
        func reply(_ id: Data, _ status: String, _ text: String, _ userID: String) -> Message {
            Message([Data(), Data("1.0".utf8), id, Data(status.utf8), Data(text.utf8), Data(userID.utf8), Data()], peer: request.peer)
        }
        guard f.count >= 7, String(decoding: f[1], as: UTF8.self) == "1.0" else {
            return (reply(f.count > 2 ? f[2] : Data(), "500", "malformed ZAP request", ""), nil)
        }
        let domain = String(decoding: f[3], as: UTF8.self)
        let address = String(decoding: f[4], as: UTF8.self)
        let mechanism = String(decoding: f[6], as: UTF8.self)
        var key = ""
        if mechanism == "CURVE", f.count >= 8, f[7].count == 32 {
            key = Z85.encode([UInt8](f[7])) ?? ""
        }
        let admitted = !key.isEmpty && allowLists.keys.withLock { $0[domain]?.contains(key) ?? false }
        let decision = Decision(domain: domain, address: address, mechanism: mechanism, publicKey: key, admitted: admitted)
        return admitted
            ? (reply(f[2], "200", "OK", key), decision)
            : (reply(f[2], "400", "key not on the \(domain) allow-list", ""), decision)
    }
}

/// The Z85 public keys admitted per ZAP domain, shared with the handler thread.
final class AllowLists: Sendable {
    let keys = Mutex<[String: Set<String>]>([:])
}
