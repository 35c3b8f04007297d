package import PostgresStore

/// The service's own tables on PostgreSQL: the same named steps as `InterviewSchema`, in
/// PostgreSQL's types. The ledger's rule that no two interviews of one interviewer overlap is
/// an exclusion constraint here, which holds across every instance sharing the database.
/// Append-only: never edit a step that has shipped, add the next.
package enum PostgresInterviewSchema {
    package static let migrations: [PostgresMigration] = [
        PostgresMigration(
            "interviews v1: interviews, request owners, idempotency keys, audit log",
            [
                """
                CREATE TABLE interview (
                    id TEXT PRIMARY KEY,
                    request_id TEXT NOT NULL UNIQUE,
                    candidate_id TEXT NOT NULL,
                    owner TEXT NOT NULL,
                    start BIGINT NOT NULL,
                    "end" BIGINT NOT NULL,
                    status TEXT NOT NULL,
                    sequence INTEGER NOT NULL,
                    invite_request TEXT NOT NULL,
                    invite_cancel TEXT,
                    bookings TEXT NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX interview_candidate ON interview(candidate_id, start)",
                "CREATE TABLE request_owner (request_id TEXT PRIMARY KEY, owner TEXT NOT NULL)",
                """
                CREATE TABLE idempotency_key (
                    owner TEXT NOT NULL,
                    key TEXT NOT NULL,
                    body_hash TEXT NOT NULL,
                    status INTEGER NOT NULL,
                    body BYTEA NOT NULL,
                    location TEXT,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (owner, key)
                )
                """,
                """
                CREATE TABLE audit_log (
                    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    target TEXT NOT NULL,
                    detail TEXT NOT NULL,
                    at BIGINT NOT NULL
                )
                """,
            ]),
        // `btree_gist` lets one GiST index compare the interviewer (=) and the interview (<>)
        // beside the time ranges (&&). It is a trusted extension: the database's owner may
        // create it without being a superuser.
        PostgresMigration(
            "interviews v2: interviewer time ledger",
            [
                "CREATE EXTENSION IF NOT EXISTS btree_gist",
                """
                CREATE TABLE interviewer_reservation (
                    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    interviewer TEXT NOT NULL,
                    start BIGINT NOT NULL,
                    "end" BIGINT NOT NULL,
                    slot_start BIGINT NOT NULL,
                    saga_id TEXT NOT NULL,
                    interview_id TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('held', 'booked')),
                    created_at BIGINT NOT NULL,
                    during TSTZRANGE GENERATED ALWAYS AS (tstzrange(to_timestamp(start), to_timestamp("end"))) STORED,
                    CHECK (start < "end"),
                    CONSTRAINT interviewer_reservation_no_overlap
                        EXCLUDE USING gist (interviewer WITH =, during WITH &&, interview_id WITH <>)
                )
                """,
                "CREATE INDEX interviewer_reservation_saga ON interviewer_reservation(saga_id)",
                "CREATE INDEX interviewer_reservation_interview ON interviewer_reservation(interview_id)",
            ]),
        PostgresMigration(
            "interviews v3: every request's owner, from its saga",
            [
                """
                INSERT INTO request_owner (request_id, owner)
                SELECT id, data::jsonb ->> 'owner' FROM saga_instance
                WHERE type = 'interview-scheduling' AND data::jsonb ->> 'owner' IS NOT NULL
                ON CONFLICT DO NOTHING
                """,
                "CREATE TABLE imported_file (name TEXT PRIMARY KEY, imported_at BIGINT NOT NULL)",
            ]),
        // The exclusion constraint of v2 checks updated rows as it checks new ones: nothing
        // to add, and the step is kept so that both backends share one history.
        PostgresMigration("interviews v4: reservations that move are checked too", []),
        PostgresMigration(
            "interviews v5: the candidate's mail outbox",
            [
                """
                CREATE TABLE mail_outbox (
                    message_id TEXT PRIMARY KEY,
                    interview_id TEXT NOT NULL,
                    sequence INTEGER NOT NULL,
                    method TEXT NOT NULL CHECK (method IN ('request', 'cancel')),
                    sender TEXT NOT NULL,
                    recipient TEXT NOT NULL,
                    content BYTEA NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'superseded', 'undeliverable')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at BIGINT NOT NULL,
                    last_error TEXT,
                    created_at BIGINT NOT NULL,
                    sent_at BIGINT
                )
                """,
                "CREATE INDEX mail_outbox_due ON mail_outbox(status, next_attempt_at)",
                "CREATE INDEX mail_outbox_interview ON mail_outbox(interview_id, sequence)",
            ]),
        PostgresMigration(
            "interviews v6: the candidate's answer",
            [
                "ALTER TABLE interview ADD COLUMN candidate_response TEXT NOT NULL DEFAULT 'needs-action'",
                "ALTER TABLE interview ADD COLUMN candidate_response_changes INTEGER NOT NULL DEFAULT 0",
            ]),
    ]
}
