//! The database boundary: what the engine needs from a database, named
//! after what it does (ensure the tables, lock, read what is applied, run a
//! step, record), with everything backend-specific behind it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::foreign::ForeignRows;
use super::lock_row::{Claim, Claimant};
use super::schema::Snapshot;
use crate::record::progress::ProgressEntry;
use crate::record::{AppliedRevision, Direction, LogEntry, Operator, RecordChange};
use crate::sql::lexer::Dialect;
use crate::sql::split::Statement;
use crate::timeout::{Timeouts, Which};

/// One revision's SQL to run in one direction, with the bookkeeping that
/// goes with it.
#[derive(Debug, Clone)]
pub struct Step<'a> {
    pub revision: &'a str,
    pub direction: Direction,
    /// The file's normalized text, run as written.
    pub sql: &'a str,
    pub path: &'a Path,
    /// False for `Transaction: off`: the SQL runs outside a transaction and
    /// the record is written right after it succeeds.
    pub transactional: bool,
    /// The database's own lock and statement timeouts for this step (its
    /// header's `Lock-Timeout` / `Statement-Timeout`, else the defaults);
    /// `None` leaves the database's setting alone. A backend applies them
    /// to this step only, so that they cannot outlast it, and, when one
    /// fires, names it with [`Timeouts::explain`].
    pub timeouts: Timeouts,
    pub record: RecordChange,
    /// For a step that runs statement by statement
    /// ([`Database::runs_by_statement`]): the index of the first statement
    /// to run, those before it being done already (a resume); 0 for a
    /// run from the start.
    pub resume_at: usize,
}

/// How a step failed, in terms the engine turns into a message with file,
/// line and column.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SqlFailure {
    pub message: String,
    /// PostgreSQL's SQLSTATE, or SQLite's extended result code name.
    pub code: Option<String>,
    pub detail: Option<String>,
    pub hint: Option<String>,
    /// Byte offset into `Step::sql` of the failing statement or the error
    /// position the server gave.
    pub offset: Option<usize>,
    /// Whether the file is to blame, or the database.
    pub fault: Fault,
}

/// Whose fault a failed step is, which decides what the user is told to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fault {
    /// The revision's SQL: fix the file.
    #[default]
    Revision,
    /// The database, whatever the SQL: it is read-only, full, failing to
    /// read or write, busy, or the connection to it was lost. The
    /// failure's hint says what to do.
    Database,
}

impl SqlFailure {
    /// This failure, told as the step's own timeout `which` stopping it:
    /// what the database said, named as the timeout in force (header or
    /// default), with what to do. A lock timeout is the database's fault:
    /// another session held the lock, and the same file runs once it lets
    /// go. A statement timeout is the file's: its statement takes longer
    /// than the file (or its default) allows, so the statement or the
    /// timeout is to change.
    pub fn timed_out(self, which: Which, timeouts: &Timeouts) -> SqlFailure {
        let (message, hint) = timeouts.explain(which, &self.message);
        SqlFailure {
            message,
            hint: Some(hint),
            fault: match which {
                Which::Lock => Fault::Database,
                Which::Statement => Fault::Revision,
            },
            ..self
        }
    }

    /// A transactional step whose SQL ended the transaction it runs in,
    /// with a `COMMIT`, `ROLLBACK` or `END` that the folder check did not
    /// see: the backend found the transaction gone before recording it.
    pub fn transaction_ended() -> SqlFailure {
        let message = "its SQL ended the transaction it runs in \
                       (a COMMIT, END, ROLLBACK or ABORT), so it was not recorded";
        SqlFailure {
            message: message.into(),
            hint: Some(
                "remove the transaction control from the file, or run the revision without a \
                 transaction (`-- Transaction: off` in its header); what ran before that statement \
                 may have been committed or rolled back: check the database before running it again"
                    .into(),
            ),
            ..SqlFailure::default()
        }
    }
}

/// Errors of the database layer. Each names the database (password
/// redacted) or the revision it is about.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot connect to {location}: {message}")]
    Connect {
        location: String,
        message: String,
        hint: Option<String>,
    },
    /// The server is not up yet: it refused the connection, its socket is
    /// not there, or it is starting up. What `--wait` waits on.
    #[error("cannot connect to {location}: {message}")]
    NotReady {
        location: String,
        message: String,
        hint: Option<String>,
    },
    #[error("revision {revision}: {}", failure.message)]
    Sql {
        revision: String,
        path: PathBuf,
        failure: Box<SqlFailure>,
    },
    #[error("timed out after {waited:?} waiting for the migration lock on {location}{}", holder.as_ref().map(|h| format!(", held by {h}")).unwrap_or_default())]
    LockTimeout {
        location: String,
        waited: Duration,
        holder: Option<String>,
    },
    /// A scratch database could not be made or removed.
    #[error("scratch database on {location}: {message}")]
    Scratch { location: String, message: String },
    /// The run lock cannot be taken, or was lost, for a reason the user
    /// must act on (a pooler in the way of a session lock, a lock taken
    /// over); `hint` says what to do.
    #[error("{location}: {message}")]
    Lock {
        location: String,
        message: String,
        hint: String,
    },
    #[error("{location}: {message}")]
    Other { location: String, message: String },
}

/// Options every backend understands.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// Where the database has schemas (PostgreSQL): the one that holds the
    /// bookkeeping tables.
    pub schema: Option<String>,
    /// How long a read waits for a run that keeps it from reading (`None`:
    /// for ever). Commands that only read take no lock; a backend whose
    /// readers can find the database locked by a run (SQLite) waits for
    /// that run to end.
    pub lock_timeout: Option<Duration>,
    /// Told, once, that a read waits for a run: the holder when known, and
    /// `lock_timeout`.
    pub lock_notice: Option<LockWaitNotice>,
    /// Run the revisions in `schema` too, not only keep the bookkeeping
    /// there: it becomes the session's current schema (PostgreSQL's
    /// `search_path`), so that their unqualified names land in it. What a
    /// fleet of tenant schemas needs. A backend without schemas refuses it.
    pub run_in_schema: bool,
    /// `--wait`: how long to keep connecting while the server is not up
    /// yet ([`DbError::NotReady`]); `None` tries once.
    pub wait: Option<Duration>,
    /// Told when such a wait starts and when it ends.
    pub wait_notice: Option<ConnectWaitNotice>,
}

/// What a wait for a server that is not up yet is at.
#[derive(Debug, Clone, Copy)]
pub enum ConnectWait<'a> {
    /// The first attempt failed because the server is not up: the reason,
    /// and how long it will be waited for.
    Waiting {
        location: &'a str,
        reason: &'a str,
        limit: Duration,
    },
    /// Connected after waiting this long.
    Ready { location: &'a str, waited: Duration },
}

/// Hears about a wait for a server (the CLI says it on stderr).
pub type ConnectWaitNotice = fn(ConnectWait<'_>);

/// Says that a command waits for the run lock of another run.
pub type LockWaitNotice = fn(holder: Option<&str>, timeout: Option<Duration>);

/// What the engine needs from a database. One implementation per engine.
///
/// `Send`, so that a connection can be opened on one thread while another
/// reads the versions folder.
pub trait Database: Send {
    /// Where this database is, for messages; never contains a password.
    fn location(&self) -> &str;

    /// False for a database that does not exist yet (a database file never
    /// written): it reads as one with nothing in it, and nothing creates it
    /// until the first write. A database behind a server exists once
    /// connected to.
    fn exists(&mut self) -> Result<bool, DbError> {
        Ok(true)
    }

    /// Whether the bookkeeping tables of the history exist
    /// (`migrator_revisions` and `migrator_log`; `migrator_progress` may
    /// not yet). Read-only commands use this instead of creating them.
    fn has_tables(&mut self) -> Result<bool, DbError>;

    /// Creates the bookkeeping tables when missing: `migrator_revisions`,
    /// `migrator_log` and `migrator_progress` (a database made by an older
    /// migrator has only the first two).
    fn ensure_tables(&mut self) -> Result<(), DbError>;

    /// Takes the lock that keeps two migrator runs apart, for the rest of
    /// the session. Calls `waiting` once, with a description of the holder
    /// when known, before it starts to wait. `None` waits for ever.
    fn lock(
        &mut self,
        timeout: Option<Duration>,
        waiting: &mut dyn FnMut(Option<&str>),
    ) -> Result<(), DbError>;

    /// Whether another process holds the run lock now, and then who, as
    /// `lock` would name it to a waiter (`pid N (user@host)`; empty when
    /// unknown), without waiting for it. For `status`.
    fn lock_holder(&mut self) -> Result<Option<String>, DbError> {
        Ok(None)
    }

    /// Releases the lock taken by [`Database::lock`].
    fn unlock(&mut self) -> Result<(), DbError>;

    /// A connection of its own to the table of `lock = "table"`, for a
    /// [`TableLock`](super::run_lock::TableLock) to take, keep alive and
    /// release its row on; `None` when no other process can reach this
    /// database (SQLite's `:memory:`), so no lock is needed. By default
    /// the backend has no table lock, and says so.
    fn lock_table(&mut self) -> Result<Option<Box<dyn LockTable>>, DbError> {
        Err(DbError::Lock {
            location: self.location().to_string(),
            message: "this database has no table lock (lock = \"table\")".into(),
            hint: "use lock = \"session\" (--lock session)".into(),
        })
    }

    /// The applied revisions, oldest first.
    fn applied(&mut self) -> Result<Vec<AppliedRevision>, DbError>;

    /// The applied revisions, or `None` when the bookkeeping tables do not
    /// exist yet. Backends where a round trip counts answer in one.
    fn applied_if_initialized(&mut self) -> Result<Option<Vec<AppliedRevision>>, DbError> {
        if self.has_tables()? {
            self.applied().map(Some)
        } else {
            Ok(None)
        }
    }

    /// The log, oldest first.
    fn log(&mut self) -> Result<Vec<LogEntry>, DbError>;

    /// Runs a step's SQL and its bookkeeping in one transaction. On
    /// failure nothing of the step is recorded. The engine calls it for
    /// the steps that do not run statement by statement.
    fn run_step(&mut self, step: &Step<'_>, operator: &Operator) -> Result<Duration, DbError>;

    // A step that cannot run in one transaction runs statement by
    // statement, driven by the engine (`engine::resume` decides where it
    // starts and when progress is written): `run_statement` for each
    // statement, `record_progress` whenever statements became done for
    // good, `finish_step` at the end. `migrator_progress` (created by
    // `ensure_tables`) keeps what is done, so that a failed or killed run
    // resumes where it stopped.

    /// How the server reads SQL: the engine cuts a step that runs
    /// statement by statement into statements in this dialect.
    fn dialect(&self) -> Dialect;

    /// Whether `step` runs statement by statement (with
    /// [`Database::run_statement`], [`Database::record_progress`] and
    /// [`Database::finish_step`]) rather than in one transaction with
    /// [`Database::run_step`]: by default, `Transaction: off` steps. A
    /// database whose DDL commits by itself says so of every step that
    /// holds DDL.
    fn runs_by_statement(&self, step: &Step<'_>) -> bool {
        !step.transactional
    }

    /// Whether `statement`, which is not transaction control, commits the
    /// transaction open before it, and itself, as MySQL's DDL does: the
    /// statements before it are then done for good, even inside a
    /// `BEGIN … COMMIT` of the file's own, and progress is recorded after
    /// it. No such statement by default.
    fn commits_by_itself(&self, _statement: &str) -> bool {
        false
    }

    /// Runs one statement of `step` on its own: in autocommit, or inside
    /// the transaction the file itself opened with an earlier statement.
    /// On failure, a [`DbError::Sql`] whose `offset` is into `step.sql`
    /// (`statement.offset` when the server says nothing more precise); a
    /// transaction of the file's own that is left open is rolled back, so
    /// the session stays usable.
    fn run_statement(&mut self, step: &Step<'_>, statement: &Statement<'_>) -> Result<(), DbError>;

    /// Writes rows of `migrator_progress` durably, in one transaction of
    /// their own and one round trip: each replaces the row of the same
    /// revision, direction and statement, and a row with an error also
    /// replaces the failure recorded earlier for that revision and
    /// direction. `at` is the database's clock, `os_user` the operator's.
    fn record_progress(
        &mut self,
        entries: &[ProgressEntry],
        operator: &Operator,
    ) -> Result<(), DbError>;

    /// Every row of `migrator_progress`, by revision, direction and
    /// statement; none when the table does not exist (yet).
    fn progress(&mut self) -> Result<Vec<ProgressEntry>, DbError>;

    /// Records a step that ran statement by statement: its record and log
    /// row (with `elapsed` as its duration) and the removal of its
    /// `migrator_progress` rows, in one transaction.
    fn finish_step(
        &mut self,
        step: &Step<'_>,
        operator: &Operator,
        elapsed: Duration,
    ) -> Result<(), DbError>;

    /// What the server said while the last step ran, besides its answer
    /// (PostgreSQL's `NOTICE`, `WARNING` and `INFO` messages), oldest
    /// first, each once. Backends without such messages say nothing.
    fn notices(&mut self) -> Vec<String> {
        Vec::new()
    }

    /// Changes records without running any SQL of the user's (stamp,
    /// repair), all in one transaction.
    fn record(&mut self, changes: &[RecordChange], operator: &Operator) -> Result<(), DbError>;

    /// The rows of a table another migration tool keeps (`import` reads
    /// `goose_db_version`, `flyway_schema_history`, …): `columns` as text,
    /// in no particular order; `None` when no table of that name is
    /// visible (on PostgreSQL: on the search path, where the tool finds
    /// it), or the database does not exist. Reads only.
    fn foreign_table(
        &mut self,
        table: &str,
        columns: &[&str],
    ) -> Result<Option<ForeignRows>, DbError>;

    /// Points this session at another schema of the same database (the
    /// next tenant of a fleet), between runs: the bookkeeping tables and
    /// the run lock follow it, and with `run_in_schema` the revisions too.
    /// False when the backend cannot, and nothing changed: the caller
    /// opens a new connection instead.
    fn switch_schema(&mut self, schema: &str) -> Result<bool, DbError> {
        let _ = schema;
        Ok(false)
    }

    /// The first column of every row `query` returns, as text, NULLs left
    /// out: the targets of a fleet's `targets_query` (schema names or
    /// URLs). The query is the user's; it runs read-only where the backend
    /// can say so.
    fn query_targets(&mut self, query: &str) -> Result<Vec<String>, DbError> {
        let _ = query;
        Err(DbError::Other {
            location: self.location().to_owned(),
            message: "this backend cannot run a targets_query yet".into(),
        })
    }

    /// The user's schema, without the bookkeeping tables: tables, columns,
    /// indexes, constraints, views, functions, sequences, triggers. What
    /// `verify --roundtrip` compares before an up and after its down.
    fn schema_snapshot(&mut self) -> Result<Snapshot, DbError>;

    /// As [`Database::schema_snapshot`], but its
    /// [`Snapshot::definitions`] may be left out: what the roundtrip takes
    /// after every step, and compares by its lines only. A backend whose
    /// definitions cost queries of their own skips them here.
    fn schema_for_comparison(&mut self) -> Result<Snapshot, DbError> {
        self.schema_snapshot()
    }

    /// The SQL a run would send for this step, bookkeeping included, for
    /// `--sql`: `run_step`'s; or, for a step that runs statement by
    /// statement, its statements from `resume_at`, with the progress rows
    /// where `engine::resume::script` writes them, and `finish_step`'s.
    fn render_step(&self, step: &Step<'_>, operator: &Operator) -> String;

    /// The SQL that creates the bookkeeping tables, for `--sql` on a fresh
    /// database.
    fn render_ensure_tables(&self) -> String;
}

/// The statements of a table lock, each one short transaction of its own,
/// on a connection of the lock's own (opened by [`Database::lock_table`]).
/// What a backend implements for `lock = "table"`;
/// [`TableLock`](super::run_lock::TableLock) runs the protocol.
pub trait LockTable: Send {
    /// Creates `migrator_lock` (and its schema) when missing. Safe when
    /// several runs do it at once.
    fn ensure(&mut self) -> Result<(), DbError>;

    /// Inserts the row for `claimant`, expiring `expiry` from now by the
    /// database's clock, or takes over a row whose expiry passed.
    fn claim(&mut self, claimant: &Claimant, expiry: Duration) -> Result<Claim, DbError>;

    /// Moves the expiry of `run_id`'s row to `expiry` from now; false when
    /// the row is no longer that run's.
    fn refresh(&mut self, run_id: &str, expiry: Duration) -> Result<bool, DbError>;

    /// Deletes `run_id`'s row, if it is still that run's.
    fn release(&mut self, run_id: &str) -> Result<(), DbError>;
}

/// A database made for one use, `verify --roundtrip`: empty when made, and
/// removed (a temporary file deleted, a temporary database dropped) by
/// [`Scratch::remove`], or failing that when dropped.
pub struct Scratch {
    database: Option<Box<dyn Database>>,
    remove: Option<Remove>,
}

type Remove = Box<dyn FnOnce() -> Result<(), DbError> + Send>;

impl Scratch {
    /// A scratch `database`, which `remove` deletes once the connection is
    /// closed.
    pub fn new(
        database: Box<dyn Database>,
        remove: impl FnOnce() -> Result<(), DbError> + Send + 'static,
    ) -> Scratch {
        Scratch {
            database: Some(database),
            remove: Some(Box::new(remove)),
        }
    }

    /// The database, to run the roundtrip on.
    pub fn database(&mut self) -> &mut dyn Database {
        self.database
            .as_deref_mut()
            .expect("a scratch database is open until it is removed")
    }

    /// Closes the connection and removes the database, saying whether that
    /// worked.
    pub fn remove(mut self) -> Result<(), DbError> {
        self.close_and_remove()
    }

    fn close_and_remove(&mut self) -> Result<(), DbError> {
        // The connection goes first: a server refuses to drop a database
        // that a session is still connected to.
        drop(self.database.take());
        match self.remove.take() {
            Some(remove) => remove(),
            None => Ok(()),
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // Unwinding or an early return: nobody is left to tell.
        let _ = self.close_and_remove();
    }
}
