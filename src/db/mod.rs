//! The database boundary: what the engine needs from a database, named after
//! what it does (ensure the tables, lock, read what is applied, run a step,
//! record), with everything engine-specific behind it.

mod lock_file;
pub mod postgres;
pub mod sqlite;
pub mod url;

use std::path::PathBuf;
use std::time::Duration;

pub use url::DatabaseUrl;

pub use crate::plan::Direction;

/// An event of the `migrator_log` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Event {
    Upgrade,
    Downgrade,
    Stamp,
    Repair,
}

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Upgrade => "upgrade",
            Event::Downgrade => "downgrade",
            Event::Stamp => "stamp",
            Event::Repair => "repair",
        }
    }

    pub fn parse(text: &str) -> Option<Event> {
        match text {
            "upgrade" => Some(Event::Upgrade),
            "downgrade" => Some(Event::Downgrade),
            "stamp" => Some(Event::Stamp),
            "repair" => Some(Event::Repair),
            _ => None,
        }
    }
}

/// What is recorded for a revision when it becomes applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionRecord {
    pub id: String,
    pub parents: Vec<String>,
    pub up_checksum: String,
    pub down_checksum: String,
    /// The text that ran (or, for stamp, the text of the files at the time).
    pub up_sql: String,
    pub down_sql: String,
}

/// One change of the bookkeeping, always paired with one `migrator_log` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordChange {
    /// The revision becomes applied (upgrade, stamp).
    Insert {
        event: Event,
        record: RevisionRecord,
    },
    /// The revision is no longer applied (downgrade, stamp).
    Delete {
        event: Event,
        id: String,
        checksum: String,
    },
    /// New checksums after a reviewed edit (repair).
    Update {
        event: Event,
        record: RevisionRecord,
    },
}

impl RecordChange {
    pub fn revision(&self) -> &str {
        match self {
            RecordChange::Insert { record, .. } | RecordChange::Update { record, .. } => &record.id,
            RecordChange::Delete { id, .. } => id,
        }
    }
}

/// Who runs migrator, as recorded in the bookkeeping: the database user is
/// the backend's to find; this is the operating-system side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    /// `user@host`.
    pub os_user: String,
    /// A note for the log row, e.g. `--allow-drift`.
    pub note: Option<String>,
}

/// One revision's SQL to run in one direction, with the bookkeeping that
/// goes with it.
#[derive(Debug, Clone)]
pub struct Step<'a> {
    pub revision: &'a str,
    pub direction: Direction,
    /// The file's normalized text, run as written.
    pub sql: &'a str,
    pub path: &'a std::path::Path,
    /// False for `Transaction: off`: the SQL runs outside a transaction and
    /// the record is written right after it succeeds.
    pub transactional: bool,
    pub record: RecordChange,
}

/// A revision recorded as applied.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AppliedRevision {
    pub id: String,
    pub parents: Vec<String>,
    pub up_checksum: String,
    pub down_checksum: String,
    pub up_sql: Option<String>,
    pub down_sql: Option<String>,
    /// UTC, `YYYY-MM-DD HH:MM:SS.mmm`.
    pub applied_at: String,
    pub db_user: String,
    pub os_user: String,
    pub execution_ms: i64,
}

/// One row of `migrator_log`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LogEntry {
    pub seq: i64,
    pub event: String,
    pub revision: String,
    /// UTC, `YYYY-MM-DD HH:MM:SS.mmm`.
    pub at: String,
    pub db_user: String,
    pub os_user: String,
    pub duration_ms: Option<i64>,
    pub checksum: Option<String>,
    pub note: Option<String>,
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
    /// For `Transaction: off` steps: how many statements completed before
    /// the failure (they stay done; nothing is recorded).
    pub statements_done: Option<usize>,
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
    #[error("{location}: {message}")]
    Other { location: String, message: String },
}

/// Options every backend understands.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// PostgreSQL: the schema that holds the bookkeeping tables.
    pub schema: Option<String>,
    /// How long a read waits for a run that keeps it from reading (`None`:
    /// for ever). Commands that only read take no lock; see
    /// [`sqlite::SqliteDatabase`] for when they wait.
    pub lock_timeout: Option<Duration>,
    /// Told, once, that a read waits for a run: the holder when known, and
    /// `lock_timeout`.
    pub lock_notice: Option<LockWaitNotice>,
}

/// Says that a command waits for the run lock of another run.
pub type LockWaitNotice = fn(holder: Option<&str>, timeout: Option<Duration>);

/// What the engine needs from a database. One implementation per engine.
///
/// `Send`, so that a connection can be opened on one thread while another
/// reads the versions folder.
pub trait Database: Send {
    /// Where this database is, for messages; never contains a password.
    fn location(&self) -> &str;

    /// Whether the bookkeeping tables exist. Read-only commands use this
    /// instead of creating them.
    fn has_tables(&mut self) -> Result<bool, DbError>;

    /// Creates the bookkeeping tables when missing.
    fn ensure_tables(&mut self) -> Result<(), DbError>;

    /// Takes the lock that keeps two migrator runs apart, for the rest of
    /// the session. Calls `waiting` once, with a description of the holder
    /// when known, before it starts to wait. `None` waits for ever.
    fn lock(
        &mut self,
        timeout: Option<Duration>,
        waiting: &mut dyn FnMut(Option<&str>),
    ) -> Result<(), DbError>;

    /// Releases the lock taken by [`Database::lock`].
    fn unlock(&mut self) -> Result<(), DbError>;

    /// Whether another process holds the run lock now, and then who, as
    /// `lock` would name it to a waiter (empty when unknown). For `status`.
    fn run_in_progress(&mut self) -> Result<Option<String>, DbError> {
        Ok(None)
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

    /// Runs a step's SQL and its bookkeeping, atomically when the step is
    /// transactional. On failure nothing of the step is recorded.
    fn run_step(&mut self, step: &Step<'_>, operator: &Operator) -> Result<Duration, DbError>;

    /// Changes records without running any SQL of the user's (stamp,
    /// repair), all in one transaction.
    fn record(&mut self, changes: &[RecordChange], operator: &Operator) -> Result<(), DbError>;

    /// The user's schema, without the bookkeeping tables: tables, columns,
    /// indexes, constraints, views, functions, sequences, triggers. What
    /// `verify --roundtrip` compares before an up and after its down.
    fn schema_snapshot(&mut self) -> Result<crate::schema::Snapshot, DbError>;

    /// The SQL `run_step` would send for this step, bookkeeping included, for
    /// `--sql`.
    fn render_step(&self, step: &Step<'_>, operator: &Operator) -> String;
}

/// Opens the database a URL names.
pub fn connect(url: &DatabaseUrl, options: &ConnectOptions) -> Result<Box<dyn Database>, DbError> {
    match url {
        DatabaseUrl::Sqlite { .. } => Ok(Box::new(sqlite::SqliteDatabase::open(url, options)?)),
        DatabaseUrl::Postgres { .. } => {
            Ok(Box::new(postgres::PostgresDatabase::connect(url, options)?))
        }
    }
}
