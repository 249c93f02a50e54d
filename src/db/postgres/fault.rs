//! The failures that are the server's or the connection's rather than the
//! revision's, by SQLSTATE, with what to do about them.

/// What to do when a statement failed for a reason of the server's own,
/// which no edit of the revision's SQL would change; `None` when the SQL
/// may be at fault.
pub fn database_fault(error: &tokio_postgres::Error) -> Option<&'static str> {
    match error.as_db_error() {
        Some(db) => fault_of(db.code().code()),
        // No answer from the server: the connection closed, was reset or
        // timed out.
        None => Some(CONNECTION_LOST),
    }
}

const CONNECTION_LOST: &str = "the connection to the server was lost (the server shut down or \
     restarted, or an administrator ended the session); the server rolls back what was not \
     committed: run `migrator status` once it is back to see what was recorded, then run the \
     command again";

fn fault_of(sqlstate: &str) -> Option<&'static str> {
    let class = sqlstate.get(..2).unwrap_or_default();
    Some(match (class, sqlstate) {
        // connection_exception; admin_shutdown, crash_shutdown,
        // cannot_connect_now, idle_session_timeout.
        ("08", _) | (_, "57P01" | "57P02" | "57P03" | "57P05") => CONNECTION_LOST,
        (_, "57P04") => "the database was dropped while the revision ran",
        (_, "53100") => {
            "the server is out of disk space: free some (or grow the volume), then run the \
             command again"
        }
        // out_of_memory, too_many_connections, configuration_limit_exceeded.
        ("53", _) => {
            "the server ran out of a resource (memory, connections, a configured limit): see \
             its log, then run the command again"
        }
        ("58", _) => {
            "the server failed to read or write its own files: see its log, then run the \
             command again"
        }
        (_, "25006") => {
            "the server only accepts reads (a standby, or default_transaction_read_only): \
             point --database-url at the primary"
        }
        (_, "57014") => {
            "the statement was canceled, by a statement_timeout set for the role or the \
             database, or by another session (pg_cancel_backend): raise the timeout or find who \
             canceled it, then run the command again"
        }
        // serialization_failure, deadlock_detected, lock_not_available.
        (_, "40001" | "40P01" | "55P03") => {
            "another session held what this revision needed: run the command again, when that \
             session is done"
        }
        _ => return None,
    })
}

/// What to do about a failure that is the file's, where migrator knows
/// more than the server's own hint: `transactional` tells whether the
/// revision ran in migrator's transaction.
pub fn file_hint(sqlstate: &str, transactional: bool) -> Option<&'static str> {
    match sqlstate {
        // active_sql_transaction: CREATE INDEX CONCURRENTLY, VACUUM, ALTER
        // SYSTEM, CREATE DATABASE and the like refuse a transaction block.
        "25001" if transactional => Some(
            "this statement cannot run inside a transaction: add `-- Transaction: off` to the \
             revision's header, so that its statements run one by one outside any transaction",
        ),
        "25001" => Some(
            "this statement cannot run inside a transaction: move it out of the file's own \
             BEGIN … COMMIT",
        ),
        _ => None,
    }
}

/// Whether creating tables failed because a concurrent run created the
/// same ones first: `CREATE … IF NOT EXISTS` is not safe against a
/// concurrent one, which can also lose on the unique index of `pg_type`
/// (42710, "type … already exists") or `pg_class` (23505).
pub fn collided_creating(error: &tokio_postgres::Error) -> bool {
    use tokio_postgres::error::SqlState;
    [
        SqlState::UNIQUE_VIOLATION,
        SqlState::DUPLICATE_TABLE,
        SqlState::DUPLICATE_SCHEMA,
        SqlState::DUPLICATE_OBJECT,
    ]
    .iter()
    .any(|code| error.code() == Some(code))
}

/// A driver error as a line: the server's message and SQLSTATE, or what
/// went wrong on the way.
pub fn describe(error: &tokio_postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
        None if error.is_closed() => "the server closed the connection".into(),
        None => super::connect::full_text(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_is_blamed_for_its_own_state_and_the_file_for_its_sql() {
        let server = [
            "08006", "08003", "57P01", "57P02", "57P03", "53100", "53200", "58030", "25006",
            "57014", "40P01", "40001", "55P03",
        ];
        for code in server {
            assert!(fault_of(code).is_some(), "{code}");
        }
        // Syntax, a missing table, a unique violation, CREATE INDEX
        // CONCURRENTLY in a transaction block, a deferred constraint at
        // commit, a RAISE EXCEPTION.
        let file = ["42601", "42P01", "23505", "25001", "40002", "P0001"];
        for code in file {
            assert_eq!(fault_of(code), None, "{code}");
        }
        assert_eq!(fault_of("57P01"), Some(CONNECTION_LOST));
    }

    #[test]
    fn a_statement_that_refuses_a_transaction_is_told_where_to_go() {
        assert!(
            file_hint("25001", true)
                .unwrap()
                .contains("-- Transaction: off")
        );
        assert!(file_hint("25001", false).unwrap().contains("BEGIN"));
        assert_eq!(file_hint("42601", true), None);
    }
}
