#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// An exclusive lock on a file, held while this value lives: one coordinator per store. The
/// holder's process id is written into the file so a second process can say who holds it. The
/// kernel releases the lock when the holder exits, however it exits.
public final class ProcessLock: Sendable {
    public let path: String
    private let descriptor: Int32

    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw LockError("cannot open the lock file \(path) (errno \(errno))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data(), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            close(fd)
            throw LockError("\(path) is held by another process\(holder.isEmpty ? "" : " (pid \(holder))"): one coordinator per store; stop that one first")
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { write(fd, $0, strlen($0)) }
        descriptor = fd
    }

    deinit { close(descriptor) }
}

public struct LockError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
