import Foundation
internal import CZeroMQ

/// A typed socket option: `socket.set(.linger, .zero)`, `socket.get(.routingID)`.
public struct SocketOption<Value>: Sendable {
    let code: Int32
    let name: String
    let storage: OptionStorage
    let encode: @Sendable (Value) -> OptionBytes
    let decode: @Sendable (OptionBytes) -> Value
}

/// How libzmq stores an option.
enum OptionStorage { case int32, int64, bytes }

/// An option's raw value as libzmq stores it.
enum OptionBytes {
    case int32(Int32)
    case int64(Int64)
    case bytes(Data)
}

extension SocketOption where Value == Int32 {
    static func int(_ code: Int32, _ name: String) -> Self {
        Self(code: code, name: name, storage: .int32, encode: { .int32($0) }, decode: { if case let .int32(v) = $0 { v } else { 0 } })
    }
    /// Messages queued for sending before the socket blocks or drops (default 1000).
    public static var sendHighWaterMark: Self { .int(ZMQ_SNDHWM, "SNDHWM") }
    /// Messages queued on receipt before the socket stops reading (default 1000).
    public static var receiveHighWaterMark: Self { .int(ZMQ_RCVHWM, "RCVHWM") }
}

extension SocketOption where Value == Bool {
    static func flag(_ code: Int32, _ name: String) -> Self {
        Self(code: code, name: name, storage: .int32, encode: { .int32($0 ? 1 : 0) }, decode: { if case let .int32(v) = $0 { v != 0 } else { false } })
    }
    /// ROUTER: a message to an unknown peer fails with EHOSTUNREACH instead of vanishing.
    public static var routerMandatory: Self { .flag(ZMQ_ROUTER_MANDATORY, "ROUTER_MANDATORY") }
    /// ROUTER: a new connection with a routing id in use takes it over.
    public static var routerHandover: Self { .flag(ZMQ_ROUTER_HANDOVER, "ROUTER_HANDOVER") }
    /// Queue messages only to completed connections; with none, sends would block.
    public static var immediate: Self { .flag(ZMQ_IMMEDIATE, "IMMEDIATE") }
    /// Act as a CURVE server (set with the secret key before binding).
    public static var curveServer: Self { .flag(ZMQ_CURVE_SERVER, "CURVE_SERVER") }
}

extension SocketOption where Value == Duration {
    static func millis(_ code: Int32, _ name: String) -> Self {
        Self(code: code, name: name, storage: .int32, encode: { .int32($0.zmqMilliseconds) },
             decode: { if case let .int32(v) = $0 { .milliseconds(v) } else { .zero } })
    }
    /// First delay before reconnecting a dropped connection (default 100 ms).
    public static var reconnectInterval: Self { .millis(ZMQ_RECONNECT_IVL, "RECONNECT_IVL") }
    /// Cap of the exponential reconnect backoff (zero: no backoff).
    public static var reconnectIntervalMax: Self { .millis(ZMQ_RECONNECT_IVL_MAX, "RECONNECT_IVL_MAX") }
    /// How long a TCP connect may take before it is abandoned and retried (zero: the OS default).
    public static var connectTimeout: Self { .millis(ZMQ_CONNECT_TIMEOUT, "CONNECT_TIMEOUT") }
    /// Interval of ZMTP PING frames (zero: off).
    public static var heartbeatInterval: Self { .millis(ZMQ_HEARTBEAT_IVL, "HEARTBEAT_IVL") }
    /// Time without any traffic after a PING before the connection is dropped.
    public static var heartbeatTimeout: Self { .millis(ZMQ_HEARTBEAT_TIMEOUT, "HEARTBEAT_TIMEOUT") }
    /// Asks the remote side to drop the connection after this long without traffic (deciseconds).
    public static var heartbeatTTL: Self { .millis(ZMQ_HEARTBEAT_TTL, "HEARTBEAT_TTL") }
    /// Longest a security handshake may take (zero: forever).
    public static var handshakeInterval: Self { .millis(ZMQ_HANDSHAKE_IVL, "HANDSHAKE_IVL") }
}

extension SocketOption where Value == Duration? {
    /// How long unsent messages are kept after close; nil waits forever (libzmq's default,
    /// which `Socket` overrides to zero).
    public static var linger: Self {
        Self(code: ZMQ_LINGER, name: "LINGER", storage: .int32, encode: { .int32($0?.zmqMilliseconds ?? -1) },
             decode: { if case let .int32(v) = $0, v >= 0 { .milliseconds(v) } else { nil } })
    }
}

extension SocketOption where Value == Int? {
    /// Largest inbound message in bytes; a peer that sends a larger one is disconnected. nil: no limit.
    public static var maxMessageSize: Self {
        Self(code: ZMQ_MAXMSGSIZE, name: "MAXMSGSIZE", storage: .int64, encode: { .int64(Int64($0 ?? -1)) },
             decode: { if case let .int64(v) = $0, v >= 0 { Int(v) } else { nil } })
    }
}

extension SocketOption where Value == Data {
    static func blob(_ code: Int32, _ name: String) -> Self {
        Self(code: code, name: name, storage: .bytes, encode: { .bytes($0) }, decode: { if case let .bytes(v) = $0 { v } else { Data() } })
    }
    /// This socket's routing id as its ROUTER peers see it (set before connecting).
    public static var routingID: Self { .blob(ZMQ_ROUTING_ID, "ROUTING_ID") }
    /// SUB: receive messages starting with this prefix (empty: everything).
    public static var subscribe: Self { .blob(ZMQ_SUBSCRIBE, "SUBSCRIBE") }
    /// SUB: stop receiving a prefix subscribed before.
    public static var unsubscribe: Self { .blob(ZMQ_UNSUBSCRIBE, "UNSUBSCRIBE") }
}

extension SocketOption where Value == String {
    static func text(_ code: Int32, _ name: String) -> Self {
        Self(code: code, name: name, storage: .bytes, encode: { .bytes(Data($0.utf8)) }, decode: {
            guard case let .bytes(v) = $0 else { return "" }
            return String(decoding: v.prefix { $0 != 0 }, as: UTF8.self)
        })
    }
    /// The endpoint last bound or connected, with the port chosen for `tcp://host:*`.
    public static var lastEndpoint: Self { .text(ZMQ_LAST_ENDPOINT, "LAST_ENDPOINT") }
    /// The ZAP domain the authenticator sees for this socket's connections.
    public static var zapDomain: Self { .text(ZMQ_ZAP_DOMAIN, "ZAP_DOMAIN") }
    /// CURVE: this socket's public key (Z85, 40 characters).
    public static var curvePublicKey: Self { .text(ZMQ_CURVE_PUBLICKEY, "CURVE_PUBLICKEY") }
    /// CURVE: this socket's secret key (Z85, 40 characters).
    public static var curveSecretKey: Self { .text(ZMQ_CURVE_SECRETKEY, "CURVE_SECRETKEY") }
    /// CURVE client: the server's public key (Z85, 40 characters).
    public static var curveServerKey: Self { .text(ZMQ_CURVE_SERVERKEY, "CURVE_SERVERKEY") }
}

extension Socket {
    /// Sets an option; throws with the option's name and libzmq's error code when refused.
    public func set<Value>(_ option: SocketOption<Value>, _ value: Value) throws(WireError) {
        assertOwner()
        let operation = "zmq_setsockopt(\(option.name))"
        switch option.encode(value) {
        case var .int32(v):
            try zmqCheck(operation) { zmq_setsockopt(handle, option.code, &v, MemoryLayout<Int32>.size) }
        case var .int64(v):
            try zmqCheck(operation) { zmq_setsockopt(handle, option.code, &v, MemoryLayout<Int64>.size) }
        case let .bytes(data):
            try data.withUnsafeBytes { bytes in
                Result { () throws(WireError) in
                    _ = try zmqCheck(operation) { zmq_setsockopt(handle, option.code, bytes.baseAddress, bytes.count) }
                }
            }.get()
        }
    }

    /// Reads an option.
    public func get<Value>(_ option: SocketOption<Value>) throws(WireError) -> Value {
        assertOwner()
        let operation = "zmq_getsockopt(\(option.name))"
        switch option.storage {
        case .int32:
            var v: Int32 = 0
            var size = MemoryLayout<Int32>.size
            try zmqCheck(operation) { zmq_getsockopt(handle, option.code, &v, &size) }
            return option.decode(.int32(v))
        case .int64:
            var v: Int64 = 0
            var size = MemoryLayout<Int64>.size
            try zmqCheck(operation) { zmq_getsockopt(handle, option.code, &v, &size) }
            return option.decode(.int64(v))
        case .bytes:
            var buffer = [UInt8](repeating: 0, count: 512)
            var size = buffer.count
            try zmqCheck(operation) { zmq_getsockopt(handle, option.code, &buffer, &size) }
            return option.decode(.bytes(Data(buffer[..<size])))
        }
    }
}
