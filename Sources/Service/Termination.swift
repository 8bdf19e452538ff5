#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// The write end of the signal pipe; the signal handler may touch nothing else.
nonisolated(unsafe) private var signalPipe: Int32 = -1
/// SIGINT/SIGTERM received so far; a second one ends the process at once.
nonisolated(unsafe) private var terminationCount: Int32 = 0
/// What to run for each signal, on the reader thread.
private let handlers = Mutex<[Int32: @Sendable () -> Void]>([:])
private let started = Mutex(false)

/// Runs `handler` (on a thread of its own) when the process gets SIGINT or SIGTERM, instead of
/// the default of dying mid-write; a second signal exits at once (status 128 + signal).
///
/// A plain sigaction handler writing to a pipe, not a dispatch signal source: on Linux those read
/// a signalfd, which only sees signals every thread blocks — and libzmq, OpenBLAS and the
/// concurrency pool start threads that do not, so the signal was sometimes lost and the process
/// never stopped.
public func onTermination(_ handler: @escaping @Sendable () -> Void) {
    on([SIGINT, SIGTERM], handler)
}

/// Runs `handler` on every SIGHUP (reload configuration).
public func onHangup(_ handler: @escaping @Sendable () -> Void) {
    on([SIGHUP], handler)
}

private func on(_ signals: [Int32], _ handler: @escaping @Sendable () -> Void) {
    startReader()
    handlers.withLock { for signal in signals { $0[signal] = handler } }
    for signal in signals {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { number in
            if number == SIGINT || number == SIGTERM {
                terminationCount += 1
                if terminationCount > 1 { _exit(128 + number) }
            }
            var byte = UInt8(truncatingIfNeeded: number)
            _ = write(signalPipe, &byte, 1)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        sigaction(signal, &action, nil)
    }
}

/// The pipe and the thread that turns its bytes into handler calls, once per process.
private func startReader() {
    guard started.withLock({ started in defer { started = true }; return !started }) else { return }
    var ends: [Int32] = [0, 0]
    guard pipe(&ends) == 0 else { fatalError("pipe failed: errno \(errno); the process is out of file descriptors") }
    _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
    _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
    signalPipe = ends[1]
    let readEnd = ends[0]
    let reader = Thread {
        var byte: UInt8 = 0
        while true {
            let n = read(readEnd, &byte, 1)
            if n == 1 {
                if let handler = handlers.withLock({ $0[Int32(byte)] }) { handler() }
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                return
            }
        }
    }
    reader.name = "signals"
    reader.start()
}
