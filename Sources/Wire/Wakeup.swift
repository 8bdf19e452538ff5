#if canImport(Glibc)
import Glibc
#endif

/// A pipe that any thread may signal and a poll loop watches, to wake it for new commands
/// without sharing a socket between threads.
final class Wakeup: @unchecked Sendable {
    let readEnd: Int32
    private let writeEnd: Int32

    init() {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else {
            fatalError("pipe failed: errno \(errno); the process is out of file descriptors")
        }
        for fd in ends {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        readEnd = ends[0]
        writeEnd = ends[1]
    }

    deinit {
        Glibc.close(readEnd)
        Glibc.close(writeEnd)
    }

    /// Wakes the poller. A full pipe already means "awake", so EAGAIN is ignored.
    func signal() {
        var byte: UInt8 = 1
        while write(writeEnd, &byte, 1) < 0 && errno == EINTR {}
    }

    /// Empties the pipe after the poller woke.
    func drain() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let n = read(readEnd, &buffer, buffer.count)
            if n > 0 { continue }
            if n < 0 && errno == EINTR { continue }
            return
        }
    }
}
