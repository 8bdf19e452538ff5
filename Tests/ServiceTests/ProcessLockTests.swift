import Foundation
import Testing
import Service

@Suite("Process locks")
struct ProcessLockTests {
    @Test("a second holder is refused with the first one's process id; the lock is free again once released")
    func exclusive() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lock-\(UUID().uuidString)").path
        var first: ProcessLock? = try ProcessLock(path: path)
        let error = #expect(throws: LockError.self) { try ProcessLock(path: path) }
        #expect(error?.description.contains("is held by another process (pid \(getpid()))") == true)
        #expect(first?.path == path)
        first = nil
        _ = try ProcessLock(path: path)
    }
}
