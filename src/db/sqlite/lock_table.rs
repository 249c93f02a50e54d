//! `lock = "table"` on SQLite: the run lock as a `migrator_lock` row in
//! the database file itself, instead of the lock file beside it (see
//! [`crate::db::run_lock`] for the protocol).
//!
//! What it is for: a database whose folder migrator may not write a file
//! into, or a file system where `flock` between machines cannot be relied
//! on, where the row travels with the database. It is the same protocol
//! as on a server, so a killed run's row is taken over only once its
//! expiry has passed (the lock file is let go by the kernel at once).
//!
//! SQLite lets one connection write at a time, so a revision that holds
//! the write lock for a long time also holds off the heartbeat; but a run
//! that would take the row over needs that write lock too, and the
//! holder renews the row before each revision, so a row can only be taken
//! over between revisions, after which its old holder sees it lost and
//! stops.
//!
//! Times are the database's clock (`strftime(… 'now')`), as text that
//! sorts as it compares.

use std::path::PathBuf;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use super::lock::other;
use crate::db::database::{DbError, LockTable};
use crate::db::lock_row::{Claim, Claimant, LockRow};

/// How long a claim waits for another connection's write before it calls
/// the database busy, tells the user and tries again: a waiting run must
/// not be stuck inside SQLite, silent, for a whole revision.
const CLAIM_PATIENCE: Duration = Duration::from_millis(500);

/// How long a heartbeat or a release waits for the write lock: a waiter's
/// claim holds it for an instant, a reader in rollback-journal mode
/// perhaps longer.
const WRITE_PATIENCE: Duration = Duration::from_secs(60);

pub const CREATE: &str = "CREATE TABLE IF NOT EXISTS migrator_lock (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    holder TEXT NOT NULL,
    run_id TEXT NOT NULL,
    acquired_at TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
)";

const NOW: &str = "strftime('%Y-%m-%d %H:%M:%f', 'now')";

/// The row: holder, run id, seconds since its heartbeat, expired.
pub fn read_sql() -> String {
    format!(
        "SELECT holder, run_id, (julianday('now') - julianday(heartbeat_at)) * 86400.0, \
         expires_at < {NOW} FROM migrator_lock WHERE id = 1"
    )
}

fn upsert_sql() -> String {
    format!(
        "INSERT INTO migrator_lock (id, holder, run_id, acquired_at, heartbeat_at, expires_at) \
         VALUES (1, ?1, ?2, {NOW}, {NOW}, strftime('%Y-%m-%d %H:%M:%f', 'now', ?3)) \
         ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, run_id = excluded.run_id, \
         acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at, \
         expires_at = excluded.expires_at"
    )
}

fn refresh_sql() -> String {
    format!(
        "UPDATE migrator_lock SET heartbeat_at = {NOW}, \
         expires_at = strftime('%Y-%m-%d %H:%M:%f', 'now', ?2) WHERE id = 1 AND run_id = ?1"
    )
}

/// `expiry` as a modifier of SQLite's date functions: `+30.000 seconds`.
fn modifier(expiry: Duration) -> String {
    format!("+{:.3} seconds", expiry.as_secs_f64())
}

/// The row, read on `conn`; `None` when there is none or no table.
pub fn read(conn: &Connection) -> rusqlite::Result<Option<LockRow>> {
    let exists: bool = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'migrator_lock'",
        [],
        |row| row.get(0),
    )?;
    if !exists {
        return Ok(None);
    }
    conn.query_row(&read_sql(), [], |row| {
        Ok(LockRow {
            holder: row.get(0)?,
            run_id: row.get(1)?,
            heartbeat_age: row.get(2)?,
            expired: row.get(3)?,
        })
    })
    .optional()
}

/// The lock table on a connection of its own to the database file.
pub struct SqliteLockTable {
    conn: Connection,
    location: String,
}

impl SqliteLockTable {
    /// Opens the file (creating it, as a run's first write would).
    pub fn open(path: &PathBuf, location: &str) -> Result<SqliteLockTable, DbError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| DbError::Connect {
            location: location.to_string(),
            message: e.to_string(),
            hint: Some("check that the folder exists and is writable".into()),
        })?;
        Ok(SqliteLockTable {
            conn,
            location: location.to_string(),
        })
    }

    fn fail(&self, error: rusqlite::Error) -> DbError {
        other(&self.location, format!("the lock table: {error}"))
    }

    fn patience(&self, patience: Duration) -> Result<(), DbError> {
        self.conn.busy_timeout(patience).map_err(|e| self.fail(e))
    }

    /// The claim's transaction: look, then write if the row is free.
    fn try_claim(&self, claimant: &Claimant, expiry: Duration) -> rusqlite::Result<Claim> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        let claimed = (|| {
            let previous = read(&self.conn)?;
            if previous.as_ref().is_some_and(|row| !row.expired) {
                return Ok(Claim::Held(previous.expect("checked above")));
            }
            self.conn.execute(
                &upsert_sql(),
                params![claimant.holder, claimant.run_id, modifier(expiry)],
            )?;
            Ok(match previous {
                Some(row) => Claim::TookOver(row),
                None => Claim::Taken,
            })
        })();
        match claimed {
            Ok(claim) => {
                self.conn.execute_batch("COMMIT")?;
                Ok(claim)
            }
            Err(error) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(error)
            }
        }
    }
}

fn is_busy(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

impl LockTable for SqliteLockTable {
    fn ensure(&mut self) -> Result<(), DbError> {
        self.patience(WRITE_PATIENCE)?;
        self.conn.execute_batch(CREATE).map_err(|e| self.fail(e))
    }

    fn claim(&mut self, claimant: &Claimant, expiry: Duration) -> Result<Claim, DbError> {
        self.patience(CLAIM_PATIENCE)?;
        match self.try_claim(claimant, expiry) {
            Ok(claim) => Ok(claim),
            // Another connection writes: a run's revision, most likely.
            // Its row says whose, when it can be read meanwhile (WAL).
            Err(error) if is_busy(&error) => Ok(Claim::Held(
                read(&self.conn).ok().flatten().unwrap_or(LockRow {
                    holder: "a connection writing to the database".into(),
                    run_id: String::new(),
                    heartbeat_age: 0.0,
                    expired: false,
                }),
            )),
            Err(error) => Err(self.fail(error)),
        }
    }

    fn refresh(&mut self, run_id: &str, expiry: Duration) -> Result<bool, DbError> {
        self.patience(WRITE_PATIENCE)?;
        let changed = self
            .conn
            .execute(&refresh_sql(), params![run_id, modifier(expiry)])
            .map_err(|e| self.fail(e))?;
        Ok(changed == 1)
    }

    fn release(&mut self, run_id: &str) -> Result<(), DbError> {
        self.patience(WRITE_PATIENCE)?;
        self.conn
            .execute(
                "DELETE FROM migrator_lock WHERE id = 1 AND run_id = ?1",
                params![run_id],
            )
            .map(|_| ())
            .map_err(|e| self.fail(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(dir: &tempfile::TempDir) -> SqliteLockTable {
        let mut table = SqliteLockTable::open(&dir.path().join("app.db"), "sqlite:app.db").unwrap();
        table.ensure().unwrap();
        table
    }

    fn claimant(run_id: &str) -> Claimant {
        Claimant {
            holder: format!("pid 1 ({run_id}@host)"),
            run_id: run_id.into(),
        }
    }

    #[test]
    fn a_row_is_taken_held_refreshed_released_and_taken_over_once_expired() {
        let dir = tempfile::tempdir().unwrap();
        let (mut a, mut b) = (table(&dir), table(&dir));
        let long = Duration::from_secs(30);
        assert_eq!(a.claim(&claimant("a"), long).unwrap(), Claim::Taken);
        match b.claim(&claimant("b"), long).unwrap() {
            Claim::Held(row) => {
                assert_eq!(
                    (row.holder.as_str(), row.run_id.as_str()),
                    ("pid 1 (a@host)", "a")
                );
                assert!(!row.expired && row.heartbeat_age < 5.0, "{row:?}");
            }
            other => panic!("{other:?}"),
        }
        assert!(a.refresh("a", long).unwrap());
        assert!(!b.refresh("b", long).unwrap(), "b holds nothing");
        b.release("b").unwrap();
        assert!(a.refresh("a", long).unwrap(), "b's release leaves a's row");
        // a stops sending heartbeats: its row expires at once.
        assert!(a.refresh("a", Duration::ZERO).unwrap());
        std::thread::sleep(Duration::from_millis(20));
        match b.claim(&claimant("b"), long).unwrap() {
            Claim::TookOver(row) => assert!(row.expired && row.run_id == "a", "{row:?}"),
            other => panic!("{other:?}"),
        }
        assert!(!a.refresh("a", long).unwrap(), "a learns it lost the row");
        b.release("b").unwrap();
        assert_eq!(read(&b.conn).unwrap(), None);
        assert_eq!(a.claim(&claimant("a"), long).unwrap(), Claim::Taken);
    }
}
