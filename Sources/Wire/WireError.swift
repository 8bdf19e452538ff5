internal import CZeroMQ
#if canImport(Glibc)
import Glibc
#endif

/// A failed ZeroMQ call: the operation that failed and the `zmq_errno()` read right after it.
public struct WireError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The libzmq or POSIX error number (`EHOSTUNREACH`, `EAGAIN`, …).
    public let code: Int32
    /// What was being done, e.g. `zmq_bind(tcp://127.0.0.1:5555)`.
    public let operation: String

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    /// libzmq's text for `code`.
    public var reason: String { String(cString: zmq_strerror(code)) }

    public var description: String { "\(operation) failed: \(reason) (errno \(code))" }

    /// The message could not be routed (a ROUTER with ROUTER_MANDATORY and an unknown peer).
    public var isHostUnreachable: Bool { code == EHOSTUNREACH }
    /// The operation would block (high-water mark reached, or no connected peer with IMMEDIATE).
    public var isWouldBlock: Bool { code == EAGAIN }
    /// The context is being terminated: the owner should close its sockets and stop.
    public var isTerminated: Bool { code == ETERM }

    /// Error numbers callers compare against without importing the C module.
    public enum Code {
        public static let hostUnreachable = EHOSTUNREACH
        public static let wouldBlock = EAGAIN
        public static let invalidArgument = EINVAL
        public static let addressInUse = EADDRINUSE
        public static let terminated = ETERM
    }
}

/// Runs a libzmq call that returns -1 on failure, retrying on EINTR (the one place it is retried).
/// Returns the call's result, or nil when `wouldBlockIsNil` and the call reported EAGAIN.
@discardableResult
func zmqCall(
    _ operation: @autoclosure () -> String,
    wouldBlockIsNil: Bool = false,
    _ call: () -> Int32
) throws(WireError) -> Int32? {
    while true {
        let result = call()
        if result >= 0 { return result }
        let code = zmq_errno()
        if code == EINTR { continue }
        if wouldBlockIsNil && code == EAGAIN { return nil }
        throw WireError(code: code, operation: operation())
    }
}

/// `zmqCall` for calls that never report "would block".
@discardableResult
func zmqCheck(_ operation: @autoclosure () -> String, _ call: () -> Int32) throws(WireError) -> Int32 {
    try zmqCall(operation(), call)!
}
