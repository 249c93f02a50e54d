//! SQLite backend, the embedded default: rusqlite with the bundled SQLite,
//! so nothing has to be installed.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rusqlite::fallible_iterator::FallibleIterator;
use rusqlite::{Batch, Connection};

use super::lock_file::{self, LockError, LockFile};
use super::*;
use crate::db::schema::Snapshot;
use crate::sql::lexer::Dialect;
use crate::sql::text::{literal, skip_trivia};

/// Every b-tree a revision touches costs a page in the journal and in the
/// file at each commit, so the tables keep few: the application order is
/// the rowid, the id has its one index, and the log's rowid grows without
/// AUTOINCREMENT's extra table (log rows are never deleted).
const CREATE_TABLES: &str = "
CREATE TABLE IF NOT EXISTS migrator_revisions (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    parents TEXT NOT NULL,
    up_checksum TEXT NOT NULL,
    down_checksum TEXT NOT NULL,
    up_sql TEXT NOT NULL,
    down_sql TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    db_user TEXT NOT NULL,
    os_user TEXT NOT NULL,
    execution_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS migrator_log (
    seq INTEGER PRIMARY KEY,
    event TEXT NOT NULL,
    revision TEXT NOT NULL,
    at TEXT NOT NULL,
    db_user TEXT NOT NULL,
    os_user TEXT NOT NULL,
    duration_ms INTEGER,
    checksum TEXT,
    note TEXT
);";

/// SQLite's clock, UTC with milliseconds, in the format the trait returns.
const NOW: &str = "strftime('%Y-%m-%d %H:%M:%f', 'now')";

/// A SQLite database file (or `sqlite::memory:`).
///
/// Two migrator runs are kept apart by the run lock, an exclusive lock on a
/// file beside the database (`app.db.lock`, see [`lock_file`]) that exists
/// only while a run holds it: SQLite's own write lock lasts one
/// transaction, and each revision commits on its own.
///
/// A process that waits for the run lock keeps no connection open while it
/// waits: it closes the one it read with and opens a new one once it holds
/// the lock, so that nothing the holder does can wait for the processes
/// queued behind it. (The holder used to keep SQLite's lock for the whole
/// run, `locking_mode = EXCLUSIVE`, which in WAL mode needs every other
/// connection closed: the queue and the holder waited for each other.)
///
/// The run takes nothing more than SQLite's usual locks, one transaction at
/// a time, so other connections read between its revisions, and in WAL mode
/// even during them. With a rollback journal it keeps the journal file
/// during the run (`journal_mode = PERSIST`: a commit zeroes and syncs the
/// journal's header instead of deleting the file, to create it again at the
/// next revision) and switches back to `DELETE` at the end, which removes
/// it. Only a `DELETE` journal is switched; a WAL database's mode is never
/// touched.
///
/// Commands that only read (`status`, `current`, `history -v`, the first
/// look of every `upgrade`) take no lock and read what is committed. Only
/// when the database stays locked (a revision that changes more than
/// SQLite's cache holds keeps the write lock of a rollback-journal database
/// until it commits) do they check whether a migrator run holds the run
/// lock, and then wait for that run to end, in shared mode, saying whom they
/// wait for and honouring the lock timeout. What stays locked with no run
/// in progress is another program's doing: SQLite's busy timeout applies.
pub struct SqliteDatabase {
    conn: Connection,
    /// False while a waiter has closed its connection (`conn` is then an
    /// empty in-memory database, which nothing may read).
    connected: bool,
    location: String,
    path: Option<PathBuf>,
    lock_path: Option<PathBuf>,
    lock: Option<LockFile>,
    /// The run switched the journal from `DELETE` to `PERSIST`.
    persisting: bool,
    read_timeout: Option<Duration>,
    notice: Option<LockWaitNotice>,
}

/// How long a run waits for other connections (another program's
/// transaction, a reader in the middle of a commit) before "database is
/// locked".
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// How long a read waits for the database before it checks whether a
/// migrator run is what holds it: longer than a commit of a run takes.
const READ_PATIENCE: Duration = Duration::from_secs(1);

impl SqliteDatabase {
    pub fn open(url: &DatabaseUrl, options: &ConnectOptions) -> Result<Self, DbError> {
        let location = url.redacted();
        let DatabaseUrl::Sqlite { path } = url else {
            return Err(DbError::Other {
                location,
                message: "not a sqlite URL".into(),
            });
        };
        let conn = connect(path.as_deref(), &location)?;
        let lock_path = path.as_ref().map(|p| {
            let mut name = p.as_os_str().to_owned();
            name.push(".lock");
            PathBuf::from(name)
        });
        Ok(SqliteDatabase {
            conn,
            connected: true,
            location,
            path: path.clone(),
            lock_path,
            lock: None,
            persisting: false,
            read_timeout: options.lock_timeout,
            notice: options.lock_notice,
        })
    }

    /// Closes the connection: see the type's documentation.
    fn disconnect(&mut self) {
        // An in-memory database takes the place of the file's connection,
        // which is closed when dropped here. If even that cannot be opened,
        // the waiter keeps its connection, as it did before.
        if let Ok(placeholder) = Connection::open_in_memory() {
            drop(std::mem::replace(&mut self.conn, placeholder));
            self.connected = false;
        }
    }

    fn reconnect(&mut self) -> Result<(), DbError> {
        if !self.connected {
            self.conn = connect(self.path.as_deref(), &self.location)?;
            self.connected = true;
        }
        Ok(())
    }

    /// Runs a query that reads, waiting for a migrator run that keeps the
    /// database locked: see the type's documentation.
    fn read<T>(
        &mut self,
        query: impl Fn(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, DbError> {
        self.reconnect()?;
        let lock_path = match (&self.lock, &self.lock_path) {
            (None, Some(path)) => path.clone(),
            // The run reads what it wrote; an in-memory database has no
            // other connection.
            _ => return query(&self.conn).map_err(|e| other(&self.location, e)),
        };
        let start = Instant::now();
        let mut deadline = None;
        loop {
            let error = match query(&self.conn) {
                Err(error) if is_busy(&error) => error,
                result => return result.map_err(|e| other(&self.location, e)),
            };
            let timeout = self.read_timeout;
            let deadline = *deadline.get_or_insert_with(|| timeout.map(|t| Instant::now() + t));
            let notice = self.notice;
            let waited = lock_file::wait_for_run(&lock_path, deadline, &mut |holder| {
                if let Some(notice) = notice {
                    notice(holder, timeout)
                }
            })
            .map_err(|e| self.lock_error(e, timeout))?;
            if !waited && start.elapsed() >= BUSY_TIMEOUT {
                return Err(other(&self.location, error));
            }
        }
    }

    fn lock_error(&self, error: LockError, timeout: Option<Duration>) -> DbError {
        match error {
            LockError::TimedOut { holder } => DbError::LockTimeout {
                location: self.location.clone(),
                waited: timeout.unwrap_or_default(),
                holder,
            },
            LockError::Io(error) => match &self.lock_path {
                Some(path) => other(&path.display().to_string(), error),
                None => other(&self.location, error),
            },
        }
    }

    /// What a run does once it holds the run lock.
    fn begin_run(&mut self) -> Result<(), DbError> {
        self.reconnect()?;
        self.conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| other(&self.location, e))?;
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode", [], |row| row.get(0))
            .map_err(|e| other(&self.location, e))?;
        if mode.eq_ignore_ascii_case("delete") {
            self.conn
                .query_row("PRAGMA journal_mode = PERSIST", [], |_| Ok(()))
                .map_err(|e| other(&self.location, e))?;
            self.persisting = true;
        }
        Ok(())
    }

    /// Runs the step's statements one by one. A transactional step fails
    /// at the statement that ends its transaction (a COMMIT or ROLLBACK the
    /// folder check did not see), before anything runs outside it. On
    /// failure outside a transaction, says how many statements stay done:
    /// those that ran while no transaction of the file's own was open, or
    /// that its COMMIT made durable (until then a failure rolls them back,
    /// and a resume starts again at its BEGIN).
    fn run_statements(&self, step: &Step<'_>) -> Result<(), Box<SqlFailure>> {
        let sql = step.sql;
        let mut batch = Batch::new(&self.conn, sql);
        let mut cursor = 0;
        let mut ran = 0;
        let mut done = 0;
        loop {
            let next = match batch.next() {
                Ok(next) => next,
                Err(error) => {
                    let offset = match &error {
                        rusqlite::Error::SqlInputError {
                            sql: rest, offset, ..
                        } => sql.len() - rest.len() + usize::try_from(*offset).unwrap_or(0),
                        _ => skip_trivia(sql, cursor, Dialect::Sqlite),
                    };
                    return Err(failure(error, Some(offset), done, step.transactional));
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
                return Err(failure(error, Some(offset), done, step.transactional));
            }
            ran += 1;
            if self.conn.is_autocommit() {
                if step.transactional {
                    return Err(Box::new(SqlFailure {
                        offset: Some(offset),
                        ..SqlFailure::transaction_ended()
                    }));
                }
                done = ran;
            }
        }
    }

    fn exec(&self, sql: &str) -> Result<(), DbError> {
        self.conn
            .execute_batch(sql)
            .map_err(|e| other(&self.location, e))
    }

    fn rollback(&self) {
        // Nothing to report: the error that led here is the one that matters.
        let _ = self.conn.execute_batch("ROLLBACK");
    }
}

/// A connection to the file (or a fresh in-memory database), patient as a
/// reader is.
fn connect(path: Option<&std::path::Path>, location: &str) -> Result<Connection, DbError> {
    let opened = match path {
        Some(path) => Connection::open(path),
        None => Connection::open_in_memory(),
    };
    let conn = opened.map_err(|e| DbError::Connect {
        location: location.to_string(),
        message: e.to_string(),
        hint: Some("check that the folder exists and is writable".into()),
    })?;
    conn.busy_timeout(READ_PATIENCE)
        .map_err(|e| other(location, e))?;
    Ok(conn)
}

fn is_busy(error: &rusqlite::Error) -> bool {
    matches!(error, rusqlite::Error::SqliteFailure(e, _) if e.code == rusqlite::ErrorCode::DatabaseBusy)
}

fn other(location: &str, error: impl std::fmt::Display) -> DbError {
    DbError::Other {
        location: location.to_string(),
        message: error.to_string(),
    }
}

fn failure(
    error: rusqlite::Error,
    offset: Option<usize>,
    done: usize,
    transactional: bool,
) -> Box<SqlFailure> {
    let (message, code) = match &error {
        rusqlite::Error::SqliteFailure(e, msg) => (
            msg.clone().unwrap_or_else(|| e.to_string()),
            Some(code_name(e)),
        ),
        rusqlite::Error::SqlInputError { error, msg, .. } => (msg.clone(), Some(code_name(error))),
        other => (other.to_string(), None),
    };
    Box::new(SqlFailure {
        message,
        code,
        detail: None,
        hint: None,
        offset,
        statements_done: (!transactional).then_some(done),
    })
}

/// SQLite's name for a result code, as its documentation spells it.
fn code_name(error: &rusqlite::ffi::Error) -> String {
    match error.code {
        rusqlite::ErrorCode::Unknown => "SQLITE_ERROR".into(),
        code => format!("{code:?}"),
    }
}

// What a step runs before and after its SQL, for `run_step` and
// `render_step` alike, so that `--sql` prints what runs.

/// What opens a step's transaction; nothing for `Transaction: off`.
fn step_begin(transactional: bool) -> Option<&'static str> {
    // IMMEDIATE takes the write lock now, so a reader holding the file
    // cannot make the commit fail halfway.
    transactional.then_some("BEGIN IMMEDIATE")
}

/// What follows a step's SQL: its `record`, committed; for `Transaction:
/// off`, in a transaction of its own.
fn step_end(transactional: bool, record: &str) -> String {
    if transactional {
        format!("{record}COMMIT;")
    } else {
        format!("BEGIN IMMEDIATE;\n{record}COMMIT;")
    }
}

/// The bookkeeping statements for one change: the revisions row and its
/// log row. Used both to run and to print (`--sql`), so the two agree.
fn bookkeeping(change: &RecordChange, operator: &Operator, duration_ms: i64) -> String {
    let os_user = literal(&operator.os_user);
    let note = operator.note.as_deref().map_or("NULL".to_string(), literal);
    let (event, id, checksum, row) = match change {
        RecordChange::Insert { event, record } => (
            event,
            &record.id,
            &record.up_checksum,
            format!(
                "INSERT INTO migrator_revisions (id, parents, up_checksum, down_checksum, up_sql, down_sql, applied_at, db_user, os_user, execution_ms)\nVALUES ({}, {}, {}, {}, {}, {}, {NOW}, '', {os_user}, {duration_ms});",
                literal(&record.id),
                literal(&record.parents.join(",")),
                literal(&record.up_checksum),
                literal(&record.down_checksum),
                literal(&record.up_sql),
                literal(&record.down_sql),
            ),
        ),
        RecordChange::Delete {
            event,
            id,
            checksum,
        } => (
            event,
            id,
            checksum,
            format!("DELETE FROM migrator_revisions WHERE id = {};", literal(id)),
        ),
        RecordChange::Update { event, record } => (
            event,
            &record.id,
            &record.up_checksum,
            format!(
                "UPDATE migrator_revisions SET parents = {}, up_checksum = {}, down_checksum = {}, up_sql = {}, down_sql = {} WHERE id = {};",
                literal(&record.parents.join(",")),
                literal(&record.up_checksum),
                literal(&record.down_checksum),
                literal(&record.up_sql),
                literal(&record.down_sql),
                literal(&record.id),
            ),
        ),
    };
    format!(
        "{row}\nINSERT INTO migrator_log (event, revision, at, db_user, os_user, duration_ms, checksum, note)\nVALUES ({}, {}, {NOW}, '', {os_user}, {duration_ms}, {}, {note});\n",
        literal(event.as_str()),
        literal(id),
        literal(checksum),
    )
}

impl Database for SqliteDatabase {
    fn location(&self) -> &str {
        &self.location
    }

    fn has_tables(&mut self) -> Result<bool, DbError> {
        self.read(|conn| {
            conn.query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('migrator_revisions', 'migrator_log')",
                [],
                |row| row.get::<_, i64>(0),
            )
        })
        .map(|n| n == 2)
    }

    fn ensure_tables(&mut self) -> Result<(), DbError> {
        self.exec(CREATE_TABLES)
    }

    fn lock(
        &mut self,
        timeout: Option<Duration>,
        waiting: &mut dyn FnMut(Option<&str>),
    ) -> Result<(), DbError> {
        let Some(lock_path) = self.lock_path.clone() else {
            return Ok(());
        };
        let holder = format!(
            "pid {} ({})",
            std::process::id(),
            crate::record::operator::os_user()
        );
        let deadline = timeout.map(|t| Instant::now() + t);
        let acquired = LockFile::acquire(&lock_path, &holder, deadline, &mut |holder| {
            self.disconnect();
            waiting(holder);
        });
        match acquired {
            Ok(lock) => self.lock = Some(lock),
            Err(error) => {
                let error = self.lock_error(error, timeout);
                self.reconnect()?;
                return Err(error);
            }
        }
        self.begin_run().inspect_err(|_| {
            let _ = self.unlock();
        })
    }

    fn unlock(&mut self) -> Result<(), DbError> {
        let Some(lock) = self.lock.take() else {
            return Ok(());
        };
        // Unless a revision chose a journal mode of its own (WAL, say).
        if std::mem::take(&mut self.persisting)
            && self
                .conn
                .query_row("PRAGMA journal_mode", [], |row| row.get::<_, String>(0))
                .is_ok_and(|mode| mode.eq_ignore_ascii_case("persist"))
        {
            // Removes the journal. Should another connection be writing at
            // this instant, the file stays, and that connection removes it
            // when it commits: nothing here is worth failing a run for.
            let _ = self
                .conn
                .query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()));
        }
        let _ = self.conn.busy_timeout(READ_PATIENCE);
        lock.release()
            .map_err(|e| self.lock_error(LockError::Io(e), None))
    }

    fn lock_holder(&mut self) -> Result<Option<String>, DbError> {
        match &self.lock_path {
            Some(path) if self.lock.is_none() => {
                lock_file::holder(path).map_err(|e| other(&self.location, e))
            }
            _ => Ok(None),
        }
    }

    fn applied(&mut self) -> Result<Vec<AppliedRevision>, DbError> {
        self.read(|conn| {
            let mut statement = conn.prepare(
                "SELECT id, parents, up_checksum, down_checksum, up_sql, down_sql, applied_at, db_user, os_user, execution_ms
                 FROM migrator_revisions ORDER BY seq",
            )?;
            let rows = statement.query_map([], |row| {
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
            })?;
            rows.collect::<Result<_, _>>()
        })
    }

    fn log(&mut self) -> Result<Vec<LogEntry>, DbError> {
        self.read(|conn| {
            let mut statement = conn.prepare(
                "SELECT seq, event, revision, at, db_user, os_user, duration_ms, checksum, note
                 FROM migrator_log ORDER BY seq",
            )?;
            let rows = statement.query_map([], |row| {
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
            })?;
            rows.collect::<Result<_, _>>()
        })
    }

    fn run_step(&mut self, step: &Step<'_>, operator: &Operator) -> Result<Duration, DbError> {
        let sql_error = |failure| DbError::Sql {
            revision: step.revision.to_string(),
            path: step.path.to_path_buf(),
            failure,
        };
        let start = Instant::now();
        if let Some(begin) = step_begin(step.transactional) {
            self.exec(begin)?;
        }
        if let Err(failure) = self.run_statements(step) {
            // migrator's transaction, or one of the file's own.
            if !self.conn.is_autocommit() {
                self.rollback();
            }
            return Err(sql_error(failure));
        }
        let elapsed = start.elapsed();
        let record = bookkeeping(&step.record, operator, elapsed.as_millis() as i64);
        if let Err(error) = self
            .conn
            .execute_batch(&step_end(step.transactional, &record))
        {
            self.rollback();
            return Err(sql_error(failure(error, None, 0, true)));
        }
        Ok(elapsed)
    }

    fn record(&mut self, changes: &[RecordChange], operator: &Operator) -> Result<(), DbError> {
        let mut script = String::from("BEGIN IMMEDIATE;\n");
        for change in changes {
            script.push_str(&bookkeeping(change, operator, 0));
        }
        script.push_str("COMMIT;");
        self.conn.execute_batch(&script).map_err(|e| {
            self.rollback();
            other(&self.location, e)
        })
    }

    fn foreign_table(
        &mut self,
        table: &str,
        columns: &[&str],
    ) -> Result<Option<foreign::ForeignRows>, DbError> {
        let select = foreign::select(table, columns, '`');
        self.read(|conn| {
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
        })
    }

    fn schema_snapshot(&mut self) -> Result<Snapshot, DbError> {
        self.read(schema_snapshot)
    }

    fn render_ensure_tables(&self) -> String {
        format!("{}\n", CREATE_TABLES.trim())
    }

    fn render_step(&self, step: &Step<'_>, operator: &Operator) -> String {
        let record = bookkeeping(&step.record, operator, 0);
        let sql = step.sql.trim_end();
        let begin = step_begin(step.transactional).map_or(String::new(), |b| format!("{b};\n"));
        let end = step_end(step.transactional, &record);
        format!("{begin}{sql}\n;\n{end}\n")
    }
}

/// The user's schema as a [`Snapshot`]: every table with its columns,
/// indexes, foreign keys and CHECK constraints, every view and trigger,
/// from `sqlite_schema` and the `pragma_*` table functions. SQLite's own
/// tables and migrator's bookkeeping are left out.
pub fn schema_snapshot(conn: &Connection) -> rusqlite::Result<Snapshot> {
    let mut lines = Vec::new();
    let objects: Vec<(String, String, String, Option<String>)> = conn
        .prepare(
            "SELECT type, name, tbl_name, sql FROM sqlite_schema
             WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND tbl_name NOT LIKE 'migrator\\_%' ESCAPE '\\'
             ORDER BY name",
        )?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))?
        .collect::<Result<_, _>>()?;
    for (kind, name, table, sql) in &objects {
        let sql = sql
            .as_deref()
            .map(crate::db::schema::squeeze)
            .unwrap_or_default();
        match kind.as_str() {
            "table" => table_lines(conn, name, &sql, &mut lines)?,
            // Indexes come with their table, where `pragma_index_list` names
            // the implicit ones too; an explicit one's text shows a changed
            // WHERE or expression.
            "index" if !sql.is_empty() => lines.push(format!("index {name} ON {table}: {sql}")),
            "view" => lines.push(format!("view {name}: {sql}")),
            "trigger" => lines.push(format!("trigger {name} ON {table}: {sql}")),
            _ => {}
        }
    }
    Ok(Snapshot::from_lines(lines))
}

fn table_lines(
    conn: &Connection,
    table: &str,
    sql: &str,
    lines: &mut Vec<String>,
) -> rusqlite::Result<()> {
    lines.push(format!("table {table}"));
    let mut columns = conn.prepare(
        "SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(?1)",
    )?;
    let mut rows = columns.query([table])?;
    while let Some(row) = rows.next()? {
        let name: String = row.get(0)?;
        let kind: String = row.get(1)?;
        let mut line = format!("column {table}.{name} {}", kind.to_lowercase());
        if row.get::<_, bool>(2)? {
            line.push_str(" not null");
        }
        if let Some(default) = row.get::<_, Option<String>>(3)? {
            line.push_str(&format!(" default {default}"));
        }
        let pk: i64 = row.get(4)?;
        if pk > 0 {
            line.push_str(&format!(" primary key {pk}"));
        }
        if row.get::<_, i64>(5)? > 1 {
            line.push_str(" generated");
        }
        lines.push(line);
    }
    let mut indexes =
        conn.prepare("SELECT name, \"unique\", origin, partial FROM pragma_index_list(?1)")?;
    let found: Vec<(String, bool, String, bool)> = indexes
        .query_map([table], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })?
        .collect::<Result<_, _>>()?;
    for (index, unique, origin, partial) in found {
        if origin == "c" {
            // CREATE INDEX: its text, from sqlite_schema, says it all.
            continue;
        }
        let columns: Vec<String> = conn
            .prepare(
                "SELECT coalesce(name, '<expression>') FROM pragma_index_info(?1) ORDER BY seqno",
            )?
            .query_map([&index], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        let mut line = format!("index {index} ON {table} ({})", columns.join(", "));
        if unique {
            line.push_str(" unique");
        }
        if partial {
            line.push_str(" partial");
        }
        match origin.as_str() {
            "pk" => line.push_str(" (primary key)"),
            "u" => line.push_str(" (unique constraint)"),
            _ => {}
        }
        lines.push(line);
    }
    let mut keys = conn.prepare(
        "SELECT id, \"table\", \"from\", coalesce(\"to\", ''), on_update, on_delete
         FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
    )?;
    struct ForeignKey {
        id: i64,
        target: String,
        from: Vec<String>,
        to: Vec<String>,
        actions: String,
    }
    let mut found: Vec<ForeignKey> = Vec::new();
    let mut rows = keys.query([table])?;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let (from, to): (String, String) = (row.get(2)?, row.get(3)?);
        match found.last_mut() {
            Some(last) if last.id == id => {
                last.from.push(from);
                last.to.push(to);
            }
            _ => found.push(ForeignKey {
                id,
                target: row.get(1)?,
                from: vec![from],
                to: vec![to],
                actions: format!(
                    "ON UPDATE {} ON DELETE {}",
                    row.get::<_, String>(4)?,
                    row.get::<_, String>(5)?
                ),
            }),
        }
    }
    for key in found {
        lines.push(format!(
            "foreign key {table} ({}) REFERENCES {} ({}) {}",
            key.from.join(", "),
            key.target,
            key.to.join(", "),
            key.actions
        ));
    }
    // SQLite keeps CHECK constraints only in the table's text.
    for check in check_constraints(sql) {
        lines.push(format!("check {table}: {check}"));
    }
    Ok(())
}

/// The `CHECK (…)` clauses of a `CREATE TABLE` text, parentheses included.
fn check_constraints(sql: &str) -> Vec<String> {
    crate::sql::check::clauses(sql, Dialect::Sqlite)
        .into_iter()
        .map(String::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_constraints_of_a_table_text() {
        let cases: &[(&str, &[&str])] = &[
            ("CREATE TABLE t (a int)", &[]),
            (
                "CREATE TABLE t (a int CHECK (a > 0), b text check(b IN ('x)', 'y')))",
                &["(a > 0)", "(b IN ('x)', 'y'))"],
            ),
            ("CREATE TABLE t (checks int, \"check\" int)", &[]),
        ];
        for (sql, expected) in cases {
            assert_eq!(check_constraints(sql), *expected, "{sql}");
        }
    }

    #[test]
    fn snapshots_leave_out_the_bookkeeping_and_see_what_a_down_forgot() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(CREATE_TABLES).unwrap();
        assert_eq!(schema_snapshot(&conn).unwrap(), Snapshot::default());
        conn.execute_batch(
            "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL DEFAULT '' UNIQUE);
             CREATE TABLE orders (id integer, user_id integer REFERENCES users (id) ON DELETE CASCADE, CHECK (id > 0));
             CREATE INDEX orders_user ON orders (user_id);
             CREATE VIEW v AS SELECT id FROM users;
             CREATE TRIGGER tr AFTER INSERT ON users BEGIN SELECT 1; END;",
        )
        .unwrap();
        let lines: Vec<String> = schema_snapshot(&conn)
            .unwrap()
            .lines()
            .map(String::from)
            .collect();
        assert_eq!(
            lines,
            [
                "check orders: (id > 0)",
                "column orders.id integer",
                "column orders.user_id integer",
                "column users.email text not null default ''",
                "column users.id integer primary key 1",
                "foreign key orders (user_id) REFERENCES users (id) ON UPDATE NO ACTION ON DELETE CASCADE",
                "index orders_user ON orders: CREATE INDEX orders_user ON orders (user_id)",
                "index sqlite_autoindex_users_1 ON users (email) unique (unique constraint)",
                "table orders",
                "table users",
                "trigger tr ON users: CREATE TRIGGER tr AFTER INSERT ON users BEGIN SELECT 1; END",
                "view v: CREATE VIEW v AS SELECT id FROM users",
            ]
        );
    }
}
