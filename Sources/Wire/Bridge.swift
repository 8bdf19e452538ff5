import Foundation
import Synchronization

/// Names a socket opened through a `Bridge`.
public struct SocketID: Hashable, Sendable, CustomStringConvertible {
    let value: Int
    public var description: String { "socket#\(value)" }
}

/// Lets async Swift code use sockets that live on one dedicated I/O thread.
///
/// The thread owns every socket the bridge opens and runs a `zmq_poll` loop. Commands (open,
/// send, close) go in through a queue plus a wake-up pipe; received messages and monitor events
/// come out through `events`. No socket is ever touched from two threads, and no blocking
/// libzmq call runs on the cooperative pool.
public final class Bridge: Sendable {
    /// Something that arrived on one of the bridge's sockets.
    public enum Event: Sendable {
        case message(SocketID, Message)
        case monitor(SocketID, MonitorEvent)
    }

    /// Everything received, in arrival order per socket. Finishes when the bridge stops.
    public let events: AsyncStream<Event>

    private let commands = CommandQueue()
    private let wakeup = Wakeup()
    private let nextID = Atomic<Int>(0)
    private let done = DispatchSemaphore(value: 0)
    private let stopped = Latch()

    /// Starts the I/O thread.
    public init(context: Context, name: String = "wire-io") {
        let (events, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .unbounded)
        self.events = events
        let thread = Thread { [commands, wakeup, done] in
            let loop = BridgeLoop(context: context, output: continuation, wakeup: wakeup)
            loop.run(take: commands.takeAll)
            // Commands that arrived with or after the stop fail instead of waiting forever.
            for command in commands.close() { command.fail(WireError(code: WireError.Code.terminated, operation: "bridge stopped")) }
            continuation.finish()
            done.signal()
        }
        thread.name = name
        thread.start()
    }

    deinit { stop() }

    /// Opens a socket on the I/O thread. `setup` runs there, before anything else touches the
    /// socket: set options, bind or connect in it. With `monitor`, connection events of the
    /// socket arrive as `.monitor` events.
    public func open(
        _ kind: SocketKind,
        monitor: Bool = false,
        setup: @escaping @Sendable (Socket) throws -> Void
    ) async throws -> SocketID {
        let id = SocketID(value: nextID.wrappingAdd(1, ordering: .relaxed).newValue)
        try await withCheckedThrowingContinuation { (reply: CheckedContinuation<Void, Error>) in
            enqueue(.open(id, kind, monitor, setup, reply))
        }
        return id
    }

    /// Sends a message on `socket` without blocking the I/O thread. Throws the socket's error,
    /// e.g. `isWouldBlock` when its queue is full or (with IMMEDIATE) no peer is connected,
    /// `isHostUnreachable` for an unknown ROUTER peer; the caller decides whether to retry.
    public func send(_ message: Message, on socket: SocketID) async throws {
        try await withCheckedThrowingContinuation { (reply: CheckedContinuation<Void, Error>) in
            enqueue(.send(socket, message, reply))
        }
    }

    /// Sends many messages with one hop to the I/O thread (a busy server's replies to a burst of
    /// requests). Returns each message's error, nil where it was queued; throws only when the
    /// bridge has stopped.
    public func send(_ batch: [(Message, SocketID)]) async throws -> [WireError?] {
        try await withCheckedThrowingContinuation { (reply: CheckedContinuation<[WireError?], Error>) in
            enqueue(.sendAll(batch, reply))
        }
    }

    /// Runs `body` with the socket on the I/O thread (to read an option, for instance).
    public func with<T: Sendable>(_ socket: SocketID, _ body: @escaping @Sendable (Socket) throws -> T) async throws -> T {
        let box = Mutex<T?>(nil)
        try await withCheckedThrowingContinuation { (reply: CheckedContinuation<Void, Error>) in
            enqueue(.run(socket, { s in let value = try body(s); box.withLock { $0 = value } }, reply))
        }
        return box.withLock { $0! }
    }

    /// Closes a socket (with its LINGER) and stops its monitor.
    public func close(_ socket: SocketID) async {
        try? await withCheckedThrowingContinuation { (reply: CheckedContinuation<Void, Error>) in
            enqueue(.close(socket, reply))
        }
    }

    /// Closes every socket, ends `events` and waits for the I/O thread to finish.
    public func stop() {
        guard stopped.set() else { return }
        enqueue(.stop)
        done.wait()
    }

    private func enqueue(_ command: Command) {
        // The loop drains the whole queue after each wake-up, so one signal per batch is enough.
        switch commands.append(command) {
        case .first: wakeup.signal()
        case .queued: break
        case .closed: command.fail(WireError(code: WireError.Code.terminated, operation: "bridge stopped"))
        }
    }
}

/// A request to the I/O thread.
enum Command: Sendable {
    /// Resumes the waiting caller with `error` (the command will not run).
    func fail(_ error: WireError) {
        switch self {
        case let .open(_, _, _, _, reply), let .send(_, _, reply), let .run(_, _, reply), let .close(_, reply): reply.resume(throwing: error)
        case let .sendAll(_, reply): reply.resume(throwing: error)
        case .stop: break
        }
    }

    case open(SocketID, SocketKind, Bool, @Sendable (Socket) throws -> Void, CheckedContinuation<Void, Error>)
    case send(SocketID, Message, CheckedContinuation<Void, Error>)
    case sendAll([(Message, SocketID)], CheckedContinuation<[WireError?], Error>)
    case run(SocketID, @Sendable (Socket) throws -> Void, CheckedContinuation<Void, Error>)
    case close(SocketID, CheckedContinuation<Void, Error>)
    case stop
}

/// Commands waiting for the I/O thread.
final class CommandQueue: Sendable {
    private let state = Mutex<(commands: [Command], closed: Bool)>(([], false))

    enum Appended { case first, queued, closed }

    /// Appends a command: `.first` when the queue was empty (the loop needs a wake-up),
    /// `.closed` when the bridge has stopped (the command was not queued).
    func append(_ command: Command) -> Appended {
        state.withLock { state in
            if state.closed { return .closed }
            state.commands.append(command)
            return state.commands.count == 1 ? .first : .queued
        }
    }

    func takeAll() -> [Command] {
        state.withLock { state in
            defer { state.commands.removeAll(keepingCapacity: true) }
            return state.commands
        }
    }

    /// Refuses further commands and returns those still waiting.
    func close() -> [Command] {
        state.withLock { state in
            state.closed = true
            defer { state.commands.removeAll() }
            return state.commands
        }
    }
}
