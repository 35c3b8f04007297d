import GRDB

/// The database schema as named, append-only migrations: never edit one that has shipped,
/// add the next.
enum SagaSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: saga instances, step log, outbox, inbox") { db in
            try db.execute(
                sql: """
                    CREATE TABLE saga_instance (
                        id TEXT PRIMARY KEY NOT NULL,
                        type TEXT NOT NULL,
                        definition_version INTEGER NOT NULL,
                        partition_key TEXT NOT NULL,
                        status TEXT NOT NULL,
                        step_index INTEGER NOT NULL,
                        attempt INTEGER NOT NULL,
                        last_succeeded_action INTEGER NOT NULL,
                        data TEXT NOT NULL,
                        waiting_event TEXT,
                        waiting_correlation TEXT,
                        wake_at INTEGER,
                        last_error_kind TEXT,
                        last_error_message TEXT,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        version INTEGER NOT NULL
                    );
                    CREATE INDEX saga_instance_due ON saga_instance(wake_at) WHERE wake_at IS NOT NULL;
                    CREATE INDEX saga_instance_waiting ON saga_instance(waiting_event, waiting_correlation) WHERE waiting_event IS NOT NULL;
                    CREATE INDEX saga_instance_type_status ON saga_instance(type, status);

                    CREATE TABLE saga_step_log (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        saga_id TEXT NOT NULL,
                        step TEXT,
                        phase TEXT NOT NULL,
                        attempt INTEGER NOT NULL,
                        outcome TEXT NOT NULL,
                        at INTEGER NOT NULL,
                        error_kind TEXT,
                        message TEXT,
                        actor TEXT NOT NULL
                    );
                    CREATE INDEX saga_step_log_saga ON saga_step_log(saga_id, id);

                    CREATE TABLE outbox (
                        sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                        id TEXT NOT NULL UNIQUE,
                        saga_id TEXT,
                        topic TEXT NOT NULL,
                        key TEXT NOT NULL,
                        headers TEXT NOT NULL,
                        payload BLOB NOT NULL,
                        created_at INTEGER NOT NULL,
                        published_at INTEGER,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        last_error TEXT
                    );
                    CREATE INDEX outbox_pending ON outbox(sequence) WHERE published_at IS NULL;
                    CREATE INDEX outbox_saga ON outbox(saga_id);

                    CREATE TABLE inbox (
                        message_id TEXT PRIMARY KEY NOT NULL,
                        topic TEXT NOT NULL,
                        received_at INTEGER NOT NULL,
                        saga_id TEXT,
                        outcome TEXT NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v2: aborts are recorded as such, not as permanent failures") { db in
            try db.execute(
                sql: """
                    UPDATE saga_instance SET last_error_kind = 'aborted'
                    WHERE last_error_kind = 'permanent' AND last_error_message LIKE 'aborted by %'
                    """)
        }
        migrator.registerMigration("v3: the step log indexed by its saga's age first") { db in
            // Saga ids are random, so an index led by them puts each running saga's new line
            // on a leaf page of its own, anywhere in the whole history: 23-36 % of the pages a
            // booking's commits wrote. Led by the saga's creation time, the running sagas'
            // lines share the index's last pages. The trigger dates lines that a version before
            // this one writes (after a rollback, or beside `scheduler sagas` of a newer build),
            // which would otherwise be filed under 0 and not found.
            try db.execute(
                sql: """
                    ALTER TABLE saga_step_log ADD COLUMN saga_created_at INTEGER NOT NULL DEFAULT 0;
                    UPDATE saga_step_log SET saga_created_at =
                        coalesce((SELECT created_at FROM saga_instance WHERE saga_instance.id = saga_step_log.saga_id), 0);
                    CREATE INDEX saga_step_log_by_saga_age ON saga_step_log(saga_created_at, saga_id, id);
                    DROP INDEX saga_step_log_saga;
                    CREATE TRIGGER saga_step_log_from_older_versions AFTER INSERT ON saga_step_log
                    WHEN NEW.saga_created_at = 0 BEGIN
                        UPDATE saga_step_log SET saga_created_at =
                            coalesce((SELECT created_at FROM saga_instance WHERE saga_instance.id = NEW.saga_id), 0)
                        WHERE id = NEW.id;
                    END;
                    """)
        }
        return migrator
    }

    /// The condition that finds one saga's log lines (its id the one argument, `?1`) through
    /// `saga_step_log_by_saga_age`.
    static let logOfSaga = """
        saga_created_at = coalesce((SELECT created_at FROM saga_instance WHERE id = ?1), 0) AND saga_id = ?1
        """
}
