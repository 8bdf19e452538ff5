internal import CZeroMQ

/// What a poll waits for, and what it found.
public struct PollEvents: OptionSet, Sendable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }
    public static let readable = PollEvents(rawValue: Int16(ZMQ_POLLIN))
    public static let writable = PollEvents(rawValue: Int16(ZMQ_POLLOUT))
    public static let error = PollEvents(rawValue: Int16(ZMQ_POLLERR))
}

/// Waits on several sockets (and plain file descriptors) at once with `zmq_poll`.
/// Items are added once and polled many times without allocating.
public final class Poller {
    private var items: [zmq_pollitem_t] = []
    private var sockets: [Socket?] = []

    public init() {}

    /// Registers a socket and returns its index for `events(at:)`.
    @discardableResult
    public func add(_ socket: Socket, _ events: PollEvents = .readable) -> Int {
        items.append(zmq_pollitem_t(socket: socket.handle, fd: -1, events: events.rawValue, revents: 0))
        sockets.append(socket)
        return items.count - 1
    }

    /// Registers a file descriptor (a pipe, an eventfd) and returns its index.
    @discardableResult
    public func add(fileDescriptor: Int32, _ events: PollEvents = .readable) -> Int {
        items.append(zmq_pollitem_t(socket: nil, fd: fileDescriptor, events: events.rawValue, revents: 0))
        sockets.append(nil)
        return items.count - 1
    }

    /// Removes the item at `index`; later indices shift down by one.
    public func remove(at index: Int) {
        items.remove(at: index)
        sockets.remove(at: index)
    }

    /// Changes what the item at `index` waits for.
    public func update(at index: Int, _ events: PollEvents) {
        items[index].events = events.rawValue
    }

    public var count: Int { items.count }

    /// Waits until an item is ready or `timeout` passes (nil: forever; zero: just look).
    /// Returns how many items are ready.
    @discardableResult
    public func poll(timeout: Duration?) throws(WireError) -> Int {
        let millis = timeout.map { Int($0.zmqMilliseconds) } ?? -1
        let count = items.count
        return Int(try items.withUnsafeMutableBufferPointer { (buffer) throws(WireError) -> Int32 in
            try zmqCheck("zmq_poll(\(count) items)") { zmq_poll(buffer.baseAddress, Int32(count), millis) }
        })
    }

    /// What the last poll found for the item at `index`.
    public func events(at index: Int) -> PollEvents {
        PollEvents(rawValue: items[index].revents)
    }
}
