internal import CZeroMQ

/// A ZeroMQ context: the owner of libzmq's I/O threads and the namespace of `inproc://`
/// endpoints. Thread-safe; every socket keeps its context alive, and the context is terminated
/// when the last reference goes (which waits for sockets to close, so set LINGER on them).
public final class Context: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    public init() throws(WireError) {
        guard let handle = zmq_ctx_new() else {
            throw WireError(code: zmq_errno(), operation: "zmq_ctx_new")
        }
        self.handle = handle
    }

    deinit {
        // zmq_ctx_term only fails with EINTR (retry) or EFAULT (a bug); it blocks until every
        // socket is closed and has lingered.
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }

    /// The libzmq version this process runs with, e.g. (4, 3, 4).
    public static var version: (major: Int, minor: Int, patch: Int) {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return (Int(major), Int(minor), Int(patch))
    }

    /// Whether libzmq was built with `capability` ("curve", "ipc", "draft", …).
    public static func has(_ capability: String) -> Bool { zmq_has(capability) != 0 }
}
