/// The I/O thread's side of a `Bridge`: owns the sockets and runs the poll loop.
final class BridgeLoop {
    private struct Entry {
        let id: SocketID
        let socket: Socket
        let monitor: Monitor?
    }

    private let context: Context
    private let output: AsyncStream<Bridge.Event>.Continuation
    private let wakeup: Wakeup
    private var entries: [Entry] = []
    private var poller = Poller()
    /// Receives at most this many messages from one socket per turn, so that one busy peer
    /// cannot starve the command queue or the other sockets.
    private let batch = 256

    init(context: Context, output: AsyncStream<Bridge.Event>.Continuation, wakeup: Wakeup) {
        self.context = context
        self.output = output
        self.wakeup = wakeup
        rebuildPoller()
    }

    /// Polls until a `.stop` command arrives. `take` empties the command queue.
    func run(take: () -> [Command]) {
        while true {
            // A finite timeout: a lost wake-up can delay a command, never hang the loop.
            _ = try? poller.poll(timeout: .milliseconds(250))
            if poller.events(at: 0).contains(.readable) { wakeup.drain() }
            let batch = take()
            for (index, command) in batch.enumerated() {
                if case .stop = command {
                    closeAll()
                    for rest in batch[(index + 1)...] { rest.fail(WireError(code: WireError.Code.terminated, operation: "bridge stopped")) }
                    return
                }
                execute(command)
            }
            receiveReady()
        }
    }

    private func execute(_ command: Command) {
        switch command {
        case let .open(id, kind, monitored, setup, reply):
            do {
                let socket = try Socket(kind, context: context)
                // Monitor first, so that events of connections made in `setup` are seen.
                let monitor = monitored ? try socket.monitor() : nil
                try setup(socket)
                entries.append(Entry(id: id, socket: socket, monitor: monitor))
                rebuildPoller()
                reply.resume()
            } catch {
                reply.resume(throwing: error)
            }
        case let .sendAll(batch, reply):
            reply.resume(returning: batch.map { message, id -> WireError? in
                guard let entry = entries.first(where: { $0.id == id }) else {
                    return WireError(code: WireError.Code.invalidArgument, operation: "send on \(id), which is not open")
                }
                do throws(WireError) {
                    let queued = try entry.socket.send(message, wait: false)
                    return queued ? nil : WireError(code: WireError.Code.wouldBlock, operation: "send on \(entry.socket.kind) \(id)")
                } catch {
                    return error
                }
            })
        case let .send(id, message, reply):
            guard let entry = entries.first(where: { $0.id == id }) else {
                return reply.resume(throwing: WireError(code: WireError.Code.invalidArgument, operation: "send on \(id), which is not open"))
            }
            do {
                if try entry.socket.send(message, wait: false) {
                    reply.resume()
                } else {
                    reply.resume(throwing: WireError(code: WireError.Code.wouldBlock, operation: "send on \(entry.socket.kind) \(id)"))
                }
            } catch {
                reply.resume(throwing: error)
            }
        case let .run(id, body, reply):
            guard let entry = entries.first(where: { $0.id == id }) else {
                return reply.resume(throwing: WireError(code: WireError.Code.invalidArgument, operation: "use of \(id), which is not open"))
            }
            do { try body(entry.socket); reply.resume() } catch { reply.resume(throwing: error) }
        case let .close(id, reply):
            if let index = entries.firstIndex(where: { $0.id == id }) {
                entries[index].socket.close()
                entries.remove(at: index)
                rebuildPoller()
            }
            reply.resume()
        case .stop:
            break
        }
    }

    /// Poller layout: [wake-up pipe, socket 0, monitor 0?, socket 1, monitor 1?, …].
    private func rebuildPoller() {
        poller = Poller()
        poller.add(fileDescriptor: wakeup.readEnd)
        for entry in entries {
            poller.add(entry.socket)
            if let monitor = entry.monitor { poller.add(monitor.socket) }
        }
    }

    private func receiveReady() {
        var index = 1
        for entry in entries {
            let socketReady = poller.events(at: index).contains(.readable)
            index += 1
            if socketReady {
                for _ in 0..<batch {
                    guard let message = try? entry.socket.receive(wait: false) else { break }
                    output.yield(.message(entry.id, message))
                }
            }
            if let monitor = entry.monitor {
                if poller.events(at: index).contains(.readable) {
                    while let event = try? monitor.next(wait: false) {
                        output.yield(.monitor(entry.id, event))
                    }
                }
                index += 1
            }
        }
    }

    private func closeAll() {
        for entry in entries {
            entry.socket.close()
        }
        entries.removeAll()
    }
}
