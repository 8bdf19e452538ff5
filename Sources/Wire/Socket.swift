import Foundation
internal import CZeroMQ

/// A ZeroMQ socket. Not thread-safe: use it only on the thread that opened it (the `Bridge`
/// does this for async code). LINGER is 0 from the start, so closing never blocks on unsent
/// messages; set `.linger` for a final flush.
public final class Socket {
    let handle: UnsafeMutableRawPointer
    /// The kind this socket was opened as.
    public let kind: SocketKind
    /// Keeps the context alive until this socket is closed.
    let context: Context
    private var closed = false
    /// The monitor reading this socket's events, closed after monitoring stops.
    var attachedMonitor: Monitor?
    /// Bytes a whole received message may hold (all its frames; nil: no limit). The frames of a
    /// message over it are drained, not copied: it arrives with no frames and `oversize` set.
    /// (`.maxMessageSize` is libzmq's limit per frame; it drops the connection instead.)
    public var messageLimit: Int?
    #if DEBUG
    private let owner = pthread_self()
    #endif

    public init(_ kind: SocketKind, context: Context) throws(WireError) {
        guard let handle = zmq_socket(context.handle, kind.code) else {
            throw WireError(code: zmq_errno(), operation: "zmq_socket(\(kind))")
        }
        self.handle = handle
        self.kind = kind
        self.context = context
        try set(.linger, .zero)
    }

    deinit { close() }

    /// Closes the socket now; later calls do nothing.
    public func close() {
        guard !closed else { return }
        closed = true
        if let monitor = attachedMonitor {
            zmq_socket_monitor(handle, nil, 0)
            monitor.socket.close()
            attachedMonitor = nil
        }
        zmq_close(handle)
    }

    func assertOwner(_ function: StaticString = #function) {
        #if DEBUG
        assert(pthread_equal(owner, pthread_self()) != 0, "Wire.Socket.\(function) used off the thread that opened it")
        #endif
    }

    // MARK: Binding and connecting

    /// Binds to `endpoint` and returns the endpoint actually bound (with the port chosen for
    /// `.tcp(port: nil)`).
    @discardableResult
    public func bind(_ endpoint: Endpoint) throws(WireError) -> Endpoint {
        assertOwner()
        let text = endpoint.description
        try zmqCheck("zmq_bind(\(text))") { zmq_bind(handle, text) }
        return (try? Endpoint(parsing: get(.lastEndpoint))) ?? endpoint
    }

    public func unbind(_ endpoint: Endpoint) throws(WireError) {
        assertOwner()
        let text = endpoint.description
        try zmqCheck("zmq_unbind(\(text))") { zmq_unbind(handle, text) }
    }

    public func connect(_ endpoint: Endpoint) throws(WireError) {
        assertOwner()
        let text = endpoint.description
        try zmqCheck("zmq_connect(\(text))") { zmq_connect(handle, text) }
    }

    public func disconnect(_ endpoint: Endpoint) throws(WireError) {
        assertOwner()
        let text = endpoint.description
        try zmqCheck("zmq_disconnect(\(text))") { zmq_disconnect(handle, text) }
    }

    // MARK: Sending

    /// Sends `message` as one multipart message; on a ROUTER, to `message.peer`.
    /// With `wait: false`, returns false instead of blocking when it cannot be queued now
    /// (high-water mark, or no connected peer with IMMEDIATE); a multipart message is queued
    /// whole or not at all.
    @discardableResult
    public func send(_ message: Message, wait: Bool = true) throws(WireError) -> Bool {
        assertOwner()
        var frames = message.frames
        if kind == .router {
            guard let peer = message.peer else {
                throw WireError(code: EINVAL, operation: "send on ROUTER without a peer routing id")
            }
            frames.insert(peer, at: 0)
        }
        guard !frames.isEmpty else {
            throw WireError(code: EINVAL, operation: "send of a message with no frames")
        }
        let dontWait = wait ? 0 : ZMQ_DONTWAIT
        for (index, frame) in frames.enumerated() {
            let flags = dontWait | (index == frames.count - 1 ? 0 : ZMQ_SNDMORE)
            // After the first frame is accepted libzmq accepts the rest of the message.
            let sent = frame.withUnsafeBytes { bytes in
                Result { () throws(WireError) -> Int32? in
                    try zmqCall("zmq_send(\(kind) frame \(index))", wouldBlockIsNil: index == 0) {
                        zmq_send(handle, bytes.baseAddress, bytes.count, flags)
                    }
                }
            }
            if try sent.get() == nil { return false }
        }
        return true
    }

    /// Sends UTF-8 text frames.
    @discardableResult
    public func send(strings: [String], to peer: Data? = nil, wait: Bool = true) throws(WireError) -> Bool {
        try send(Message(strings: strings, peer: peer), wait: wait)
    }

    // MARK: Receiving

    /// Receives one whole multipart message of any size. With `wait: false`, returns nil when
    /// nothing is queued. On a ROUTER the first frame becomes `peer`.
    public func receive(wait: Bool = true) throws(WireError) -> Message? {
        assertOwner()
        let part = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)
        defer { part.deallocate() }
        var frames: [Data] = []
        var userID: String?
        var more = true
        var total = 0, first = true
        while more {
            zmq_msg_init(part)
            // Only the first frame may be absent; the rest of a message arrives with it.
            let flags = first && !wait ? ZMQ_DONTWAIT : 0
            let received: Int32?
            do {
                received = try zmqCall("zmq_msg_recv(\(kind))", wouldBlockIsNil: first) {
                    zmq_msg_recv(part, handle, flags)
                }
            } catch {
                zmq_msg_close(part)
                throw error
            }
            guard received != nil else {
                zmq_msg_close(part)
                return nil
            }
            let size = zmq_msg_size(part)
            total += size
            // A ROUTER's routing id is kept whatever the size, so the peer can be answered.
            if let limit = messageLimit, total > limit, !(first && kind == .router) {
                if frames.count > (kind == .router ? 1 : 0) { frames.removeLast(frames.count - (kind == .router ? 1 : 0)) }
            } else {
                frames.append(Data(bytes: zmq_msg_data(part), count: size))
            }
            first = false
            if userID == nil, let value = zmq_msg_gets(part, "User-Id") {
                userID = String(cString: value)
            }
            more = zmq_msg_more(part) != 0
            zmq_msg_close(part)
        }
        var message = Message(frames, userID: userID)
        if let limit = messageLimit, total > limit { message.oversize = total }
        if kind == .router, !message.frames.isEmpty {
            message.peer = message.frames.removeFirst()
        }
        return message
    }
}
