import Foundation
import Synchronization
internal import CZeroMQ

/// What happened to one of a socket's connections (`zmq_socket_monitor`).
public struct MonitorEvent: Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        case connected, connectDelayed, connectRetried, listening, bindFailed
        case accepted, acceptFailed, closed, closeFailed, disconnected, monitorStopped
        case handshakeSucceeded
        /// The peer spoke a wrong or unsupported ZMTP/mechanism.
        case handshakeFailedProtocol
        /// The security handshake was refused: a key not on the allow-list, or a wrong server key.
        case handshakeFailedAuth
        case handshakeFailedNoDetail
        case other(UInt16)
    }

    public let kind: Kind
    /// The event's number: an errno for failures, a file descriptor or interval otherwise.
    public let value: UInt32
    /// The remote or local address the event concerns.
    public let address: String

    public var description: String { "\(kind) \(address) (\(value))" }

    /// Decodes the two frames libzmq sends on the monitor socket: [event u16, value u32], address.
    init?(_ message: Message) {
        guard message.frames.count == 2, message.frames[0].count == 6 else { return nil }
        let head = message.frames[0]
        let code = head.withUnsafeBytes { $0.loadUnaligned(as: UInt16.self) }
        value = head.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 2, as: UInt32.self) }
        address = String(decoding: message.frames[1], as: UTF8.self)
        kind = switch Int32(code) {
        case ZMQ_EVENT_CONNECTED: .connected
        case ZMQ_EVENT_CONNECT_DELAYED: .connectDelayed
        case ZMQ_EVENT_CONNECT_RETRIED: .connectRetried
        case ZMQ_EVENT_LISTENING: .listening
        case ZMQ_EVENT_BIND_FAILED: .bindFailed
        case ZMQ_EVENT_ACCEPTED: .accepted
        case ZMQ_EVENT_ACCEPT_FAILED: .acceptFailed
        case ZMQ_EVENT_CLOSED: .closed
        case ZMQ_EVENT_CLOSE_FAILED: .closeFailed
        case ZMQ_EVENT_DISCONNECTED: .disconnected
        case ZMQ_EVENT_MONITOR_STOPPED: .monitorStopped
        case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: .handshakeSucceeded
        case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL: .handshakeFailedProtocol
        case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: .handshakeFailedAuth
        case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL: .handshakeFailedNoDetail
        default: .other(code)
        }
    }
}

/// Unique inproc names for monitor sockets within the process.
private let monitorCounter = Atomic<Int>(0)

/// Reads the connection events of one socket. Owned by the socket's thread, like the socket.
public final class Monitor {
    /// The PAIR socket events arrive on; add it to a `Poller` to wait for events.
    public let socket: Socket

    init(watching target: Socket) throws(WireError) {
        let number = monitorCounter.wrappingAdd(1, ordering: .relaxed).newValue
        let endpoint = "inproc://wire-monitor-\(getpid())-\(number)"
        try zmqCheck("zmq_socket_monitor(\(endpoint))") {
            zmq_socket_monitor(target.handle, endpoint, ZMQ_EVENT_ALL)
        }
        socket = try Socket(.pair, context: target.context)
        // libzmq sends events with a blocking send from its I/O thread: an unread monitor
        // with a bounded queue would stall every connection of the context. Unbounded here.
        try socket.set(.receiveHighWaterMark, 0)
        try socket.connect(.inproc(name: String(endpoint.dropFirst("inproc://".count))))
    }

    /// The next event; with `wait: false`, nil when none is queued.
    public func next(wait: Bool = true) throws(WireError) -> MonitorEvent? {
        while let message = try socket.receive(wait: wait) {
            if let event = MonitorEvent(message) { return event }
        }
        return nil
    }
}

extension Socket {
    /// Starts reporting this socket's connection events; read them from the returned monitor
    /// on this socket's thread. The socket keeps its monitor open until it closes, since
    /// libzmq blocks when a monitor's reader goes away first. Calling again returns the same one.
    public func monitor() throws(WireError) -> Monitor {
        assertOwner()
        if let monitor = attachedMonitor { return monitor }
        let monitor = try Monitor(watching: self)
        attachedMonitor = monitor
        return monitor
    }
}
