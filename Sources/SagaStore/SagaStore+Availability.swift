import GRDB
import SagaCore

extension SagaStore: DeadLetterInbox {
    /// Whether `error` says the database could not do its work (locked, full, I/O, cannot
    /// open) rather than that the write was wrong: worth retrying for as long as it takes.
    package static func isUnavailable(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        let transient: [ResultCode] = [
            .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_FULL, .SQLITE_IOERR, .SQLITE_CANTOPEN, .SQLITE_NOMEM, .SQLITE_READONLY, .SQLITE_PROTOCOL,
        ]
        return transient.contains(error.resultCode.primaryResultCode)
    }

    package func isUnavailable(_ error: any Error) -> Bool {
        Self.isUnavailable(error)
    }
}
