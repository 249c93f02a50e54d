//! `lock = "table"` on PostgreSQL (and the engines that speak its
//! protocol): the `migrator_lock` row of the bookkeeping schema (see
//! [`crate::db::run_lock`] for the protocol).
//!
//! Each statement is one simple-protocol statement, so one implicit
//! transaction: nothing is prepared, no transaction stays open, and no
//! session state is relied on, which is what a transaction pooler
//! (PgBouncer's `pool_mode = transaction`) allows. Nothing here needs an
//! advisory lock or `pg_catalog`: taking the row is one `INSERT … ON
//! CONFLICT DO UPDATE … WHERE` (atomic on PostgreSQL, CockroachDB and
//! YugabyteDB alike), the times are the server's `now()`, and a table
//! created by two runs at once is created again until one wins.

use std::time::Duration;

use tokio_postgres::SimpleQueryMessage;
use tokio_postgres::error::SqlState;

use super::fault::{collided_creating, describe};
use super::session::Session;
use super::sql::{create_schema_statement, quote_ident, quote_literal};
use crate::db::database::{DbError, LockTable};
use crate::db::lock_row::{Claim, Claimant, LockRow};

/// The statements of the lock table of one schema. Pure.
#[derive(Debug, Clone)]
pub struct LockSql {
    schema: String,
    table: String,
}

impl LockSql {
    pub fn new(schema: &str) -> LockSql {
        LockSql {
            schema: schema.to_string(),
            table: format!("{}.migrator_lock", quote_ident(schema)),
        }
    }

    /// Whether the schema exists: `CREATE SCHEMA IF NOT EXISTS` needs the
    /// right to create schemas even when it exists.
    pub fn schema_exists(&self) -> String {
        format!(
            "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = {}",
            quote_literal(&self.schema)
        )
    }

    /// Creates the table (and the schema, when `create_schema`). One row
    /// at most: the lock of the schema's bookkeeping.
    pub fn create(&self, create_schema: bool) -> String {
        let schema = create_schema_statement(&self.schema, create_schema);
        format!(
            "{schema}CREATE TABLE IF NOT EXISTS {} (
    id integer PRIMARY KEY CHECK (id = 1),
    holder text NOT NULL,
    run_id text NOT NULL,
    acquired_at timestamptz NOT NULL,
    heartbeat_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
",
            self.table
        )
    }

    /// Takes the row for `claimant`, or takes over an expired one, and
    /// says what it found, in one statement: `taken` (1 or 0), then the
    /// row as it was before (holder, run id, seconds since its heartbeat,
    /// expired), or nulls when there was none.
    pub fn claim(&self, claimant: &Claimant, expiry: Duration) -> String {
        let table = &self.table;
        let expires = in_future(expiry);
        format!(
            "WITH previous AS (
    SELECT holder, run_id, extract(epoch FROM now() - heartbeat_at)::float8 AS age, expires_at < now() AS expired
    FROM {table} WHERE id = 1
), taken AS (
    INSERT INTO {table} AS l (id, holder, run_id, acquired_at, heartbeat_at, expires_at)
    VALUES (1, {holder}, {run_id}, now(), now(), {expires})
    ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, run_id = excluded.run_id,
        acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at
    WHERE l.expires_at < now()
    RETURNING 1
)
SELECT (SELECT count(*) FROM taken), p.holder, p.run_id, p.age, p.expired
FROM (SELECT 1) AS one LEFT JOIN previous AS p ON true",
            holder = quote_literal(&claimant.holder),
            run_id = quote_literal(&claimant.run_id),
        )
    }

    /// Moves the expiry of `run_id`'s row; changes no row when it is not
    /// that run's.
    pub fn refresh(&self, run_id: &str, expiry: Duration) -> String {
        format!(
            "UPDATE {} SET heartbeat_at = now(), expires_at = {} WHERE id = 1 AND run_id = {}",
            self.table,
            in_future(expiry),
            quote_literal(run_id)
        )
    }

    pub fn release(&self, run_id: &str) -> String {
        format!(
            "DELETE FROM {} WHERE id = 1 AND run_id = {}",
            self.table,
            quote_literal(run_id)
        )
    }

    /// The row, as [`LockSql::claim`] reports the one it found.
    pub fn read(&self) -> String {
        format!(
            "SELECT holder, run_id, extract(epoch FROM now() - heartbeat_at)::float8, expires_at < now() FROM {} WHERE id = 1",
            self.table
        )
    }
}

/// `now()` plus `expiry`, in SQL.
fn in_future(expiry: Duration) -> String {
    format!("now() + interval '{} milliseconds'", expiry.as_millis())
}

/// A row of [`LockSql::read`] (or the last four columns of a claim).
fn lock_row(columns: &[Option<&str>]) -> Option<LockRow> {
    let [Some(holder), Some(run_id), age, expired] = columns else {
        return None;
    };
    Some(LockRow {
        holder: holder.to_string(),
        run_id: run_id.to_string(),
        heartbeat_age: age.and_then(|a| a.parse().ok()).unwrap_or(0.0),
        expired: matches!(expired, Some("t" | "true")),
    })
}

/// The first row of a simple query's answer, as text; and how many rows
/// the statement changed.
fn first_row(messages: &[SimpleQueryMessage]) -> (Option<Vec<Option<&str>>>, u64) {
    let mut row = None;
    let mut changed = 0;
    for message in messages {
        match message {
            SimpleQueryMessage::Row(r) if row.is_none() => {
                row = Some((0..r.len()).map(|i| r.get(i)).collect());
            }
            SimpleQueryMessage::CommandComplete(n) => changed = *n,
            _ => {}
        }
    }
    (row, changed)
}

/// Reads the lock row on `session`: `None` when there is none or no
/// table yet. For `status`.
pub fn holder(session: &Session, sql: &LockSql) -> Result<Option<LockRow>, tokio_postgres::Error> {
    match session.block(session.client().simple_query(&sql.read())) {
        Ok(messages) => Ok(first_row(&messages).0.and_then(|row| lock_row(&row))),
        Err(error)
            if error.code() == Some(&SqlState::UNDEFINED_TABLE)
                || error.code() == Some(&SqlState::INVALID_SCHEMA_NAME) =>
        {
            Ok(None)
        }
        Err(error) => Err(error),
    }
}

/// The lock table on a session of its own.
pub struct PgLockTable {
    pub session: Session,
    pub sql: LockSql,
    pub location: String,
}

impl PgLockTable {
    fn run(&self, statement: &str) -> Result<Vec<SimpleQueryMessage>, DbError> {
        self.session
            .block(self.session.client().simple_query(statement))
            .map_err(|error| DbError::Other {
                location: self.location.clone(),
                message: format!("the lock table: {}", describe(&error)),
            })
    }
}

impl LockTable for PgLockTable {
    fn ensure(&mut self) -> Result<(), DbError> {
        // Two runs creating it at once: the loser's CREATE fails on a
        // catalog's unique index, and the next try finds it made.
        let mut tries = 0;
        loop {
            let create_schema = self
                .run(&self.sql.schema_exists())?
                .iter()
                .all(|m| !matches!(m, SimpleQueryMessage::Row(_)));
            let created = self.session.block(
                self.session
                    .client()
                    .simple_query(&self.sql.create(create_schema)),
            );
            match created {
                Ok(_) => return Ok(()),
                Err(error) if tries < 3 && collided_creating(&error) => {
                    tries += 1;
                }
                Err(error) => {
                    return Err(DbError::Other {
                        location: self.location.clone(),
                        message: format!(
                            "cannot create the lock table {}: {}",
                            self.sql.table,
                            describe(&error)
                        ),
                    });
                }
            }
        }
    }

    fn claim(&mut self, claimant: &Claimant, expiry: Duration) -> Result<Claim, DbError> {
        let messages = self.run(&self.sql.claim(claimant, expiry))?;
        let (Some(row), _) = first_row(&messages) else {
            return Ok(Claim::Raced);
        };
        let taken = row.first().copied().flatten() == Some("1");
        let previous = lock_row(&row[1..]);
        Ok(match (taken, previous) {
            (true, None) => Claim::Taken,
            (true, Some(previous)) => Claim::TookOver(previous),
            (false, Some(previous)) if !previous.expired => Claim::Held(previous),
            // What was there changed between the look and the write.
            (false, _) => Claim::Raced,
        })
    }

    fn refresh(&mut self, run_id: &str, expiry: Duration) -> Result<bool, DbError> {
        let messages = self.run(&self.sql.refresh(run_id, expiry))?;
        Ok(first_row(&messages).1 == 1)
    }

    fn release(&mut self, run_id: &str) -> Result<(), DbError> {
        self.run(&self.sql.release(run_id)).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::lexer::Dialect;

    #[test]
    fn every_statement_quotes_the_schema_and_the_claimant() {
        let sql = LockSql::new("we\"ird");
        let claimant = Claimant {
            holder: "pid 1 (o'brien@host)".into(),
            run_id: "abc".into(),
        };
        let claim = sql.claim(&claimant, Duration::from_secs(30));
        assert!(claim.contains("\"we\"\"ird\".migrator_lock"), "{claim}");
        assert!(claim.contains("'pid 1 (o''brien@host)'"), "{claim}");
        assert!(
            claim.contains("now() + interval '30000 milliseconds'"),
            "{claim}"
        );
        for statement in [
            claim,
            sql.refresh("abc", Duration::from_secs(30)),
            sql.release("abc"),
            sql.read(),
            sql.schema_exists(),
        ] {
            assert_eq!(
                crate::sql::split::split(&statement, Dialect::Postgres).len(),
                1,
                "one statement, one implicit transaction: {statement}"
            );
            assert!(!statement.contains("pg_advisory"), "{statement}");
        }
        assert!(
            sql.create(true)
                .starts_with("CREATE SCHEMA IF NOT EXISTS \"we\"\"ird\";")
        );
        assert!(!sql.create(false).contains("SCHEMA"));
    }

    #[test]
    fn rows_read_as_lock_rows() {
        let row = lock_row(&[Some("pid 1 (a@b)"), Some("r1"), Some("2.5"), Some("f")]).unwrap();
        assert_eq!(row.holder, "pid 1 (a@b)");
        assert_eq!(row.heartbeat_age, 2.5);
        assert!(!row.expired);
        assert!(
            lock_row(&[Some("h"), Some("r"), None, Some("t")])
                .unwrap()
                .expired
        );
        assert_eq!(lock_row(&[None, None, None, None]), None);
    }
}
