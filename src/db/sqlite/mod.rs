//! SQLite backend, the embedded default: rusqlite with the bundled SQLite,
//! so nothing has to be installed.
//!
//! - [`lock`]: the file, opened when first needed; reads that wait for a
//!   run; the run lock, on a file beside the database ([`lock_file`]).
//! - [`lock_table`]: `lock = "table"`: the run lock as a row in the file.
//! - [`sql`]: the SQL around a step, pure; the same text runs and prints.
//! - [`bookkeeping`]: a change's rows, bound when they run, quoted when
//!   they print.
//! - [`fault`]: result codes by name, and the failures that are the
//!   database's rather than the revision's.
//! - [`introspect`]: the user's schema, for `verify --roundtrip`.

mod bookkeeping;
mod fault;
mod introspect;
mod lock;
mod lock_file;
mod lock_table;
mod session;
mod sql;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rusqlite::fallible_iterator::FallibleIterator;
use rusqlite::{Batch, Connection};

use crate::db::backend::Backend;
use crate::db::database::LockTable;
use crate::db::database::{ConnectOptions, Database, DbError, Fault, Scratch, SqlFailure, Step};
use crate::db::foreign::{ForeignRows, select as select_foreign};
use crate::db::schema::Snapshot;
use crate::record::progress::ProgressEntry;
use crate::record::{AppliedRevision, Direction, LogEntry, Operator, RecordChange};
use crate::sql::lexer::Dialect;
use crate::sql::split::Statement;
use crate::sql::text::skip_trivia;
use lock::{DatabaseFile, other};
use session::{Baseline, StepLimits};

/// The SQLite backend, as the registry lists it.
pub static BACKEND: Sqlite = Sqlite;

/// SQLite: `sqlite:PATH`, `sqlite://PATH`, `sqlite::memory:`.
pub struct Sqlite;

impl Backend for Sqlite {
    fn name(&self) -> &'static str {
        "SQLite"
    }

    fn forms(&self) -> &'static [&'static str] {
        &["sqlite:PATH", "sqlite::memory:"]
    }

    fn example(&self) -> &'static str {
        "sqlite:migrator.db"
    }

    fn check(&self, url: &str) -> Result<(), String> {
        path_of(url).map(|_| ())
    }

    fn open(&self, url: &str, options: &ConnectOptions) -> Result<Box<dyn Database>, DbError> {
        let path = path_of(url).map_err(|message| DbError::Connect {
            location: crate::db::url::redact(url),
            message,
            hint: None,
        })?;
        if options.run_in_schema {
            return Err(DbError::Connect {
                location: crate::db::url::redact(url),
                message: "SQLite has no schemas to run revisions in".into(),
                hint: Some("a fleet of `schemas` needs a server with schemas (PostgreSQL); list SQLite files in `targets`".into()),
            });
        }
        Ok(Box::new(SqliteDatabase::open(
            path,
            crate::db::url::redact(url),
            options,
        )))
    }

    fn scratch(&self, _url: &str, options: &ConnectOptions) -> Result<Scratch, DbError> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!("migrator-scratch-{}-{nanos}.db", std::process::id());
        let path = std::env::temp_dir().join(name);
        let location = format!("sqlite:{}", path.display());
        let database = SqliteDatabase::open(Some(path.clone()), location.clone(), options);
        Ok(Scratch::new(Box::new(database), move || {
            // With the files SQLite and migrator keep beside it.
            for suffix in ["", "-journal", "-wal", "-shm", ".lock"] {
                let mut name = path.as_os_str().to_owned();
                name.push(suffix);
                match std::fs::remove_file(PathBuf::from(name)) {
                    Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                        return Err(DbError::Scratch {
                            location: location.clone(),
                            message: format!("cannot remove it: {error}"),
                        });
                    }
                    _ => {}
                }
            }
            Ok(())
        }))
    }
}

/// The file a `sqlite:` URL names, `None` for `sqlite::memory:`. A query
/// (`?mode=rwc`) is ignored.
fn path_of(url: &str) -> Result<Option<PathBuf>, String> {
    let rest = &url[url.find(':').map_or(0, |colon| colon + 1)..];
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let rest = rest.split_once('?').map_or(rest, |(path, _query)| path);
    match rest {
        ":memory:" => Ok(None),
        "" => Err("no file name after `sqlite:`".into()),
        path => Ok(Some(PathBuf::from(path))),
    }
}

/// A SQLite database file (or `sqlite::memory:`).
pub struct SqliteDatabase {
    file: DatabaseFile,
    /// The connection's settings before the first revision ran on it,
    /// put back after each one ([`session`]).
    baseline: Option<Baseline>,
}

impl SqliteDatabase {
    /// The database at `path`; nothing is opened or created until a
    /// read finds the file, or the first write.
    pub fn open(
        path: Option<PathBuf>,
        location: String,
        options: &ConnectOptions,
    ) -> SqliteDatabase {
        SqliteDatabase {
            file: DatabaseFile::open(path, location, options),
            baseline: None,
        }
    }

    /// The connection's settings before the first revision ran on it,
    /// read then.
    fn baseline(&mut self) -> Result<Baseline, DbError> {
        if let Some(baseline) = &self.baseline {
            return Ok(baseline.clone());
        }
        let location = self.file.location().to_string();
        let baseline = Baseline::read(self.writer()?).map_err(|e| other(&location, e))?;
        Ok(self.baseline.insert(baseline).clone())
    }

    fn writer(&mut self) -> Result<&Connection, DbError> {
        self.file.writer()
    }

    fn exec(&mut self, sql: &str) -> Result<(), DbError> {
        let location = self.file.location().to_string();
        self.writer()?
            .execute_batch(sql)
            .map_err(|e| other(&location, e))
    }

    /// Rows of a query, or none while the file does not exist; waits for
    /// a run that keeps the database locked.
    fn query<T>(
        &mut self,
        sql: &str,
        row: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, DbError> {
        let read = self
            .file
            .read(|conn| conn.prepare(sql)?.query_map([], &row)?.collect())?;
        Ok(read.unwrap_or_default())
    }
}

fn rollback(conn: &Connection) {
    // Nothing to report: the error that led here is the one that matters.
    let _ = conn.execute_batch("ROLLBACK");
}

/// Runs a transactional step's statements one by one, as SQLite's own
/// parser cuts them. It fails at the statement that ends its transaction
/// (a COMMIT or ROLLBACK the folder check did not see), before anything
/// runs outside it.
fn run_statements(
    conn: &Connection,
    step: &Step<'_>,
    limits: Option<&StepLimits<'_>>,
) -> Result<(), Box<SqlFailure>> {
    let sql = step.sql;
    // SQLite copies the text it is asked to prepare unless that text ends
    // in a NUL: given the file as it is, each statement's prepare copied
    // the rest of the file (time quadratic in its size). With the NUL,
    // SQLite reads the one buffer in place; offsets below `sql.len()` are
    // the same in both.
    let mut terminated = String::with_capacity(sql.len() + 1);
    terminated.push_str(sql);
    terminated.push('\0');
    let mut batch = Batch::new(conn, &terminated);
    let mut cursor = 0;
    loop {
        if let Some(limits) = limits {
            limits.restart();
        }
        let next = match batch.next() {
            Ok(next) => next,
            Err(error) => {
                let offset = match &error {
                    rusqlite::Error::SqlInputError {
                        sql: rest, offset, ..
                    } => terminated.len() - rest.len() + usize::try_from(*offset).unwrap_or(0),
                    _ => skip_trivia(sql, cursor, Dialect::Sqlite),
                };
                return Err(failure(&error, Some(offset)));
            }
        };
        let Some(mut statement) = next else {
            return Ok(());
        };
        let start = statement
            .expanded_sql()
            .and_then(|text| sql[cursor..].find(&text).map(|i| (cursor + i, text.len())));
        let offset = match start {
            Some((at, len)) => {
                cursor = at + len;
                skip_trivia(sql, at, Dialect::Sqlite)
            }
            None => skip_trivia(sql, cursor, Dialect::Sqlite),
        };
        // Step once, as the sqlite3 shell does: a statement that
        // returns rows (a PRAGMA, a SELECT) still runs.
        let mut rows = statement.raw_query();
        if let Err(error) = rows.next() {
            return Err(failure(&error, Some(offset)));
        }
        if conn.is_autocommit() {
            return Err(Box::new(SqlFailure {
                offset: Some(offset),
                ..SqlFailure::transaction_ended()
            }));
        }
    }
}

/// Runs one statement of a step that runs statement by statement, stepped
/// once as the sqlite3 shell does (a PRAGMA or SELECT that returns rows
/// still runs). `offset` is the statement's in the file.
fn run_statement(conn: &Connection, text: &str, offset: usize) -> Result<(), Box<SqlFailure>> {
    // See `run_statements` for the NUL.
    let mut terminated = String::with_capacity(text.len() + 1);
    terminated.push_str(text);
    terminated.push('\0');
    let at = |error: &rusqlite::Error| match error {
        rusqlite::Error::SqlInputError { offset: at, .. } => {
            offset + usize::try_from(*at).unwrap_or(0).min(text.len())
        }
        _ => offset,
    };
    let mut statement = conn
        .prepare(&terminated)
        .map_err(|error| failure(&error, Some(at(&error))))?;
    let mut rows = statement.raw_query();
    match rows.next() {
        Ok(_) => Ok(()),
        Err(error) => Err(failure(&error, Some(at(&error)))),
    }
}

fn failure(error: &rusqlite::Error, offset: Option<usize>) -> Box<SqlFailure> {
    let (message, code) = match error {
        rusqlite::Error::SqliteFailure(e, msg) => {
            (msg.clone().unwrap_or_else(|| e.to_string()), Some(e))
        }
        rusqlite::Error::SqlInputError { error, msg, .. } => (msg.clone(), Some(error)),
        other => (other.to_string(), None),
    };
    let hint = code.and_then(fault::database_fault);
    Box::new(SqlFailure {
        message,
        code: code.map(|e| fault::code_name(e).to_string()),
        detail: None,
        hint: hint.map(String::from),
        offset,
        fault: if hint.is_some() {
            Fault::Database
        } else {
            Fault::Revision
        },
    })
}

/// Writes the bookkeeping of `changes` (and `then`) and commits, after
/// `begin` when the transaction is not open yet.
fn write_records(
    conn: &Connection,
    begin: Option<&str>,
    changes: &[RecordChange],
    operator: &Operator,
    duration_ms: i64,
    then: &[bookkeeping::Statement<'_>],
) -> rusqlite::Result<()> {
    if let Some(begin) = begin {
        conn.execute_batch(begin)?;
    }
    for change in changes {
        for statement in bookkeeping::statements(change, operator, duration_ms) {
            statement.execute(conn)?;
        }
    }
    for statement in then {
        statement.execute(conn)?;
    }
    conn.execute_batch(sql::COMMIT)
}

impl Database for SqliteDatabase {
    fn location(&self) -> &str {
        self.file.location()
    }

    fn exists(&mut self) -> Result<bool, DbError> {
        Ok(self.file.exists())
    }

    fn has_tables(&mut self) -> Result<bool, DbError> {
        let counts = self.query(sql::COUNT_TABLES, |row| row.get::<_, i64>(0))?;
        Ok(counts.first() == Some(&2))
    }

    fn ensure_tables(&mut self) -> Result<(), DbError> {
        self.exec(sql::CREATE_TABLES)
    }

    fn lock(
        &mut self,
        timeout: Option<Duration>,
        waiting: &mut dyn FnMut(Option<&str>),
    ) -> Result<(), DbError> {
        self.file.lock(timeout, waiting)
    }

    fn unlock(&mut self) -> Result<(), DbError> {
        self.file.unlock()
    }

    /// A connection of its own to the file; none for `:memory:`, which no
    /// other connection reaches.
    fn lock_table(&mut self) -> Result<Option<Box<dyn LockTable>>, DbError> {
        let Some(path) = self.file.path().cloned() else {
            return Ok(None);
        };
        self.file.patient_writer()?;
        Ok(Some(Box::new(lock_table::SqliteLockTable::open(
            &path,
            self.file.location(),
        )?)))
    }

    /// The holder of the lock file, else of a live lock row.
    fn lock_holder(&mut self) -> Result<Option<String>, DbError> {
        if let Some(holder) = self.file.lock_holder()? {
            return Ok(Some(holder));
        }
        let row = self.file.read(lock_table::read)?.flatten();
        Ok(row.filter(|row| !row.expired).map(|row| row.describe()))
    }

    fn applied(&mut self) -> Result<Vec<AppliedRevision>, DbError> {
        self.query(sql::SELECT_APPLIED, |row| {
            let parents: String = row.get(1)?;
            Ok(AppliedRevision {
                id: row.get(0)?,
                parents: crate::record::split_parents(&parents),
                up_checksum: row.get(2)?,
                down_checksum: row.get(3)?,
                up_sql: row.get(4)?,
                down_sql: row.get(5)?,
                applied_at: row.get(6)?,
                db_user: row.get(7)?,
                os_user: row.get(8)?,
                execution_ms: row.get(9)?,
            })
        })
    }

    fn log(&mut self) -> Result<Vec<LogEntry>, DbError> {
        self.query(sql::SELECT_LOG, |row| {
            Ok(LogEntry {
                seq: row.get(0)?,
                event: row.get(1)?,
                revision: row.get(2)?,
                at: row.get(3)?,
                db_user: row.get(4)?,
                os_user: row.get(5)?,
                duration_ms: row.get(6)?,
                checksum: row.get(7)?,
                note: row.get(8)?,
            })
        })
    }

    fn run_step(&mut self, step: &Step<'_>, operator: &Operator) -> Result<Duration, DbError> {
        let sql_error = |failure| DbError::Sql {
            revision: step.revision.to_string(),
            path: step.path.to_path_buf(),
            failure,
        };
        let start = Instant::now();
        let location = self.file.location().to_string();
        let baseline = self.baseline()?;
        let conn = self.writer()?;
        let limits = StepLimits::apply(conn, step.timeouts, lock::BUSY_TIMEOUT)
            .map_err(|e| other(&location, e))?;
        // What the step's own timeouts stopped says so.
        let named = |failure: Box<SqlFailure>| match limits.fired(failure.code.as_deref()) {
            Some(which) => Box::new(failure.timed_out(which, &step.timeouts)),
            None => failure,
        };
        if let Err(error) = conn.execute_batch(sql::BEGIN) {
            // Nothing of the file ran yet: whatever failed is the database's.
            let failure = failure(&error, None);
            return Err(sql_error(named(Box::new(SqlFailure {
                fault: Fault::Database,
                ..*failure
            }))));
        }
        if let Err(failure) = run_statements(conn, step, Some(&limits)) {
            if !conn.is_autocommit() {
                rollback(conn);
            }
            let failure = named(failure);
            drop(limits);
            // Nothing to report: the failure is what matters.
            let _ = baseline.restore(conn);
            return Err(sql_error(failure));
        }
        drop(limits);
        // Before the bookkeeping, in the step's transaction.
        if session::may_change(step.sql)
            && let Err(error) = baseline.restore(conn)
        {
            rollback(conn);
            return Err(sql_error(failure(&error, None)));
        }
        let elapsed = start.elapsed();
        if let Err(error) = write_records(
            conn,
            None,
            std::slice::from_ref(&step.record),
            operator,
            elapsed.as_millis() as i64,
            &[],
        ) {
            rollback(conn);
            return Err(sql_error(failure(&error, None)));
        }
        Ok(elapsed)
    }

    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn run_statement(&mut self, step: &Step<'_>, statement: &Statement<'_>) -> Result<(), DbError> {
        let location = self.file.location().to_string();
        let baseline = self.baseline()?;
        let conn = self.writer()?;
        let limits = StepLimits::apply(conn, step.timeouts, lock::BUSY_TIMEOUT)
            .map_err(|e| other(&location, e))?;
        limits.restart();
        let ran = run_statement(conn, statement.text, statement.offset);
        let ran = ran.map_err(|failure| match limits.fired(failure.code.as_deref()) {
            Some(which) => Box::new(failure.timed_out(which, &step.timeouts)),
            None => failure,
        });
        drop(limits);
        ran.map_err(|failure| {
            // The file's own transaction, which the failure leaves open.
            if !conn.is_autocommit() {
                rollback(conn);
            }
            // Nothing to report: the failure is what matters.
            let _ = baseline.restore(conn);
            DbError::Sql {
                revision: step.revision.to_string(),
                path: step.path.to_path_buf(),
                failure,
            }
        })
    }

    fn record_progress(
        &mut self,
        entries: &[ProgressEntry],
        operator: &Operator,
    ) -> Result<(), DbError> {
        let location = self.file.location().to_string();
        let conn = self.writer()?;
        let write = || {
            conn.execute_batch(sql::BEGIN)?;
            for statement in bookkeeping::progress(entries, operator) {
                statement.execute(conn)?;
            }
            conn.execute_batch(sql::COMMIT)
        };
        write().map_err(|error| {
            rollback(conn);
            other(&location, error)
        })
    }

    fn progress(&mut self) -> Result<Vec<ProgressEntry>, DbError> {
        let read = self.file.read(|conn| {
            let mut select = match conn.prepare(sql::SELECT_PROGRESS) {
                Ok(select) => select,
                // A database of an older migrator, or none yet.
                Err(error) if error.to_string().contains("no such table") => {
                    return Ok(Vec::new());
                }
                Err(error) => return Err(error),
            };
            let rows = select.query_map([], |row| {
                let direction: String = row.get(1)?;
                Ok(ProgressEntry {
                    revision: row.get(0)?,
                    direction: Direction::parse(&direction).unwrap_or(Direction::Up),
                    statement: row.get::<_, i64>(2)? as usize,
                    line: row.get::<_, i64>(3)? as usize,
                    checksum: row.get(4)?,
                    error: row.get(5)?,
                    at: row.get(6)?,
                    os_user: row.get(7)?,
                })
            })?;
            rows.collect()
        })?;
        Ok(read.unwrap_or_default())
    }

    fn finish_step(
        &mut self,
        step: &Step<'_>,
        operator: &Operator,
        elapsed: Duration,
    ) -> Result<(), DbError> {
        let baseline = self.baseline()?;
        let conn = self.writer()?;
        // Before the bookkeeping: what the revision set ends with it.
        if session::may_change(step.sql)
            && let Err(error) = baseline.restore(conn)
        {
            return Err(DbError::Sql {
                revision: step.revision.to_string(),
                path: step.path.to_path_buf(),
                failure: failure(&error, None),
            });
        }
        write_records(
            conn,
            Some(sql::BEGIN),
            std::slice::from_ref(&step.record),
            operator,
            elapsed.as_millis() as i64,
            &[bookkeeping::clear_progress(step.revision, step.direction)],
        )
        .map_err(|error| {
            rollback(conn);
            DbError::Sql {
                revision: step.revision.to_string(),
                path: step.path.to_path_buf(),
                failure: failure(&error, None),
            }
        })
    }

    fn record(&mut self, changes: &[RecordChange], operator: &Operator) -> Result<(), DbError> {
        let location = self.file.location().to_string();
        let conn = self.writer()?;
        write_records(conn, Some(sql::BEGIN), changes, operator, 0, &[]).map_err(|e| {
            rollback(conn);
            other(&location, e)
        })
    }

    fn foreign_table(
        &mut self,
        table: &str,
        columns: &[&str],
    ) -> Result<Option<ForeignRows>, DbError> {
        // Backquotes: a double-quoted name that names no column would be
        // read as a string.
        let select = select_foreign(table, columns, '`');
        let read = self.file.read(|conn| {
            let exists: i64 = conn.query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [table],
                |row| row.get(0),
            )?;
            if exists == 0 {
                return Ok(None);
            }
            let mut statement = conn.prepare(&select)?;
            let rows = statement.query_map([], |row| {
                (0..columns.len())
                    .map(|i| {
                        use rusqlite::types::ValueRef;
                        Ok(match row.get_ref(i)? {
                            ValueRef::Null => None,
                            ValueRef::Integer(n) => Some(n.to_string()),
                            ValueRef::Real(x) => Some(x.to_string()),
                            ValueRef::Text(t) | ValueRef::Blob(t) => {
                                Some(String::from_utf8_lossy(t).into_owned())
                            }
                        })
                    })
                    .collect()
            })?;
            rows.collect::<rusqlite::Result<_>>().map(Some)
        })?;
        Ok(read.flatten())
    }

    fn query_targets(&mut self, query: &str) -> Result<Vec<String>, DbError> {
        let read = self.file.read(|conn| {
            let mut statement = conn.prepare(query)?;
            if !statement.readonly() {
                return Err(rusqlite::Error::InvalidQuery);
            }
            let rows = statement.query_map([], |row| {
                use rusqlite::types::ValueRef;
                Ok(match row.get_ref(0)? {
                    ValueRef::Null => None,
                    ValueRef::Integer(n) => Some(n.to_string()),
                    ValueRef::Real(x) => Some(x.to_string()),
                    ValueRef::Text(t) | ValueRef::Blob(t) => {
                        Some(String::from_utf8_lossy(t).into_owned())
                    }
                })
            })?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
        })?;
        Ok(read.unwrap_or_default().into_iter().flatten().collect())
    }

    fn schema_snapshot(&mut self) -> Result<Snapshot, DbError> {
        Ok(self
            .file
            .read(introspect::schema_snapshot)?
            .unwrap_or_default())
    }

    fn render_ensure_tables(&self) -> String {
        sql::create_tables()
    }

    fn render_step(&self, step: &Step<'_>, operator: &Operator) -> String {
        sql::render_step(step, operator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch_folder() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    #[test]
    fn reading_a_missing_file_finds_nothing_and_creates_nothing() {
        let folder = scratch_folder();
        let path = folder.path().join("app.db");
        let url = format!("sqlite:{}", path.display());
        let mut db = BACKEND.open(&url, &ConnectOptions::default()).unwrap();
        assert!(!db.has_tables().unwrap());
        assert_eq!(db.applied_if_initialized().unwrap(), None);
        assert!(db.applied().unwrap().is_empty());
        assert!(db.log().unwrap().is_empty());
        assert_eq!(db.schema_snapshot().unwrap(), Snapshot::default());
        assert!(
            db.render_ensure_tables()
                .contains("CREATE TABLE IF NOT EXISTS migrator_revisions")
        );
        assert!(!path.exists(), "a read created the file");
        assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 0);

        db.ensure_tables().unwrap();
        assert!(path.exists());
        assert!(db.has_tables().unwrap());
        assert_eq!(db.applied_if_initialized().unwrap(), Some(Vec::new()));
    }

    #[test]
    fn a_missing_folder_fails_at_the_first_write_naming_the_database() {
        let folder = scratch_folder();
        let url = format!("sqlite:{}", folder.path().join("nope/app.db").display());
        let mut db = BACKEND.open(&url, &ConnectOptions::default()).unwrap();
        assert!(!db.has_tables().unwrap());
        let error = db.ensure_tables().unwrap_err();
        assert!(
            matches!(error, DbError::Connect { ref location, .. } if *location == url),
            "{error}"
        );
    }

    #[test]
    fn a_scratch_database_is_removed_with_its_files() {
        let mut scratch = BACKEND
            .scratch("sqlite:app.db", &ConnectOptions::default())
            .unwrap();
        let db = scratch.database();
        let path = PathBuf::from(db.location().strip_prefix("sqlite:").unwrap());
        assert!(path.starts_with(std::env::temp_dir()));
        assert!(!db.has_tables().unwrap());
        let lock = PathBuf::from(format!("{}.lock", path.display()));
        db.lock(None, &mut |_| {}).unwrap();
        assert!(lock.exists());
        db.ensure_tables().unwrap();
        db.unlock().unwrap();
        assert!(path.exists());
        scratch.remove().unwrap();
        assert!(!path.exists() && !lock.exists());
        let journal = PathBuf::from(format!("{}-journal", path.display()));
        assert!(!journal.exists());
    }

    fn statements_of(sql: &str) -> Step<'_> {
        Step {
            revision: "0001_test",
            direction: crate::record::Direction::Up,
            sql,
            path: std::path::Path::new("versions/0001_test.up.sql"),
            transactional: true,
            resume_at: 0,
            timeouts: Default::default(),
            record: RecordChange::Delete {
                event: crate::record::Event::Downgrade,
                id: "0001_test".into(),
                checksum: String::new(),
            },
        }
    }

    #[test]
    fn each_statement_is_prepared_without_the_rest_of_the_file() {
        // SQLite refuses to prepare from more text than this limit when it
        // has to copy that text; it holds for each statement, not for the
        // file. A file of 40 short statements, 10 times longer than the
        // limit, runs only if no prepare is handed the rest of the file.
        let conn = Connection::open_in_memory().unwrap();
        let limit = rusqlite::limits::Limit::SQLITE_LIMIT_SQL_LENGTH;
        conn.execute_batch("CREATE TABLE t (n integer)").unwrap();
        let sql: String = (0..40)
            .map(|n| format!("INSERT INTO t VALUES ({n});\n"))
            .collect();
        conn.set_limit(limit, 100).unwrap();
        assert!(sql.len() > 1000);
        conn.execute_batch("BEGIN").unwrap();
        run_statements(&conn, &statements_of(&sql), None).unwrap();
        conn.execute_batch("COMMIT").unwrap();
        conn.set_limit(limit, 1_000_000).unwrap();
        let count: i64 = conn
            .query_row("SELECT count(*) FROM t", [], |row| row.get(0))
            .unwrap();
        assert_eq!(count, 40);
    }

    #[test]
    fn failures_point_at_the_token_or_the_statement_that_failed() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (n integer UNIQUE)")
            .unwrap();
        // (script, the text at the offset reported)
        let cases = [
            // SQLite names the token it could not make sense of: after
            // earlier statements, comments and a multi-byte character.
            (
                "INSERT INTO t VALUES (1);\n-- é\nSELECT 'é' FROM t WHERE x = 1;",
                "x = 1;",
            ),
            ("SELECT 1;\n/* x; */ SELEC 2;", "SELEC 2;"),
            // Failing when it runs, the statement as a whole.
            (
                "INSERT INTO t VALUES (2);\n\n  INSERT INTO t VALUES (2);",
                "INSERT INTO t VALUES (2);",
            ),
            // The last statement, with no semicolon after it.
            (
                "INSERT INTO t VALUES (3);\nSELECT nope FROM t",
                "nope FROM t",
            ),
            // Without a token to name (a missing table), the statement.
            (
                "INSERT INTO t VALUES (4);\n  SELECT * FROM nope;",
                "SELECT * FROM nope;",
            ),
        ];
        for (sql, expected) in cases {
            conn.execute_batch("BEGIN").unwrap();
            let failure = run_statements(&conn, &statements_of(sql), None).unwrap_err();
            rollback(&conn);
            let offset = failure.offset.expect("an offset");
            assert_eq!(
                &sql[offset..],
                &sql[sql.rfind(expected).unwrap()..],
                "{sql:?} ({})",
                failure.message
            );
            // Statement by statement, the same places.
            let statements = crate::sql::split::split(sql, Dialect::Sqlite);
            let failure = statements
                .iter()
                .find_map(|statement| run_statement(&conn, statement.text, statement.offset).err())
                .expect("a failure");
            let offset = failure.offset.expect("an offset");
            assert_eq!(
                &sql[offset..],
                &sql[sql.rfind(expected).unwrap()..],
                "by statement: {sql:?} ({})",
                failure.message
            );
        }
    }

    #[test]
    fn records_are_one_transaction() {
        let folder = scratch_folder();
        let url = format!("sqlite:{}", folder.path().join("app.db").display());
        let mut db = BACKEND.open(&url, &ConnectOptions::default()).unwrap();
        db.ensure_tables().unwrap();
        let record = crate::record::RevisionRecord {
            id: "0001_o'brien".into(),
            parents: vec![],
            up_checksum: "up".into(),
            down_checksum: "down".into(),
            up_sql: "SELECT 'it''s';".into(),
            down_sql: String::new(),
        };
        let operator = Operator {
            os_user: "ann@host".into(),
            note: None,
        };
        let insert = RecordChange::Insert {
            event: crate::record::Event::Stamp,
            record: record.clone(),
        };
        // The second change fails (no such revision to insert twice):
        // neither is kept.
        let error = db.record(&[insert.clone(), insert.clone()], &operator);
        assert!(error.is_err());
        assert!(db.applied().unwrap().is_empty());
        assert!(db.log().unwrap().is_empty());

        let update = RecordChange::Update {
            event: crate::record::Event::Repair,
            record: crate::record::RevisionRecord {
                up_checksum: "new".into(),
                ..record
            },
        };
        db.record(&[insert, update], &operator).unwrap();
        let applied = db.applied().unwrap();
        assert_eq!(applied.len(), 1);
        assert_eq!(applied[0].up_checksum, "new");
        assert_eq!(applied[0].up_sql.as_deref(), Some("SELECT 'it''s';"));
        let events: Vec<String> = db.log().unwrap().into_iter().map(|e| e.event).collect();
        assert_eq!(events, ["stamp", "repair"]);
    }

    #[test]
    fn urls_name_a_file_or_memory() {
        let cases = [
            ("sqlite:migrator.db", Some("migrator.db")),
            ("sqlite://data/app.db", Some("data/app.db")),
            ("sqlite:///abs/app.db", Some("/abs/app.db")),
            ("sqlite://app.db?mode=rwc", Some("app.db")),
            ("sqlite::memory:", None),
        ];
        for (url, expected) in cases {
            assert_eq!(path_of(url).unwrap(), expected.map(PathBuf::from), "{url}");
        }
        assert!(path_of("sqlite:").is_err());
        assert!(path_of("sqlite://").is_err());
    }
}
