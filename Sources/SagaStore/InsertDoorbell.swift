import GRDB
import SagaCore

/// Rings `signal` after every committed transaction that inserted into `table` (the outbox,
/// the mail outbox), so that its relay sends at once instead of at its next poll. Lives on
/// the writer connection for as long as the database is open; its state is touched only there.
final class InsertDoorbell: TransactionObserver, @unchecked Sendable {
    private let table: String
    private let signal: WakeSignal
    private var inserted = false

    init(table: String, ringing signal: WakeSignal) {
        self.table = table
        self.signal = signal
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        if case .insert(let table) = eventKind { return table == self.table }
        return false
    }

    func databaseDidChange(with event: DatabaseEvent) {
        inserted = true
        stopObservingDatabaseChangesUntilNextTransaction()
    }

    func databaseDidCommit(_ db: Database) {
        guard inserted else { return }
        inserted = false
        signal.signal()
    }

    func databaseDidRollback(_ db: Database) {
        inserted = false
    }
}
