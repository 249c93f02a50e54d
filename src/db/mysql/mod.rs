//! MySQL and MariaDB backend: `mysql_async` driven by a single-thread
//! runtime of its own ([`session`]), as the PostgreSQL backend drives
//! `tokio-postgres`, so the rest of migrator stays synchronous and safe to
//! call from inside an application's async runtime.
//!
//! MySQL commits DDL at once, whatever transaction is open: a revision that
//! holds any runs statement by statement, each committed as it completes,
//! and is recorded after its last ([`script`] decides); a revision of data
//! statements runs in one transaction with its record, as on the other
//! backends, sent as one batch.
//!
//! - [`connect`]: the URL as the `mysql` client reads its options;
//!   connection failures in words.
//! - [`session`]: a connection and its runtime.
//! - [`settings`]: a revision's timeouts, and the session put back after
//!   it.
//! - [`sql`]: the bookkeeping SQL, pure; the same text runs and prints.
//! - [`script`]: how a revision's statements run; where a syntax error
//!   points.
//! - [`fault`]: failures that are the server's, not the file's.
//! - [`introspect`]: the user's schema, for `verify --roundtrip`.

mod connect;
mod fault;
mod introspect;
mod script;
mod session;
mod settings;
mod sql;

use std::time::{Duration, Instant};

use crate::db::backend::Backend;
use crate::db::database::{ConnectOptions, Database, DbError, Fault, Scratch, SqlFailure, Step};
use crate::db::foreign::{ForeignRows, select as select_foreign};
use crate::db::schema::Snapshot;
use crate::db::url::{redact, with_database};
use crate::record::progress::ProgressEntry;
use crate::record::{AppliedRevision, Direction, LogEntry, Operator, RecordChange};
use crate::sql::lexer::{Dialect, unterminated};
use crate::sql::split::{Statement, split, transaction_control};
use crate::timeout::Timeouts;
use connect::Target;
use script::Mode;
use session::{OpenError, Rows, Session};
use settings::{Baseline, Flavor};
use sql::{Around, STEP_PREFIX_STATEMENTS, Tables, quote_literal};

/// The MySQL backend, as the registry lists it.
pub static BACKEND: Mysql = Mysql;

/// MySQL and MariaDB: `mysql://…` and `mariadb://…`.
pub struct Mysql;

const URL_HELP: &str = "write mysql://USER[:PASSWORD]@HOST[:PORT]/DATABASE, with \
     ?ssl-mode=disabled|preferred|required|verify_ca|verify_identity and ssl-ca=PATH as needed \
     (docs/mysql.md)";

/// MySQL's error for a table that does not exist.
const NO_SUCH_TABLE: u16 = 1146;
/// MySQL's error for a database that does not exist.
const NO_SUCH_DATABASE: u16 = 1049;

impl Backend for Mysql {
    fn name(&self) -> &'static str {
        "MySQL"
    }

    fn forms(&self) -> &'static [&'static str] {
        &["mysql://…", "mariadb://…"]
    }

    fn example(&self) -> &'static str {
        "mysql://user@localhost:3306/app"
    }

    fn help(&self) -> Option<&'static str> {
        Some(URL_HELP)
    }

    fn check(&self, url: &str) -> Result<(), String> {
        connect::check(url)
    }

    fn open(&self, url: &str, options: &ConnectOptions) -> Result<Box<dyn Database>, DbError> {
        let target = read_target(url)?;
        Ok(Box::new(MysqlDatabase::connect(
            target,
            redact(url),
            options,
        )?))
    }

    fn scratch(&self, url: &str, options: &ConnectOptions) -> Result<Scratch, DbError> {
        let target = read_target(url)?;
        let server = redact(url);
        let mut admin = open_session(&target, &server, true)?;
        let name = scratch_name();
        let quoted = sql::quote_ident(&name);
        admin
            .execute(&format!("CREATE DATABASE {quoted} CHARACTER SET utf8mb4"))
            .map_err(|error| DbError::Scratch {
                location: server.clone(),
                message: format!("cannot create database {name}: {}", describe(&error)),
            })?;
        let mut scratch_target = target;
        scratch_target.database = Some(name.clone());
        let location = with_database(&server, &name);
        let drop_it = move || {
            admin
                .execute(&format!("DROP DATABASE IF EXISTS {quoted}"))
                .map_err(|error| DbError::Scratch {
                    location: server,
                    message: format!("cannot drop database {name}: {}", describe(&error)),
                })
        };
        // The scratch database holds its own bookkeeping, whatever
        // `--schema` says of the real one.
        let options = ConnectOptions {
            schema: None,
            ..options.clone()
        };
        match MysqlDatabase::connect(scratch_target, location, &options) {
            Ok(database) => Ok(Scratch::new(Box::new(database), drop_it)),
            Err(error) => {
                // Nothing else would drop it.
                let _ = drop_it();
                Err(error)
            }
        }
    }

    fn opens_over_network(&self) -> bool {
        true
    }
}

/// A name no other scratch database has: the process and the time.
fn scratch_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("migrator_scratch_{}_{nanos}", std::process::id())
}

/// The URL read into what connecting needs.
fn read_target(url: &str) -> Result<Target, DbError> {
    connect::parse(url).map_err(|message| DbError::Connect {
        location: redact(url),
        message,
        hint: Some(URL_HELP.into()),
    })
}

/// A session to `target`, with a failure in words.
fn open_session(
    target: &Target,
    location: &str,
    without_database: bool,
) -> Result<Session, DbError> {
    Session::open(target, without_database).map_err(|failure| {
        let (message, hint) = match failure {
            OpenError::Runtime(message) => (message, None),
            OpenError::Setup(message) => (
                message,
                Some("ssl-ca must name a readable PEM file of CA certificates".into()),
            ),
            OpenError::Connect(error) => connect::describe_failure(&error, target),
        };
        DbError::Connect {
            location: location.to_string(),
            message,
            hint,
        }
    })
}

/// A driver error as a line: the server's message, number and SQLSTATE,
/// or what went wrong on the way.
fn describe(error: &mysql_async::Error) -> String {
    match error {
        mysql_async::Error::Server(server) => format!(
            "{} (error {}, SQLSTATE {})",
            server.message, server.code, server.state
        ),
        other => connect::full_text(other),
    }
}

/// A MySQL or MariaDB database: the revisions run in the URL's database;
/// the bookkeeping tables live there too, or in the database `--schema`
/// names.
pub struct MysqlDatabase {
    session: Session,
    /// Where the session connected, for the run lock's own session.
    target: Target,
    /// The session that holds the run lock while a run is on: one of its
    /// own, so that a revision's `RELEASE_ALL_LOCKS()`, or a lost
    /// connection, cannot let a second run in.
    lock_session: Option<Session>,
    location: String,
    /// The URL's database, where the user's schema is.
    database: String,
    tables: Tables,
    /// The `GET_LOCK` name that keeps two runs apart.
    lock_name: String,
    /// The session's settings before the first revision, and the server's
    /// flavor: read when the first revision runs (a run with nothing to do
    /// does not pay for it).
    baseline: Option<Baseline>,
    /// MariaDB or MySQL, from the handshake.
    flavor: Flavor,
}

impl MysqlDatabase {
    /// Connects. Sends nothing but the handshake: a run with nothing to
    /// do then costs one query.
    fn connect(
        target: Target,
        location: String,
        options: &ConnectOptions,
    ) -> Result<Self, DbError> {
        let database = target.database.clone().ok_or_else(|| DbError::Connect {
            location: location.clone(),
            message: "the URL names no database".into(),
            hint: Some(URL_HELP.into()),
        })?;
        let mut session = open_session(&target, &location, false)?;
        let flavor = Flavor::of_version(session.server_version().0);
        let bookkeeping = options.schema.clone().unwrap_or_else(|| database.clone());
        Ok(MysqlDatabase {
            session,
            target,
            lock_session: None,
            location,
            lock_name: sql::lock_name(&bookkeeping),
            tables: Tables::new(&bookkeeping),
            database,
            baseline: None,
            flavor,
        })
    }

    fn other(&self, error: &mysql_async::Error) -> DbError {
        DbError::Other {
            location: self.location.clone(),
            message: describe(error),
        }
    }

    /// What the session had before the first revision, read once.
    fn baseline(&mut self) -> Result<Baseline, DbError> {
        if let Some(baseline) = &self.baseline {
            return Ok(baseline.clone());
        }
        let rows = self.query(settings::READ_BASELINE)?;
        let pairs: Vec<(String, String)> = rows
            .into_iter()
            .map(|row| {
                let mut columns = row.into_iter();
                (
                    columns.next().flatten().unwrap_or_default(),
                    columns.next().flatten().unwrap_or_default(),
                )
            })
            .collect();
        let baseline = Baseline::from_rows(&pairs);
        self.baseline = Some(baseline.clone());
        Ok(baseline)
    }

    /// After a failed step: its transaction rolled back and the session
    /// put back, in one round trip. Nothing to report: the error that led
    /// here is the one that matters.
    fn rollback_and_restore(&mut self) {
        let restore = self
            .baseline
            .as_ref()
            .map_or_else(String::new, Baseline::restore_all);
        let _ = self.session.run_batch(&format!("ROLLBACK;\n{restore}"));
    }

    fn query(&mut self, sql: &str) -> Result<Rows, DbError> {
        self.session.query(sql).map_err(|e| self.other(&e))
    }

    fn rollback(&mut self) {
        // Nothing to report: the error that led here is the one that matters.
        let _ = self.session.execute("ROLLBACK");
    }

    fn select_applied(&mut self) -> Result<Vec<AppliedRevision>, mysql_async::Error> {
        let rows = self.session.query(&self.tables.select_applied())?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let mut columns = row.into_iter();
                let mut next = || columns.next().flatten();
                AppliedRevision {
                    id: next().unwrap_or_default(),
                    parents: crate::record::split_parents(&next().unwrap_or_default()),
                    up_checksum: next().unwrap_or_default(),
                    down_checksum: next().unwrap_or_default(),
                    up_sql: next(),
                    down_sql: next(),
                    applied_at: next().unwrap_or_default(),
                    db_user: next().unwrap_or_default(),
                    os_user: next().unwrap_or_default(),
                    execution_ms: next().and_then(|n| n.parse().ok()).unwrap_or_default(),
                }
            })
            .collect())
    }

    /// Who holds the run lock, as `connection N (user@host)`, asked on
    /// `session`; `None` when nobody does.
    fn holder_on(session: &mut Session, lock_name: &str) -> Option<String> {
        let name = quote_literal(lock_name);
        let rows = session
            .query(&format!(
                "SELECT IS_USED_LOCK({name}), (SELECT CONCAT(USER, '@', HOST) FROM information_schema.PROCESSLIST WHERE ID = IS_USED_LOCK({name}))"
            ))
            .ok()?;
        let row = rows.into_iter().next()?;
        let mut columns = row.into_iter();
        let id = columns.next().flatten()?;
        Some(match columns.next().flatten() {
            Some(who) => format!("connection {id} ({who})"),
            None => format!("connection {id}"),
        })
    }

    /// Takes the run lock on `session`, waiting up to `timeout`.
    fn lock_on(
        &self,
        session: &mut Session,
        timeout: Option<Duration>,
        waiting: &mut dyn FnMut(Option<&str>),
    ) -> Result<(), DbError> {
        let name = quote_literal(&self.lock_name);
        let get_lock = |session: &mut Session, seconds: &str| {
            session
                .query(&format!("SELECT GET_LOCK({name}, {seconds})"))
                .map(|rows| {
                    rows.into_iter()
                        .next()
                        .and_then(|row| row.into_iter().next().flatten())
                })
                .map_err(|e| self.other(&e))
        };
        if get_lock(session, "0")?.as_deref() == Some("1") {
            return Ok(());
        }
        let holder = Self::holder_on(session, &self.lock_name);
        waiting(holder.as_deref());
        // The server has no "for ever" (a negative wait returns at once on
        // MariaDB): a year stands for it.
        let seconds = timeout.map_or_else(
            || "31536000".to_string(),
            |t| format!("{:.3}", t.as_secs_f64().max(0.001)),
        );
        let start = Instant::now();
        match get_lock(session, &seconds)?.as_deref() {
            Some("1") => Ok(()),
            Some(_) => Err(DbError::LockTimeout {
                location: self.location.clone(),
                waited: timeout.unwrap_or_else(|| start.elapsed()),
                holder: Self::holder_on(session, &self.lock_name).or(holder),
            }),
            None => Err(DbError::Other {
                location: self.location.clone(),
                message: format!("GET_LOCK({name}) failed: the wait was killed"),
            }),
        }
    }

    /// How many of the history's two tables exist, and of the progress
    /// table.
    fn count_tables(&mut self) -> Result<(u32, u32), DbError> {
        let rows = self.query(&self.tables.count_tables())?;
        let row = rows.into_iter().next().unwrap_or_default();
        let count = |i: usize| {
            row.get(i)
                .cloned()
                .flatten()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0)
        };
        Ok((count(0), count(1)))
    }

    fn sql_error(step: &Step<'_>, failure: Box<SqlFailure>) -> DbError {
        DbError::Sql {
            revision: step.revision.to_string(),
            path: step.path.to_path_buf(),
            failure,
        }
    }

    /// A data-only step: its statements and its bookkeeping in one
    /// transaction, sent as one batch.
    fn run_transactional(
        &mut self,
        step: &Step<'_>,
        statements: &[Statement<'_>],
        operator: &Operator,
    ) -> Result<(), DbError> {
        let texts: Vec<&str> = statements.iter().map(|s| s.text).collect();
        // Read before the first revision changes anything.
        let baseline = self.baseline()?;
        let set = settings::set_timeouts(&step.timeouts, self.flavor);
        let around = Around {
            set: &set,
            restore: &baseline.restore,
            after_commit: &baseline.autocommit,
        };
        let batch = self
            .tables
            .transactional_batch(&texts, &step.record, operator, &around);
        let Err((error, completed)) = self.session.run_batch(&batch) else {
            return Ok(());
        };
        self.rollback_and_restore();
        // The results before the error: the timeouts' (when set), the
        // prefix's, then the revision's statements, then the bookkeeping's.
        let failing = completed
            .checked_sub(STEP_PREFIX_STATEMENTS + usize::from(!set.is_empty()))
            .and_then(|index| statements.get(index));
        Err(Self::sql_error(
            step,
            failure(&error, failing, &step.timeouts),
        ))
    }
}

/// A failed statement as the engine reports it: `statement` is the one
/// that failed, when known.
/// `timeouts` are the step's own: an error that says one of them fired
/// names it.
fn failure(
    error: &mysql_async::Error,
    statement: Option<&Statement<'_>>,
    timeouts: &Timeouts,
) -> Box<SqlFailure> {
    let offset = statement.map(|s| s.offset);
    let mysql_async::Error::Server(server) = error else {
        return Box::new(SqlFailure {
            message: describe(error),
            offset,
            hint: Some(fault::CONNECTION_LOST.into()),
            fault: Fault::Database,
            ..SqlFailure::default()
        });
    };
    let database_fault = fault::fault_of(server.code, &server.message);
    // A syntax error says where, from the failing statement's start.
    let offset = match statement {
        Some(statement) if server.code == 1064 => script::near(statement.text, &server.message)
            .map(|at| statement.offset + at)
            .or(offset),
        _ => offset,
    };
    let failure = SqlFailure {
        message: server.message.clone(),
        code: Some(format!("{} (SQLSTATE {})", server.code, server.state)),
        offset,
        hint: database_fault.map(String::from),
        fault: if database_fault.is_some() {
            Fault::Database
        } else {
            Fault::Revision
        },
        ..SqlFailure::default()
    };
    Box::new(match settings::fired(server.code, timeouts) {
        Some(which) => failure.timed_out(which, timeouts),
        None => failure,
    })
}

/// Transaction control in a revision that asked for a transaction, found
/// before anything of it ran.
fn transaction_control_refused(control: &Statement<'_>) -> Box<SqlFailure> {
    Box::new(SqlFailure {
        offset: Some(control.offset),
        hint: Some(
            "remove the transaction control from the file, or run the revision without a \
             transaction (`-- Transaction: off` in its header); nothing of it ran"
                .into(),
        ),
        ..SqlFailure::transaction_ended()
    })
}

/// Whether the error is the server's "no such table" (or database).
fn is_missing_table(error: &mysql_async::Error) -> bool {
    matches!(error, mysql_async::Error::Server(server) if server.code == NO_SUCH_TABLE || server.code == NO_SUCH_DATABASE)
}

impl Database for MysqlDatabase {
    fn location(&self) -> &str {
        &self.location
    }

    fn has_tables(&mut self) -> Result<bool, DbError> {
        Ok(self.count_tables()?.0 == 2)
    }

    fn ensure_tables(&mut self) -> Result<(), DbError> {
        // All three, the progress table included: a database of an older
        // migrator has the other two only.
        if self.count_tables()? == (2, 1) {
            return Ok(());
        }
        let create = self.tables.create(self.tables.database != self.database);
        self.session.execute(&create).map_err(|e| self.other(&e))
    }

    /// Takes the run lock on a session of its own, opened here and closed
    /// by [`Database::unlock`].
    fn lock(
        &mut self,
        timeout: Option<Duration>,
        waiting: &mut dyn FnMut(Option<&str>),
    ) -> Result<(), DbError> {
        let mut session = match self.lock_session.take() {
            Some(session) => session,
            None => open_session(&self.target, &self.location, false)?,
        };
        self.lock_on(&mut session, timeout, waiting)?;
        self.lock_session = Some(session);
        Ok(())
    }

    fn unlock(&mut self) -> Result<(), DbError> {
        let Some(mut session) = self.lock_session.take() else {
            return Ok(());
        };
        // Closing the session would release it too; releasing says so
        // before the goodbye.
        let release = format!("SELECT RELEASE_LOCK({})", quote_literal(&self.lock_name));
        session.query(&release).map_err(|e| self.other(&e))?;
        Ok(())
    }

    fn lock_holder(&mut self) -> Result<Option<String>, DbError> {
        Ok(Self::holder_on(&mut self.session, &self.lock_name))
    }

    fn applied(&mut self) -> Result<Vec<AppliedRevision>, DbError> {
        self.select_applied().map_err(|e| self.other(&e))
    }

    fn applied_if_initialized(&mut self) -> Result<Option<Vec<AppliedRevision>>, DbError> {
        // Asking for the rows and reading "no such table" as "not yet"
        // answers in the one round trip every run starts with.
        match self.select_applied() {
            Ok(applied) => Ok(Some(applied)),
            Err(error) if is_missing_table(&error) => Ok(None),
            Err(error) => Err(self.other(&error)),
        }
    }

    fn log(&mut self) -> Result<Vec<LogEntry>, DbError> {
        let rows = self.query(&self.tables.select_log())?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let mut columns = row.into_iter();
                let mut next = || columns.next().flatten();
                LogEntry {
                    seq: next().and_then(|n| n.parse().ok()).unwrap_or_default(),
                    event: next().unwrap_or_default(),
                    revision: next().unwrap_or_default(),
                    at: next().unwrap_or_default(),
                    db_user: next().unwrap_or_default(),
                    os_user: next().unwrap_or_default(),
                    duration_ms: next().and_then(|n| n.parse().ok()),
                    checksum: next(),
                    note: next(),
                }
            })
            .collect())
    }

    fn run_step(&mut self, step: &Step<'_>, operator: &Operator) -> Result<Duration, DbError> {
        if let Some(open) = unterminated(step.sql, Dialect::Mysql) {
            // It would swallow what follows it in a batch.
            return Err(Self::sql_error(
                step,
                Box::new(SqlFailure {
                    message: format!("unterminated {}", open.what),
                    offset: Some(open.offset),
                    ..SqlFailure::default()
                }),
            ));
        }
        let statements = split(step.sql, Dialect::Mysql);
        if step.transactional
            && let Some(control) = statements
                .iter()
                .find(|s| transaction_control(s.text, Dialect::Mysql).is_some())
        {
            // What the folder check, which cannot know the backend, did not
            // see (behind a backslash-escaped quote): refused before
            // anything runs, as it would have been there.
            return Err(Self::sql_error(step, transaction_control_refused(control)));
        }
        let start = Instant::now();
        self.run_transactional(step, &statements, operator)?;
        Ok(start.elapsed())
    }

    fn dialect(&self) -> Dialect {
        Dialect::Mysql
    }

    /// `Transaction: off` steps, and those with a statement that MySQL
    /// commits at once (DDL, or anything not known to keep a
    /// transaction).
    fn runs_by_statement(&self, step: &Step<'_>) -> bool {
        script::mode(&split(step.sql, Dialect::Mysql), step.transactional) == Mode::EachStatement
    }

    fn commits_by_itself(&self, statement: &str) -> bool {
        !script::keeps_transaction(statement)
    }

    fn run_statement(&mut self, step: &Step<'_>, statement: &Statement<'_>) -> Result<(), DbError> {
        // Before the first statement of a revision that asked for a
        // transaction: transaction control the folder check did not see
        // (behind a backslash-escaped quote) is refused before anything
        // runs, as run_step refuses it.
        if step.transactional && step.resume_at == 0 {
            let statements = split(step.sql, Dialect::Mysql);
            if statements.first().map(|s| s.offset) == Some(statement.offset)
                && let Some(control) = statements
                    .iter()
                    .find(|s| transaction_control(s.text, Dialect::Mysql).is_some())
            {
                return Err(Self::sql_error(step, transaction_control_refused(control)));
            }
        }
        // What the session had, read before the first revision changes
        // anything (once per connection).
        self.baseline()?;
        // The step's own timeouts, set before each statement: a statement
        // before may have changed them.
        let set = settings::set_timeouts(&step.timeouts, self.flavor);
        if !set.is_empty() {
            self.session.execute(&set).map_err(|e| self.other(&e))?;
        }
        let Err(error) = self.session.execute(statement.text) else {
            return Ok(());
        };
        // The file's own transaction, if one is open, goes; the session
        // is put back.
        self.rollback_and_restore();
        Err(Self::sql_error(
            step,
            failure(&error, Some(statement), &step.timeouts),
        ))
    }

    fn record_progress(
        &mut self,
        entries: &[ProgressEntry],
        operator: &Operator,
    ) -> Result<(), DbError> {
        // In the middle of a revision: its timeouts must not stop this
        // (the next statement sets them again); its other settings stay.
        let timeouts = self
            .baseline
            .as_ref()
            .map_or("", |baseline| baseline.timeouts.as_str());
        let batch = format!(
            "{timeouts}{}",
            self.tables.progress_batch(entries, operator)
        );
        if let Err((error, _)) = self.session.run_batch(&batch) {
            self.rollback();
            return Err(self.other(&error));
        }
        Ok(())
    }

    fn progress(&mut self) -> Result<Vec<ProgressEntry>, DbError> {
        match self.session.query(&self.tables.select_progress()) {
            Ok(rows) => Ok(rows
                .into_iter()
                .map(|row| {
                    let mut columns = row.into_iter();
                    let mut next = || columns.next().flatten();
                    ProgressEntry {
                        revision: next().unwrap_or_default(),
                        direction: Direction::parse(&next().unwrap_or_default())
                            .unwrap_or(Direction::Up),
                        statement: next().and_then(|n| n.parse().ok()).unwrap_or_default(),
                        line: next().and_then(|n| n.parse().ok()).unwrap_or_default(),
                        checksum: next().unwrap_or_default(),
                        error: next(),
                        at: next().unwrap_or_default(),
                        os_user: next().unwrap_or_default(),
                    }
                })
                .collect()),
            // A database of an older migrator, or none yet.
            Err(error) if is_missing_table(&error) => Ok(Vec::new()),
            Err(error) => Err(self.other(&error)),
        }
    }

    fn finish_step(
        &mut self,
        step: &Step<'_>,
        operator: &Operator,
        elapsed: Duration,
    ) -> Result<(), DbError> {
        // The session put back first: the bookkeeping runs as the session
        // was before the revision (its autocommit too, which commits what
        // a revision that turned it off left open).
        let restore = self.baseline()?.restore_all();
        let batch = format!(
            "{restore}{}",
            self.tables
                .finish_batch(step, operator, &elapsed.as_millis().to_string())
        );
        if let Err((error, _)) = self.session.run_batch(&batch) {
            self.rollback();
            return Err(Self::sql_error(
                step,
                failure(&error, None, &Timeouts::default()),
            ));
        }
        Ok(())
    }

    fn record(&mut self, changes: &[RecordChange], operator: &Operator) -> Result<(), DbError> {
        let batch = self.tables.record_batch(changes, operator, "0");
        if let Err((error, _)) = self.session.run_batch(&batch) {
            self.rollback();
            return Err(self.other(&error));
        }
        Ok(())
    }

    fn foreign_table(
        &mut self,
        table: &str,
        columns: &[&str],
    ) -> Result<Option<ForeignRows>, DbError> {
        // The text protocol answers in text, whatever the column types; a
        // missing table is an answer, in the same round trip.
        match self.session.query(&select_foreign(table, columns, '`')) {
            Ok(rows) => Ok(Some(rows)),
            Err(error) if is_missing_table(&error) => Ok(None),
            Err(error) => Err(self.other(&error)),
        }
    }

    fn schema_snapshot(&mut self) -> Result<Snapshot, DbError> {
        let queries = introspect::queries(&self.database, self.tables.database == self.database);
        let sets = self
            .session
            .query_all(&queries.join(";\n"))
            .map_err(|e| self.other(&e))?;
        let mut lines = Vec::new();
        let mut bodies = Vec::new();
        for row in sets.into_iter().flatten() {
            let mut columns = row.into_iter();
            if let Some(line) = columns.next().flatten() {
                if let Some(body) = columns.next().flatten() {
                    bodies.push((line.clone(), body));
                }
                lines.push(line);
            }
        }
        Ok(Snapshot::from_lines(lines).with_bodies(bodies))
    }

    fn render_ensure_tables(&self) -> String {
        self.tables.create(self.tables.database != self.database)
    }

    /// With the step's timeouts set before its statements and back to the
    /// server's defaults after them: printing reads no session.
    fn render_step(&self, step: &Step<'_>, operator: &Operator) -> String {
        let set = settings::set_timeouts(&step.timeouts, self.flavor);
        let reset = settings::default_timeouts(&step.timeouts, self.flavor);
        let around = Around {
            set: &set,
            restore: &reset,
            after_commit: "",
        };
        if self.runs_by_statement(step) {
            return self.tables.render_by_statement(step, operator, &around);
        }
        let statements = split(step.sql, Dialect::Mysql);
        let texts: Vec<&str> = statements.iter().map(|s| s.text).collect();
        self.tables.render_step(step, &texts, operator, &around)
    }
}
