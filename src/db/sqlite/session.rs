//! What a revision may change on the connection it runs on, put back
//! before its bookkeeping and the next revision; and the step's own
//! timeouts, in force while its SQL runs and no longer.
//!
//! - Lock-Timeout is SQLite's busy timeout: how long a statement waits for
//!   another connection's lock before "database is locked" (the run's own
//!   is a minute).
//! - Statement-Timeout is a progress handler that interrupts a statement
//!   running longer (SQLite has no timeout of its own); each statement of
//!   the revision gets the whole of it, as on PostgreSQL.
//! - The connection settings a revision can change with a `PRAGMA` and
//!   that change what later SQL does ([`SETTINGS`]) are read once, before
//!   the first revision, and set back after each one where they differ:
//!   one query per revision when nothing changed (and `busy_timeout` too,
//!   which a `PRAGMA busy_timeout` of the revision would otherwise leave
//!   for the bookkeeping and the next revisions). Its temporary tables,
//!   views and triggers are dropped and the databases it attached are
//!   detached. What is a property of the file, not of the connection, is
//!   left as the revision made it: `journal_mode` (WAL stays WAL),
//!   `user_version`, `application_id`, `page_size`, `auto_vacuum`.
//!   Settings that only change speed or durability (`synchronous`,
//!   `cache_size`, `temp_store`, `locking_mode`) and
//!   `case_sensitive_like`, which cannot be read back, are not reset.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rusqlite::Connection;

use crate::timeout::{Timeouts, Which};

/// The connection settings put back after each revision: those that
/// change what later statements (the next revision's, the bookkeeping's)
/// do or may do, and how long they wait for a lock.
pub const SETTINGS: [&str; 9] = [
    "foreign_keys",
    "query_only",
    "recursive_triggers",
    "ignore_check_constraints",
    "legacy_alter_table",
    "trusted_schema",
    "reverse_unordered_selects",
    "automatic_index",
    "busy_timeout",
];

/// The column of `pragma_NAME` that holds the setting: its name, but for
/// `busy_timeout`.
fn column(name: &str) -> &str {
    match name {
        "busy_timeout" => "timeout",
        name => name,
    }
}

/// The connection as it was before the first revision ran on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baseline {
    settings: Vec<i64>,
}

/// One query: every setting of [`SETTINGS`], then how many temporary
/// objects and attached databases there are.
fn state_query() -> String {
    let tables: Vec<String> = SETTINGS
        .iter()
        .map(|name| format!("pragma_{name}"))
        .collect();
    let columns: Vec<&str> = SETTINGS.iter().map(|name| column(name)).collect();
    format!(
        "SELECT {}, (SELECT count(*) FROM temp.sqlite_master), \
         (SELECT count(*) FROM pragma_database_list WHERE name NOT IN ('main', 'temp')) FROM {}",
        columns.join(", "),
        tables.join(", ")
    )
}

struct State {
    settings: Vec<i64>,
    temporary: i64,
    attached: i64,
}

fn read_state(conn: &Connection) -> rusqlite::Result<State> {
    conn.prepare_cached(&state_query())?.query_row([], |row| {
        let settings = (0..SETTINGS.len())
            .map(|i| row.get(i))
            .collect::<rusqlite::Result<_>>()?;
        Ok(State {
            settings,
            temporary: row.get(SETTINGS.len())?,
            attached: row.get(SETTINGS.len() + 1)?,
        })
    })
}

/// Whether SQL can change the connection's state at all: only a `PRAGMA`,
/// an `ATTACH` or a temporary object (`CREATE TEMP …`, `temp.name`) can,
/// and each is written in the revision's own text (SQLite has no function
/// that sets a `PRAGMA`, and a trigger cannot run one). Anything else
/// skips the query that checks, which costs as much as a small revision:
/// a word in a string or a comment only makes it run.
pub fn may_change(sql: &str) -> bool {
    let lower = sql.to_ascii_lowercase();
    ["pragma", "attach", "temp"]
        .iter()
        .any(|word| lower.contains(word))
}

impl Baseline {
    /// Reads the connection's settings, before any revision ran on it.
    pub fn read(conn: &Connection) -> rusqlite::Result<Baseline> {
        Ok(Baseline {
            settings: read_state(conn)?.settings,
        })
    }

    /// Puts the connection back as it was: the settings that differ, the
    /// temporary objects, the attached databases (these only outside a
    /// transaction, where a revision can attach one).
    pub fn restore(&self, conn: &Connection) -> rusqlite::Result<()> {
        let state = read_state(conn)?;
        for ((name, now), then) in SETTINGS.iter().zip(&state.settings).zip(&self.settings) {
            if now != then {
                conn.execute_batch(&format!("PRAGMA {name} = {then}"))?;
            }
        }
        if state.temporary > 0 {
            drop_temporary(conn)?;
        }
        if state.attached > 0 && conn.is_autocommit() {
            let names: Vec<String> = conn
                .prepare(
                    "SELECT name FROM pragma_database_list WHERE name NOT IN ('main', 'temp')",
                )?
                .query_map([], |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for name in names {
                conn.execute("DETACH DATABASE ?1", [name])?;
            }
        }
        Ok(())
    }
}

/// Drops every temporary table, view and trigger (their indexes go with
/// their tables).
fn drop_temporary(conn: &Connection) -> rusqlite::Result<()> {
    let objects: Vec<(String, String)> = conn
        .prepare(
            "SELECT type, name FROM temp.sqlite_master \
             WHERE type IN ('trigger', 'view', 'table') ORDER BY type = 'table'",
        )?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (kind, name) in objects {
        let quoted = name.replace('"', "\"\"");
        conn.execute_batch(&format!(
            "DROP {} IF EXISTS temp.\"{quoted}\"",
            kind.to_ascii_uppercase()
        ))?;
    }
    Ok(())
}

/// How many virtual machine instructions SQLite runs between two looks at
/// the clock: about a millisecond's worth or less.
const PROGRESS_OPS: i32 = 10_000;

/// A step's timeouts in force on the connection, until dropped: then the
/// busy timeout is the run's again and no handler is left.
pub struct StepLimits<'c> {
    conn: &'c Connection,
    timeouts: Timeouts,
    /// The busy timeout to go back to.
    run_busy: Duration,
    /// When the running statement must stop.
    deadline: Arc<std::sync::Mutex<Instant>>,
    /// Set by the handler when it interrupted a statement.
    interrupted: Arc<AtomicBool>,
}

impl<'c> StepLimits<'c> {
    /// Sets `timeouts` on `conn`; `run_busy` is the busy timeout to go back
    /// to afterwards.
    pub fn apply(
        conn: &'c Connection,
        timeouts: Timeouts,
        run_busy: Duration,
    ) -> rusqlite::Result<StepLimits<'c>> {
        let limits = StepLimits {
            conn,
            timeouts,
            run_busy,
            deadline: Arc::new(std::sync::Mutex::new(Instant::now())),
            interrupted: Arc::new(AtomicBool::new(false)),
        };
        if let Some(lock) = timeouts.lock {
            conn.busy_timeout(lock.after)?;
        }
        if timeouts.statement.is_some() {
            limits.restart();
            let deadline = Arc::clone(&limits.deadline);
            let interrupted = Arc::clone(&limits.interrupted);
            conn.progress_handler(
                PROGRESS_OPS,
                Some(move || {
                    let late = deadline.lock().is_ok_and(|d| Instant::now() >= *d);
                    if late {
                        interrupted.store(true, Ordering::Relaxed);
                    }
                    late
                }),
            )?;
        }
        Ok(limits)
    }

    /// A statement starts: it has the whole Statement-Timeout.
    pub fn restart(&self) {
        if let (Some(timeout), Ok(mut deadline)) = (self.timeouts.statement, self.deadline.lock()) {
            *deadline = Instant::now() + timeout.after;
        }
    }

    /// Which of the step's timeouts a failure with this result code (as
    /// [`super::fault::code_name`] names it) is, when it is one: an
    /// interruption by the handler, or "database is locked" under a
    /// Lock-Timeout.
    pub fn fired(&self, code: Option<&str>) -> Option<Which> {
        match code? {
            "SQLITE_INTERRUPT" if self.interrupted.load(Ordering::Relaxed) => {
                Some(Which::Statement)
            }
            "SQLITE_BUSY" | "SQLITE_LOCKED" if self.timeouts.lock.is_some() => Some(Which::Lock),
            _ => None,
        }
    }
}

impl Drop for StepLimits<'_> {
    fn drop(&mut self) {
        // Nothing to report: neither fails on an open connection.
        if self.timeouts.statement.is_some() {
            let _ = self.conn.progress_handler(0, None::<fn() -> bool>);
        }
        if self.timeouts.lock.is_some() {
            let _ = self.conn.busy_timeout(self.run_busy);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sql_that_can_change_the_connection_is_checked() {
        let cases = [
            ("PRAGMA foreign_keys = OFF;", true),
            ("pragma query_only=1", true),
            ("ATTACH DATABASE 'x.db' AS x;", true),
            ("CREATE TEMP TABLE t (id integer);", true),
            ("CREATE TEMPORARY VIEW v AS SELECT 1;", true),
            ("CREATE TABLE Temp.t (id integer);", true),
            // A false alarm only costs the check.
            ("INSERT INTO templates VALUES (1);", true),
            (
                "CREATE TABLE t (id integer); INSERT INTO t VALUES (1);",
                false,
            ),
            ("", false),
        ];
        for (sql, expected) in cases {
            assert_eq!(may_change(sql), expected, "{sql}");
        }
    }

    #[test]
    fn settings_a_revision_changed_are_put_back() {
        let conn = Connection::open_in_memory().unwrap();
        let baseline = Baseline::read(&conn).unwrap();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF; PRAGMA query_only = ON; PRAGMA recursive_triggers = ON; \
             PRAGMA busy_timeout = 1;",
        )
        .unwrap();
        assert_ne!(Baseline::read(&conn).unwrap(), baseline);
        baseline.restore(&conn).unwrap();
        assert_eq!(Baseline::read(&conn).unwrap(), baseline);
        conn.execute_batch("CREATE TABLE t (id integer)").unwrap();
    }

    #[test]
    fn temporary_objects_and_attached_databases_go() {
        let conn = Connection::open_in_memory().unwrap();
        let baseline = Baseline::read(&conn).unwrap();
        conn.execute_batch(
            "CREATE TEMP TABLE \"we\"\"ird\" (id integer); CREATE INDEX temp.i ON \"we\"\"ird\" (id);
             CREATE TEMP VIEW v AS SELECT 1; CREATE TEMP TRIGGER tr AFTER INSERT ON \"we\"\"ird\" BEGIN SELECT 1; END;
             ATTACH DATABASE ':memory:' AS other;",
        )
        .unwrap();
        baseline.restore(&conn).unwrap();
        let state = read_state(&conn).unwrap();
        assert_eq!((state.temporary, state.attached), (0, 0));
        conn.execute_batch("CREATE TEMP TABLE \"we\"\"ird\" (id integer)")
            .unwrap();
    }

    #[test]
    fn a_statement_timeout_interrupts_and_then_leaves() {
        let conn = Connection::open_in_memory().unwrap();
        let timeouts = Timeouts {
            lock: None,
            statement: Some(crate::timeout::Timeout {
                after: Duration::from_millis(50),
                origin: crate::timeout::Origin::Header,
            }),
        };
        let endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) \
                       SELECT count(*) FROM n";
        {
            let limits = StepLimits::apply(&conn, timeouts, Duration::from_secs(60)).unwrap();
            let error = conn
                .query_row(endless, [], |row| row.get::<_, i64>(0))
                .unwrap_err();
            let code = error.sqlite_error().map(super::super::fault::code_name);
            assert_eq!(limits.fired(code), Some(Which::Statement), "{error}");
        }
        // Gone with the limits: a long statement runs to its end.
        let counted: i64 = conn
            .query_row(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000) \
                 SELECT count(*) FROM n",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(counted, 300_000);
    }
}
