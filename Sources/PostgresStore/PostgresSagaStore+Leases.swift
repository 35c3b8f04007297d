package import Foundation
import PostgresNIO
import SagaCore

/// Saga work shared by several instances: an instance claims due sagas with a lease, moves
/// them, and renews the lease while a step runs. When an instance dies, its leases run out and
/// the others claim those sagas; a step that was running then is repeated with the same
/// idempotency key, as after a crash. A claim moves the saga's version on, so a late write of
/// the previous owner cannot land, before or after the new owner's first write: the version
/// it names is gone (`StaleSagaWrite`). Lease times are the callers' clocks: instances must
/// agree on the time (NTP) to well within a lease.
extension PostgresSagaStore {
    /// Claims up to `limit` sagas with work due at `now` that no live lease covers, for
    /// `owner` until `now + duration`; returns their ids. Rows another claimer is taking at
    /// the same moment are skipped, not waited for, so claimers never block each other. The
    /// claimed instances' versions move on by one: read them after claiming.
    /// `excluded`: ids not to claim (sagas the caller parked after failures).
    package func claimDueWork(
        owner: String, at now: Date, for duration: Duration, limit: Int, excluding excluded: Set<String> = []
    ) async throws -> [String] {
        let until = now.addingTimeInterval(duration.seconds).milliseconds
        let rows = try await database.query(
            """
            UPDATE saga_instance SET lease_owner = \(owner), lease_until = \(until), version = version + 1
            WHERE id IN (
                SELECT id FROM saga_instance
                WHERE wake_at IS NOT NULL AND wake_at <= \(now.milliseconds)
                    AND (lease_until IS NULL OR lease_until <= \(now.milliseconds))
                    AND id <> ALL(\(Array(excluded)))
                ORDER BY wake_at LIMIT \(limit)
                FOR UPDATE SKIP LOCKED)
            RETURNING id
            """)
        var ids: [String] = []
        for try await id in rows.decode(String.self) { ids.append(id) }
        return ids
    }

    /// Extends `owner`'s lease on `sagaID` to `now + duration`; false when the lease is no
    /// longer `owner`'s: another instance claimed the saga (after the lease ran out), or it was
    /// released. A lease that ran out but that nobody claimed since is still `owner`'s: no
    /// other instance's worker took the saga up meanwhile (an event may have moved it, which
    /// the version check of the owner's next write catches).
    package func renewLease(on sagaID: String, owner: String, at now: Date, for duration: Duration) async throws -> Bool {
        let until = now.addingTimeInterval(duration.seconds).milliseconds
        let rows = try await database.query(
            """
            UPDATE saga_instance SET lease_until = \(until)
            WHERE id = \(sagaID) AND lease_owner = \(owner)
            RETURNING id
            """
        ).collect()
        return !rows.isEmpty
    }

    /// Gives up `owner`'s lease on `sagaID` (its work is done for now).
    package func releaseLease(on sagaID: String, owner: String) async throws {
        try await database.query(
            "UPDATE saga_instance SET lease_owner = NULL, lease_until = NULL WHERE id = \(sagaID) AND lease_owner = \(owner)")
    }

    /// Who holds the lease on `sagaID`, and until when, if anyone does.
    package func lease(on sagaID: String) async throws -> (owner: String, until: Date)? {
        let rows = try await database.query("SELECT lease_owner, lease_until FROM saga_instance WHERE id = \(sagaID)")
        for try await (owner, until) in rows.decode((String?, Int64?).self) {
            guard let owner, let until else { return nil }
            return (owner, Date(milliseconds: until))
        }
        return nil
    }
}

extension Duration {
    /// The duration in seconds, as a `TimeInterval`.
    var seconds: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
