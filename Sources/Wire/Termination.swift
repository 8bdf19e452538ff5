#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The write end of the termination pipe; the signal handler may touch nothing else.
nonisolated(unsafe) private var terminationPipe: Int32 = -1
/// Signals received so far; a second one ends the process at once.
nonisolated(unsafe) private var terminationCount: Int32 = 0

/// Runs `handler` (on a thread of its own) when the process gets SIGINT or SIGTERM, instead of
/// the default of dying mid-write; a second signal exits at once (status 128 + signal).
///
/// A plain sigaction handler writing to a pipe, not a dispatch signal source: on Linux those read
/// a signalfd, which only sees signals every thread blocks — and libzmq, OpenBLAS and the
/// concurrency pool start threads that do not, so the signal was sometimes lost and the process
/// never stopped. Call once per process.
public func onTermination(_ handler: @escaping @Sendable () -> Void) {
    var ends: [Int32] = [0, 0]
    guard pipe(&ends) == 0 else { fatalError("pipe failed: errno \(errno); the process is out of file descriptors") }
    _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
    _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
    terminationPipe = ends[1]
    let readEnd = ends[0]
    for signal in [SIGINT, SIGTERM] {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { number in
            terminationCount += 1
            if terminationCount > 1 { _exit(128 + number) }
            var byte = UInt8(truncatingIfNeeded: number)
            _ = write(terminationPipe, &byte, 1)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        sigaction(signal, &action, nil)
    }
    let reader = Thread {
        var byte: UInt8 = 0
        while true {
            let n = read(readEnd, &byte, 1)
            if n == 1 { handler(); return }
            if n < 0 && errno == EINTR { continue }
            return
        }
    }
    reader.name = "termination"
    reader.start()
}
