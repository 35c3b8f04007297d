import GRDB
package import SagaStore

/// The service's own tables in the saga database: interviews with their invitations, who
/// made each request, the API's idempotency keys and the audit log. Append-only: never edit
/// a migration that has shipped, add the next.
package enum InterviewSchema {
    package static let migrations: [ApplicationMigration] = [
        ApplicationMigration("interviews v1: interviews, request owners, idempotency keys, audit log") { db in
            try db.execute(
                sql: """
                    CREATE TABLE interview (
                        id TEXT PRIMARY KEY NOT NULL,
                        request_id TEXT NOT NULL UNIQUE,
                        candidate_id TEXT NOT NULL,
                        owner TEXT NOT NULL,
                        start INTEGER NOT NULL,
                        "end" INTEGER NOT NULL,
                        status TEXT NOT NULL,
                        sequence INTEGER NOT NULL,
                        invite_request TEXT NOT NULL,
                        invite_cancel TEXT,
                        bookings TEXT NOT NULL,
                        created_at INTEGER NOT NULL
                    );
                    CREATE INDEX interview_candidate ON interview(candidate_id, start);
                    CREATE TABLE request_owner (
                        request_id TEXT PRIMARY KEY NOT NULL,
                        owner TEXT NOT NULL
                    );
                    CREATE TABLE idempotency_key (
                        owner TEXT NOT NULL,
                        key TEXT NOT NULL,
                        body_hash TEXT NOT NULL,
                        status INTEGER NOT NULL,
                        body BLOB NOT NULL,
                        location TEXT,
                        created_at INTEGER NOT NULL,
                        PRIMARY KEY (owner, key)
                    );
                    CREATE TABLE audit_log (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        actor TEXT NOT NULL,
                        action TEXT NOT NULL,
                        target TEXT NOT NULL,
                        detail TEXT NOT NULL,
                        at INTEGER NOT NULL
                    );
                    """)
        },
        ApplicationMigration("interviews v2: interviewer time ledger") { db in
            try db.execute(
                sql: """
                    CREATE TABLE interviewer_reservation (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        interviewer TEXT NOT NULL,
                        start INTEGER NOT NULL,
                        "end" INTEGER NOT NULL,
                        slot_start INTEGER NOT NULL,
                        saga_id TEXT NOT NULL,
                        interview_id TEXT NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('held', 'booked')),
                        created_at INTEGER NOT NULL,
                        CHECK (start < "end")
                    );
                    CREATE INDEX interviewer_reservation_time ON interviewer_reservation(interviewer, start);
                    CREATE INDEX interviewer_reservation_saga ON interviewer_reservation(saga_id);
                    CREATE INDEX interviewer_reservation_interview ON interviewer_reservation(interview_id);
                    """)
            // Time of confirmed interviews from before the ledger, then the rule that no two
            // interviews of one interviewer overlap (the bookings it skips overlapped already).
            try SQLiteInterviewerTimeLedger.recordConfirmedInterviews(in: db)
            try db.execute(
                sql: """
                    CREATE TRIGGER interviewer_reservation_no_overlap BEFORE INSERT ON interviewer_reservation
                    WHEN EXISTS (
                        SELECT 1 FROM interviewer_reservation r
                        WHERE r.interviewer = NEW.interviewer AND r.start < NEW."end" AND r."end" > NEW.start AND r.interview_id != NEW.interview_id
                    )
                    BEGIN SELECT RAISE(ABORT, 'interviewer time reserved twice'); END;
                    """)
        },
        ApplicationMigration("interviews v3: every request's owner, from its saga") { db in
            // Requests whose owner row was lost while sagas and interviews were two files.
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO request_owner (request_id, owner)
                    SELECT id, json_extract(data, '$.owner') FROM saga_instance
                    WHERE type = 'interview-scheduling' AND json_extract(data, '$.owner') IS NOT NULL
                    """)
            try db.execute(sql: "CREATE TABLE imported_file (name TEXT PRIMARY KEY NOT NULL, imported_at INTEGER NOT NULL)")
        },
        ApplicationMigration("interviews v4: reservations that move are checked too") { db in
            try db.execute(
                sql: """
                    CREATE TRIGGER interviewer_reservation_no_overlap_on_update
                    BEFORE UPDATE OF interviewer, start, "end", interview_id ON interviewer_reservation
                    WHEN EXISTS (
                        SELECT 1 FROM interviewer_reservation r
                        WHERE r.id != NEW.id AND r.interviewer = NEW.interviewer AND r.start < NEW."end" AND r."end" > NEW.start
                            AND r.interview_id != NEW.interview_id
                    )
                    BEGIN SELECT RAISE(ABORT, 'interviewer time reserved twice'); END;
                    """)
        },
        ApplicationMigration("interviews v5: the candidate's mail outbox") { db in
            // One row per version of a candidate's invitation, written with the interview's
            // change; the mail relay sends it (`MailOutbox`).
            try db.execute(
                sql: """
                    CREATE TABLE mail_outbox (
                        message_id TEXT PRIMARY KEY NOT NULL,
                        interview_id TEXT NOT NULL,
                        sequence INTEGER NOT NULL,
                        method TEXT NOT NULL CHECK (method IN ('request', 'cancel')),
                        sender TEXT NOT NULL,
                        recipient TEXT NOT NULL,
                        content BLOB NOT NULL,
                        status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'superseded', 'undeliverable')),
                        attempts INTEGER NOT NULL DEFAULT 0,
                        next_attempt_at INTEGER NOT NULL,
                        last_error TEXT,
                        created_at INTEGER NOT NULL,
                        sent_at INTEGER
                    );
                    CREATE INDEX mail_outbox_due ON mail_outbox(status, next_attempt_at);
                    CREATE INDEX mail_outbox_interview ON mail_outbox(interview_id, sequence);
                    """)
        },
        ApplicationMigration("interviews v6: the candidate's answer") { db in
            // PARTSTAT as the candidate last gave it (page or iTIP REPLY), and how many times it
            // changed: the id of each `interview.updated` it announced.
            try db.execute(
                sql: """
                    ALTER TABLE interview ADD COLUMN candidate_response TEXT NOT NULL DEFAULT 'needs-action';
                    ALTER TABLE interview ADD COLUMN candidate_response_changes INTEGER NOT NULL DEFAULT 0;
                    """)
        },
    ]
}
