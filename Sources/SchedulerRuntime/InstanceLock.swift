import Foundation

/// One `serve` process per SQLite database: an exclusive `flock` on a file beside it, held
/// for the life of the process and released by the kernel when it ends, however it ends.
/// A second process finds it held and refuses to start, naming the holder's pid: the
/// saga engine's per-saga lock lives in one process, so two engines on one file would book
/// people twice.
final class InstanceLock: Sendable {
    private let descriptor: Int32

    /// Takes the lock at `path` (created if missing) and writes this process's pid into it.
    init(path: String, guarding database: String) throws(InstanceLockHeld) {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw InstanceLockHeld(database: database, lockFile: path, holder: nil, reason: String(cString: strerror(errno)))
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(descriptor)
            throw InstanceLockHeld(database: database, lockFile: path, holder: holder.flatMap(Int32.init), reason: nil)
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)  // releases the lock
    }
}

/// Another process holds the database, or the lock file cannot be opened.
struct InstanceLockHeld: Error, CustomStringConvertible {
    var database: String
    var lockFile: String
    var holder: Int32?
    var reason: String?

    var description: String {
        if let reason { return "cannot lock \(lockFile) for \(database): \(reason)" }
        return "\(database) is in use by another scheduler process (pid \(holder.map(String.init) ?? "unknown"), holding \(lockFile)). "
            + "With SQLite the service runs as one process per data directory; stop the other one, or give this one its own SCHEDULER_DATA_DIR."
    }
}
