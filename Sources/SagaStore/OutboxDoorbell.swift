import GRDB

/// Rings `signal` after every committed transaction that inserted into the outbox, so that
/// the relay publishes at once instead of at its next poll. Lives on the writer connection
/// for as long as the database is open; its state is touched only there.
final class OutboxDoorbell: TransactionObserver, @unchecked Sendable {
    private let signal: WakeSignal
    private var inserted = false

    init(ringing signal: WakeSignal) {
        self.signal = signal
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        if case .insert(let table) = eventKind { return table == "outbox" }
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
