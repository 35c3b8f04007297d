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
        }
    ]
}
