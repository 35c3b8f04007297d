import CalendarProviders
import Foundation
import GRDB
import SagaStore
import SchedulerTesting
import Testing

@testable import InterviewScheduling

@Suite("interviews.sqlite of earlier versions moves into the saga database")
struct LegacyInterviewDatabaseTests {
    @Test func everyRowIsCopiedOnceAndTheOldFileIsSetAside() async throws {
        let directory = try TemporaryDirectory(prefix: "legacy-import")
        defer { directory.remove() }
        let legacyPath = directory.path(LegacyInterviewDatabase.fileName)
        // As the earlier service left it: WAL mode, its log not yet checkpointed (the pool stays open).
        let legacy = try DatabasePool(path: legacyPath)
        var migrator = DatabaseMigrator()
        // The tables as the version before the ledger had them.
        for migration in InterviewSchema.migrations.prefix(1) { migrator.registerMigration(migration.name, migrate: migration.migrate) }
        try migrator.migrate(legacy)
        let accepted = #"{"links":{"self":"/api/v1/scheduling-requests/req-1"},"requestId":"req-1","status":"accepted"}"#
        try await legacy.write { db in
            try db.execute(
                sql: """
                    INSERT INTO interview VALUES ('iv-req-1', 'req-1', 'cand-1', 'recruiter@example.com', 1795525200, 1795528800, 'confirmed', 0,
                        'BEGIN:VCALENDAR', NULL, '[{"provider":"local","calendar":"grace@example.com","eventID":"e1"}]', 1795420800);
                    INSERT INTO request_owner VALUES ('req-1', 'recruiter@example.com');
                    INSERT INTO audit_log (actor, action, target, detail, at) VALUES ('recruiter@example.com', 'scheduling-request.create', 'req-1', 'candidate cand-1', 1);
                    """)
            try db.execute(
                sql: "INSERT INTO idempotency_key VALUES ('recruiter@example.com', 'key-1', 'abc', 202, ?, '/api/v1/scheduling-requests/req-1', 1)",
                arguments: [Data(accepted.utf8)])
        }
        #expect(FileManager.default.fileExists(atPath: legacyPath + "-wal"))

        let store = try ServiceDatabase.open(path: directory.path("sagas.sqlite"))
        try await store.write { db in
            try InterviewRecords.append(AuditEntry(actor: "ops", action: "already-here", target: "req-0", detail: "", at: 0), in: db)
        }
        #expect(try await LegacyInterviewDatabase.importIfPresent(in: directory.url.path, into: store) == 4)
        #expect(!FileManager.default.fileExists(atPath: legacyPath))
        #expect(FileManager.default.fileExists(atPath: legacyPath + ".imported"))
        #expect(try await LegacyInterviewDatabase.importIfPresent(in: directory.url.path, into: store) == 0, "read once")
        // The same file appearing again (an old binary started once more) is set aside, not copied twice.
        try FileManager.default.copyItem(atPath: legacyPath + ".imported", toPath: legacyPath)
        #expect(try await LegacyInterviewDatabase.importIfPresent(in: directory.url.path, into: store) == 0)
        #expect(FileManager.default.fileExists(atPath: legacyPath + ".imported.2"))
        try legacy.close()

        let (interview, owner, earlier, audit) = try await store.read { db in
            (
                try InterviewRecords.interview(id: "iv-req-1", in: db), try InterviewRecords.owner(ofRequest: "req-1", in: db),
                try InterviewRecords.idempotentRequest(owner: "recruiter@example.com", key: "key-1", in: db),
                try InterviewRecords.auditLog(target: "req-1", in: db)
            )
        }
        #expect(interview?.bookings.map(\.eventID) == ["e1"] && interview?.status == .confirmed)
        #expect(owner == "recruiter@example.com")
        #expect(earlier == .init(bodyFingerprint: "abc", requestID: "req-1"), "an answer stored whole by an earlier version reads back")
        #expect(audit.map(\.action) == ["scheduling-request.create"], "the audit row got a new id instead of colliding with the one already there")
        let booked = try await store.read { db in
            try SQLiteInterviewerTimeLedger().reservations(of: ["grace@example.com"], overlapping: interview!.slot, in: db)
        }
        #expect(booked.map(\.kind) == [.booked], "the imported interview's time is in the ledger")
    }
}
