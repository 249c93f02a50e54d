//! PostgreSQL backend: `tokio-postgres` driven by a single-thread runtime
//! of its own ([`session`]), so the rest of migrator stays synchronous, and
//! safe to call from inside an application's async runtime.
//!
//! Why not the blocking `postgres` crate: a transactional step is one
//! simple-query batch (`BEGIN; <revision>; <bookkeeping>; COMMIT;`), and
//! when the server reports an error without a position only the number of
//! statements that completed before it says which statement failed. The
//! blocking client drops those messages on error; the raw stream keeps them.
//!
//! - [`connect`]: the URL as libpq reads it; connection failures in words.
//! - [`tls`]: `sslmode` with rustls.
//! - [`session`]: a connection and its runtime.
//! - [`sql`]: the bookkeeping SQL, pure; the same text runs and prints.
//! - [`introspect`]: the user's schema, for `verify --roundtrip`.
//! - [`lock_table`]: `lock = "table"`, the run lock as a row.
//! - [`pooler`]: whether a pooler stands between migrator and the server,
//!   where the session lock cannot work.

mod connect;
mod fault;
mod introspect;
mod libpq;
mod lock_table;
mod notices;
mod pooler;
mod session;
mod sql;
mod tls;

use std::future::poll_fn;
use std::pin::pin;
use std::time::{Duration, Instant};

use futures_util::Stream;
use tokio_postgres::error::{ErrorPosition, SqlState};
use tokio_postgres::types::Type;
use tokio_postgres::{Client, SimpleQueryMessage};

use crate::db::backend::Backend;
use crate::db::database::LockTable;
use crate::db::database::{ConnectOptions, Database, DbError, Fault, Scratch, SqlFailure, Step};
use crate::db::foreign::{ForeignRows, select as select_foreign};
use crate::db::schema::{Definition, Kind, Snapshot};
use crate::db::url::{redact, with_database};
use crate::record::progress::ProgressEntry;
use crate::record::{AppliedRevision, Direction, LogEntry, Operator, RecordChange};
use crate::sql::lexer::{Dialect, unterminated};
use crate::sql::split::{Statement, split};
use crate::timeout::{Timeouts, Which};
use connect::Target;
use fault::describe;
use session::Session;
use sql::Tables;

/// The PostgreSQL backend, as the registry lists it.
pub static BACKEND: Postgres = Postgres;

/// PostgreSQL: `postgres://…` and `postgresql://…`, read as libpq reads
/// them.
pub struct Postgres;

const URL_HELP: &str =
    "see https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-URIS";

impl Backend for Postgres {
    fn name(&self) -> &'static str {
        "PostgreSQL"
    }

    fn forms(&self) -> &'static [&'static str] {
        &["postgres://…", "postgresql://…"]
    }

    fn example(&self) -> &'static str {
        "postgres://user@localhost:5432/app"
    }

    fn help(&self) -> Option<&'static str> {
        Some(URL_HELP)
    }

    fn check(&self, url: &str) -> Result<(), String> {
        if !url.contains("://") {
            return Err("expected postgres://… or postgresql://…".into());
        }
        connect::check(url)
    }

    fn misread(&self, text: &str) -> Option<String> {
        (!text.contains("://") && text.contains('=')).then(|| {
            "libpq's key/value form is not read here: write it as a URL, \
             postgres://USER@HOST:PORT/DBNAME?KEY=VALUE"
                .into()
        })
    }

    fn open(&self, url: &str, options: &ConnectOptions) -> Result<Box<dyn Database>, DbError> {
        let target = read_target(url)?;
        Ok(Box::new(PostgresDatabase::connect(
            target,
            redact(url),
            options,
        )?))
    }

    fn scratch(&self, url: &str, options: &ConnectOptions) -> Result<Scratch, DbError> {
        let target = read_target(url)?;
        let server = redact(url);
        let admin = open_session(&target, &server)?;
        let name = scratch_name();
        let create = format!("CREATE DATABASE {}", sql::quote_ident(&name));
        admin
            .block(admin.client().batch_execute(&create))
            .map_err(|error| DbError::Scratch {
                location: server.clone(),
                message: format!("cannot create database {name}: {}", describe(&error)),
            })?;
        let mut scratch_target = target;
        scratch_target.config.dbname(&name);
        let location = with_database(&server, &name);
        let drop_it = move || {
            let drop = format!("DROP DATABASE IF EXISTS {}", sql::quote_ident(&name));
            admin
                .block(admin.client().batch_execute(&drop))
                .map_err(|error| DbError::Scratch {
                    location: server,
                    message: format!("cannot drop database {name}: {}", describe(&error)),
                })
        };
        match PostgresDatabase::connect(scratch_target, location, options) {
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

    fn runs_in_schemas(&self) -> bool {
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
    connect::parse(url).map_err(|message| {
        let hint = if message.contains("private key") || message.contains("client certificate") {
            "sslcert and sslkey name the client's certificate and its private key (PEM files; \
             chmod 600 the key)"
        } else {
            URL_HELP
        };
        DbError::Connect {
            location: redact(url),
            message,
            hint: Some(hint.into()),
        }
    })
}

/// A session to `target`, with a failure in words.
fn open_session(target: &Target, location: &str) -> Result<Session, DbError> {
    Session::open(target).map_err(|failure| {
        let mut not_ready = false;
        let (message, hint) = match failure {
            tls::OpenError::Runtime(message) => (message, None),
            tls::OpenError::Setup(message) => {
                let hint = if message.contains("sslcert")
                    || message.contains("sslkey")
                    || message.contains("client certificate")
                {
                    "sslcert and sslkey name the client's certificate and its unencrypted \
                     private key, both PEM files"
                } else if message.contains("sslrootcert=system") {
                    "install the system's CA certificates (Debian: ca-certificates), or point \
                     SSL_CERT_FILE at a PEM bundle"
                } else {
                    "sslrootcert must name a readable PEM file of CA certificates"
                };
                (message, Some(hint.into()))
            }
            tls::OpenError::Connect(error) => {
                not_ready = connect::not_ready(&error, &target.config);
                let (message, hint) = connect::describe_failure(&error, &target.config, target.ssl);
                // The password file would have given one, but for its
                // permissions: the likeliest cause of a password problem.
                let hint = match (&target.passfile_note, hint) {
                    (Some(note), Some(hint)) if hint.contains("password") => {
                        Some(format!("{hint}; {note}"))
                    }
                    (_, hint) => hint,
                };
                (message, hint)
            }
        };
        let location = location.to_string();
        if not_ready {
            DbError::NotReady {
                location,
                message,
                hint,
            }
        } else {
            DbError::Connect {
                location,
                message,
                hint,
            }
        }
    })
}

/// A PostgreSQL database; the bookkeeping tables live in one schema.
pub struct PostgresDatabase {
    session: Session,
    /// Where the session connected, for the run lock's own session.
    target: Target,
    /// The session that holds the run lock while a run is on. A session of
    /// its own: a revision that calls `pg_advisory_unlock_all()` or
    /// `DISCARD ALL` must not release it.
    lock_session: Option<Session>,
    location: String,
    tables: Tables,
    /// The session-level advisory lock that keeps two runs apart.
    lock_key: i64,
    /// Whether `'…'` strings leave backslashes alone, as the splitter
    /// assumes; when off, only the server judges the quoting.
    standard_strings: bool,
    /// The revisions run in the bookkeeping schema (a fleet's tenant):
    /// it is the whole `search_path`.
    run_in_schema: bool,
    /// What puts the session back as opened after each revision
    /// ([`sql::restore_session`]), so that nothing a revision set reaches
    /// the next one or the bookkeeping.
    restore: String,
    /// Whether the server knows `client_connection_check_interval`, which
    /// [`sql::restore_session`] sets again.
    check_interval: bool,
}

impl PostgresDatabase {
    /// Connects, and settles the schema of the bookkeeping tables: the
    /// `--schema` option, else the session's `current_schema()` (which a
    /// URL's `options=-csearch_path=…` sets).
    fn connect(
        target: Target,
        location: String,
        options: &ConnectOptions,
    ) -> Result<Self, DbError> {
        let session = open_session(&target, &location)?;
        let mut db = PostgresDatabase {
            session,
            target,
            lock_session: None,
            location: location.clone(),
            tables: Tables::new("public"),
            lock_key: 0,
            standard_strings: true,
            run_in_schema: options.run_in_schema,
            restore: String::new(),
            check_interval: false,
        };
        // One round trip for what the session needs to know and set. On
        // PostgreSQL 14 and later, a migrator killed mid-revision must not
        // leave its batch running to COMMIT: the server checks for a
        // vanished client every second. The CASE skips the setting where
        // the server does not know it: older PostgreSQL, and engines that
        // speak its protocol (CockroachDB, YugabyteDB), whatever version
        // number they report.
        let settings = db.query_typed(
            "SELECT current_schema()::text, current_setting('standard_conforming_strings') = 'on', \
             current_setting('client_connection_check_interval', true) IS NOT NULL, \
             CASE WHEN current_setting('client_connection_check_interval', true) IS NOT NULL \
             THEN set_config('client_connection_check_interval', '1s', false) END",
            &[],
        )?;
        let row = &settings[0];
        let schema = match &options.schema {
            Some(schema) => schema.clone(),
            None => row.get::<_, Option<String>>(0).ok_or_else(|| DbError::Other {
                location: location.clone(),
                message: "no schema for the bookkeeping tables: no schema of the search_path exists; pass --schema".into(),
            })?,
        };
        db.standard_strings = row.get(1);
        db.check_interval = row.get(2);
        db.use_schema(&schema)?;
        Ok(db)
    }

    /// Keeps the bookkeeping tables, and the run lock, in `schema`; a
    /// tenant's revisions name their tables unqualified, so with
    /// `run_in_schema` they land in its schema, and read nothing of
    /// another's.
    fn use_schema(&mut self, schema: &str) -> Result<(), DbError> {
        self.restore = sql::restore_session(self.check_interval);
        if self.run_in_schema {
            // A session setting: the reset after each revision would undo
            // it, so the reset sets it again.
            let search_path = format!("SET search_path TO {}", sql::quote_ident(schema));
            self.exec(&search_path)?;
            self.restore.push_str(&search_path);
            self.restore.push_str(";\n");
        }
        self.lock_key = sql::lock_key(&format!("{schema}.migrator_revisions"));
        self.tables = Tables::new(schema);
        Ok(())
    }

    fn other(&self, error: &tokio_postgres::Error) -> DbError {
        DbError::Other {
            location: self.location.clone(),
            message: describe(error),
        }
    }

    fn client(&self) -> &Client {
        self.session.client()
    }

    fn block<F>(&self, future: F) -> F::Output
    where
        F: std::future::Future + Send,
        F::Output: Send,
    {
        self.session.block(future)
    }

    fn exec(&self, sql: &str) -> Result<(), DbError> {
        self.block(self.client().batch_execute(sql))
            .map_err(|e| self.other(&e))
    }

    /// The applied revisions, in one round trip: an unnamed statement
    /// parsed, bound and run in one message, where a prepared one takes
    /// a round trip of its own.
    fn select_applied(&self) -> Result<Vec<AppliedRevision>, tokio_postgres::Error> {
        let rows = self.block(
            self.client()
                .query_typed(&self.tables.select_applied(), &[]),
        )?;
        Ok(rows
            .iter()
            .map(|row| AppliedRevision {
                id: row.get(0),
                parents: crate::record::split_parents(row.get(1)),
                up_checksum: row.get(2),
                down_checksum: row.get(3),
                up_sql: row.get(4),
                down_sql: row.get(5),
                applied_at: row.get(6),
                db_user: row.get(7),
                os_user: row.get(8),
                execution_ms: row.get(9),
            })
            .collect())
    }

    /// A query sent unprepared: one round trip instead of two.
    fn query_typed(
        &self,
        sql: &str,
        params: &[(
            &(dyn tokio_postgres::types::ToSql + Sync),
            tokio_postgres::types::Type,
        )],
    ) -> Result<Vec<tokio_postgres::Row>, DbError> {
        self.block(self.client().query_typed(sql, params))
            .map_err(|e| self.other(&e))
    }

    fn rollback(&self) {
        // Nothing to report: the error that led here is the one that matters.
        let _ = self.block(self.client().batch_execute("ROLLBACK"));
    }

    /// After a step failed: ends its transaction, if one is open, and puts
    /// the session back (a revision's SQL may have committed what it set
    /// before it failed, or run outside any transaction), so that an
    /// application that goes on with this connection finds it as opened.
    fn rollback_and_restore(&self) {
        let batch = format!("ROLLBACK;\n{}", self.restore);
        let _ = self.block(self.client().batch_execute(&batch));
    }

    /// Who holds the run lock, as `pid N (application)`, when visible to
    /// `session` (which does not hold it).
    fn advisory_lock_holder(&self, session: &Session) -> Option<String> {
        let (classid, objid) = sql::key_halves(self.lock_key);
        let rows = session
            .block(session.client().query_typed(
                "SELECT a.pid, coalesce(a.application_name, '')
                 FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
                 WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
                   AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
                   AND l.classid::bigint = $1 AND l.objid::bigint = $2 AND l.pid <> pg_backend_pid()
                 LIMIT 1",
                &[(&classid, Type::INT8), (&objid, Type::INT8)],
            ))
            .ok()?;
        let row = rows.first()?;
        let pid: i32 = row.get(0);
        let application: String = row.get(1);
        Some(if application.is_empty() {
            format!("pid {pid}")
        } else {
            format!("pid {pid} ({application})")
        })
    }

    /// Takes the run lock on `session`, waiting up to `timeout`.
    fn lock_on(
        &self,
        session: &Session,
        timeout: Option<Duration>,
        waiting: &mut dyn FnMut(Option<&str>),
    ) -> Result<(), DbError> {
        let client = session.client();
        let key = [(
            &self.lock_key as &(dyn tokio_postgres::types::ToSql + Sync),
            Type::INT8,
        )];
        // The lock is tried only when the statement runs in the server
        // process the connection was told of: see `pooler`.
        let announced = session.block(pooler::announced_pid(client)).unwrap_or(0);
        // CockroachDB's advisory lock functions are stubs that lock
        // nothing and say they did: not tried there either.
        let row = &session
            .block(client.query_typed(
                "SELECT CASE WHEN pg_backend_pid() = $2 AND version() NOT LIKE '%CockroachDB%' \
                 THEN pg_try_advisory_lock($1) END, pg_backend_pid(), version() LIKE '%CockroachDB%'",
                &[key[0].clone(), (&announced, Type::INT4)],
            ))
            .map_err(|error| self.session_lock_failed(&error))?[0];
        let Some(taken) = row.get::<_, Option<bool>>(0) else {
            if row.get::<_, bool>(2) {
                return Err(self.no_advisory_locks(
                    "CockroachDB's advisory lock functions lock nothing (cockroach #13546)",
                ));
            }
            return Err(self.behind_a_pooler(announced, row.get(1)));
        };
        if taken {
            return Ok(());
        }
        let holder = self.advisory_lock_holder(session);
        waiting(holder.as_deref());
        // Zero waits for ever, whatever the server's default says. The
        // session is the lock's alone, so the setting stays there.
        let limit = timeout.map_or(0, |t| t.as_millis().max(1));
        session
            .block(client.batch_execute(&format!("SET lock_timeout = '{limit}ms'")))
            .map_err(|e| self.other(&e))?;
        let start = Instant::now();
        match session.block(client.query_typed("SELECT pg_advisory_lock($1)", &key)) {
            Ok(_) => Ok(()),
            Err(error) if error.code() == Some(&SqlState::LOCK_NOT_AVAILABLE) => {
                Err(DbError::LockTimeout {
                    location: self.location.clone(),
                    waited: timeout.unwrap_or_else(|| start.elapsed()),
                    holder: self.advisory_lock_holder(session).or(holder),
                })
            }
            Err(error) => Err(self.other(&error)),
        }
    }

    /// The session lock's first statement failed: on an engine without
    /// advisory locks (YugabyteDB without them switched on), said so, with
    /// the way out.
    fn session_lock_failed(&self, error: &tokio_postgres::Error) -> DbError {
        let missing = [
            SqlState::UNDEFINED_FUNCTION,
            SqlState::FEATURE_NOT_SUPPORTED,
        ]
        .iter()
        .any(|code| error.code() == Some(code));
        if missing {
            self.no_advisory_locks(&describe(error))
        } else {
            self.other(error)
        }
    }

    /// The session lock refused: the server has no advisory locks to
    /// offer, for `why`.
    fn no_advisory_locks(&self, why: &str) -> DbError {
        DbError::Lock {
            location: self.location.clone(),
            message: format!(
                "this server has no session advisory locks for the session lock (lock = \
                 \"session\"): {why}"
            ),
            hint: "use the table lock, which needs only a table: lock = \"table\" in \
                   migrator.toml or --lock table (CockroachDB and YugabyteDB: see docs/locks.md)"
                .into(),
        }
    }

    /// The session lock refused: a pooler answers for the server.
    fn behind_a_pooler(&self, announced: i32, backend: i32) -> DbError {
        DbError::Lock {
            location: self.location.clone(),
            message: format!(
                "refusing the session lock (lock = \"session\") through a connection pooler: \
                 this session runs in server process {backend}, but the connection was told \
                 {announced}, so something pools connections between migrator and PostgreSQL \
                 (PgBouncer, say), and with transaction pooling a session advisory lock keeps no \
                 other run out"
            ),
            hint: "use the table lock, which works through poolers: lock = \"table\" in \
                   migrator.toml or --lock table (every run on this database must use it); or \
                   connect to PostgreSQL directly"
                .into(),
        }
    }

    fn sql_error(step: &Step<'_>, failure: Box<SqlFailure>) -> DbError {
        DbError::Sql {
            revision: step.revision.to_string(),
            path: step.path.to_path_buf(),
            failure,
        }
    }

    fn run_transactional(&self, step: &Step<'_>, operator: &Operator) -> Result<(), DbError> {
        if self.standard_strings
            && let Some(open) = unterminated(step.sql, Dialect::Postgres)
        {
            // It would swallow the bookkeeping and COMMIT that follow it.
            return Err(Self::sql_error(
                step,
                Box::new(SqlFailure {
                    message: format!("unterminated {}", open.what),
                    offset: Some(open.offset),
                    ..SqlFailure::default()
                }),
            ));
        }
        let batch = self
            .tables
            .transactional_batch(step, operator, &self.restore);
        let Err((error, completed)) = self.block(run_batch(self.client(), &batch)) else {
            return Ok(());
        };
        self.rollback_and_restore();
        // The first completed commands are BEGIN and the step's timeouts;
        // the next ones are the revision's statements, as the splitter
        // counts them.
        let failing = completed
            .checked_sub(sql::prefix_statements(step))
            .and_then(|done| {
                split(step.sql, Dialect::Postgres)
                    .get(done)
                    .map(|s| s.offset)
            });
        if error.code() == Some(&SqlState::NO_ACTIVE_SQL_TRANSACTION) {
            // Inside the block the batch began nothing raises it: the
            // revision ended that block, and STILL_IN_TRANSACTION (or a
            // savepoint command of its own) found it gone.
            return Err(Self::sql_error(
                step,
                Box::new(SqlFailure {
                    offset: failing,
                    ..SqlFailure::transaction_ended()
                }),
            ));
        }
        let prefix = sql::step_prefix(step).chars().count();
        let failure = failure(
            &error,
            |position| sql::position_in(step.sql, position, prefix),
            failing,
            true,
            &step.timeouts,
        );
        Err(Self::sql_error(step, failure))
    }
}

/// Sends a simple-query batch; on error, also says how many commands
/// completed before it.
async fn run_batch(client: &Client, sql: &str) -> Result<(), (tokio_postgres::Error, usize)> {
    let stream = client.simple_query_raw(sql).await.map_err(|e| (e, 0))?;
    let mut stream = pin!(stream);
    let mut completed = 0;
    while let Some(message) = poll_fn(|cx| stream.as_mut().poll_next(cx)).await {
        match message {
            Ok(SimpleQueryMessage::CommandComplete(_)) => completed += 1,
            Ok(_) => {}
            Err(error) => return Err((error, completed)),
        }
    }
    Ok(())
}

/// A failed statement as the engine reports it. `position` maps the
/// server's 1-based character position to a byte offset of the step's SQL;
/// `fallback` is the failing statement's offset, when known;
/// `transactional` whether it ran in migrator's transaction.
fn failure(
    error: &tokio_postgres::Error,
    position: impl Fn(u32) -> Option<usize>,
    fallback: Option<usize>,
    transactional: bool,
    timeouts: &Timeouts,
) -> Box<SqlFailure> {
    let fault = fault::database_fault(error);
    let Some(db) = error.as_db_error() else {
        return Box::new(SqlFailure {
            message: describe(error),
            offset: fallback,
            hint: fault.map(String::from),
            fault: Fault::Database,
            ..SqlFailure::default()
        });
    };
    let offset = match db.position() {
        Some(ErrorPosition::Original(at)) => position(*at).or(fallback),
        _ => fallback,
    };
    // Where inside a function or DO block it failed.
    let detail = match (db.detail(), db.where_()) {
        (Some(detail), Some(context)) => Some(format!("{detail} (context: {context})")),
        (None, Some(context)) => Some(format!("context: {context}")),
        (detail, None) => detail.map(String::from),
    };
    let failure = SqlFailure {
        message: db.message().to_string(),
        code: Some(db.code().code().to_string()),
        detail,
        hint: fault
            .or_else(|| fault::file_hint(db.code().code(), transactional))
            .or(db.hint())
            .map(String::from),
        offset,
        fault: if fault.is_some() {
            Fault::Database
        } else {
            Fault::Revision
        },
    };
    Box::new(match fired(db, timeouts) {
        Some(which) => failure.timed_out(which, timeouts),
        None => failure,
    })
}

/// Which of the step's own timeouts stopped it, when one did: SQLSTATE
/// 55P03 (lock_not_available) under a Lock-Timeout, unless it was a
/// `NOWAIT` ("could not obtain lock"), and 57014 (query_canceled) under a
/// Statement-Timeout, unless someone canceled it ("user request"). The
/// words are the server's English ones; in another language, the code and
/// the timeout in force decide.
fn fired(db: &tokio_postgres::error::DbError, timeouts: &Timeouts) -> Option<Which> {
    let message = db.message();
    if *db.code() == SqlState::LOCK_NOT_AVAILABLE
        && timeouts.lock.is_some()
        && !message.starts_with("could not obtain lock")
    {
        Some(Which::Lock)
    } else if *db.code() == SqlState::QUERY_CANCELED
        && timeouts.statement.is_some()
        && !message.contains("user request")
    {
        Some(Which::Statement)
    } else {
        None
    }
}

impl Database for PostgresDatabase {
    fn location(&self) -> &str {
        &self.location
    }

    fn has_tables(&mut self) -> Result<bool, DbError> {
        let rows = self.query_typed(
            "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = $1 AND tablename IN ('migrator_revisions', 'migrator_log')",
            &[(&self.tables.schema, Type::TEXT)],
        )?;
        Ok(rows[0].get::<_, i64>(0) == 2)
    }

    fn ensure_tables(&mut self) -> Result<(), DbError> {
        // All three, the progress table included: a database of an older
        // migrator has the other two only.
        let rows = self.query_typed(
            "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = $1 AND tablename IN ('migrator_revisions', 'migrator_log', 'migrator_progress')",
            &[(&self.tables.schema, Type::TEXT)],
        )?;
        if rows[0].get::<_, i64>(0) == 3 {
            return Ok(());
        }
        let schema_exists = !self
            .query_typed(
                "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1",
                &[(&self.tables.schema, Type::TEXT)],
            )?
            .is_empty();
        // The run lock keeps migrator runs from creating them at once,
        // unless lock = "none": then the loser of a collision on a catalog's
        // unique index (CREATE … IF NOT EXISTS is not safe against a
        // concurrent one) tries again, and finds them made. No advisory
        // lock, which CockroachDB lacks and a table lock must not need.
        let batch = format!("BEGIN;\n{}COMMIT;", self.tables.create(!schema_exists));
        match self.block(self.client().batch_execute(&batch)) {
            Ok(()) => Ok(()),
            Err(error) => {
                self.rollback();
                let collided = fault::collided_creating(&error);
                if collided && self.has_tables()? {
                    return Ok(());
                }
                Err(self.other(&error))
            }
        }
    }

    /// Takes the run lock on a session of its own, opened here and closed
    /// by [`Database::unlock`]: the revisions' session can then run
    /// anything (`pg_advisory_unlock_all()`, `DISCARD ALL`, a dropped
    /// connection) without letting a second run in.
    fn lock(
        &mut self,
        timeout: Option<Duration>,
        waiting: &mut dyn FnMut(Option<&str>),
    ) -> Result<(), DbError> {
        let session = match self.lock_session.take() {
            Some(session) => session,
            None => open_session(&self.target, &self.location)?,
        };
        self.lock_on(&session, timeout, waiting)?;
        self.lock_session = Some(session);
        Ok(())
    }

    fn lock_table(&mut self) -> Result<Option<Box<dyn LockTable>>, DbError> {
        Ok(Some(Box::new(lock_table::PgLockTable {
            session: open_session(&self.target, &self.location)?,
            sql: lock_table::LockSql::new(&self.tables.schema),
            location: self.location.clone(),
        })))
    }

    fn unlock(&mut self) -> Result<(), DbError> {
        let Some(session) = self.lock_session.take() else {
            return Ok(());
        };
        // Closing the session would release it too, once the server
        // notices; unlocking says so at once.
        let key = [(
            &self.lock_key as &(dyn tokio_postgres::types::ToSql + Sync),
            Type::INT8,
        )];
        session
            .block(
                session
                    .client()
                    .query_typed("SELECT pg_advisory_unlock($1)", &key),
            )
            .map_err(|e| self.other(&e))?;
        Ok(())
    }

    fn applied(&mut self) -> Result<Vec<AppliedRevision>, DbError> {
        self.select_applied().map_err(|e| self.other(&e))
    }

    fn applied_if_initialized(&mut self) -> Result<Option<Vec<AppliedRevision>>, DbError> {
        // Asking for the rows and reading "no such table" as "not yet"
        // answers in the one round trip every run starts with.
        match self.select_applied() {
            Ok(applied) => Ok(Some(applied)),
            Err(error)
                if error.code() == Some(&SqlState::UNDEFINED_TABLE)
                    || error.code() == Some(&SqlState::INVALID_SCHEMA_NAME) =>
            {
                Ok(None)
            }
            Err(error) => Err(self.other(&error)),
        }
    }

    fn log(&mut self) -> Result<Vec<LogEntry>, DbError> {
        let rows = self.query_typed(&self.tables.select_log(), &[])?;
        Ok(rows
            .iter()
            .map(|row| LogEntry {
                seq: row.get(0),
                event: row.get(1),
                revision: row.get(2),
                at: row.get(3),
                db_user: row.get(4),
                os_user: row.get(5),
                duration_ms: row.get(6),
                checksum: row.get(7),
                note: row.get(8),
            })
            .collect())
    }

    fn run_step(&mut self, step: &Step<'_>, operator: &Operator) -> Result<Duration, DbError> {
        // What migrator's own statements raised is no revision's.
        self.session.notices().take();
        let start = Instant::now();
        self.run_transactional(step, operator)?;
        Ok(start.elapsed())
    }

    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn run_statement(&mut self, step: &Step<'_>, statement: &Statement<'_>) -> Result<(), DbError> {
        // Alone, so the server runs it in autocommit (a multi-statement
        // message is one implicit transaction).
        // The step's own timeouts, set for the session before each
        // statement (`SET LOCAL` would end with the statement's own
        // implicit transaction, and a statement cannot share a message).
        let timeouts = sql::set_timeouts(&step.timeouts, false);
        if !timeouts.is_empty() {
            self.exec(&timeouts)?;
        }
        let Err(error) = self.block(self.client().batch_execute(statement.text)) else {
            return Ok(());
        };
        // The file's own transaction, if one is open, is aborted: end it,
        // or the session can do nothing more. When none is open, the
        // server warns that there was none: that is not the revision's.
        let raised = self.session.notices().take();
        self.rollback_and_restore();
        self.session.notices().take();
        self.session.notices().restore(raised);
        let failure = failure(
            &error,
            |position| sql::position_in(statement.text, position, 0).map(|b| statement.offset + b),
            Some(statement.offset),
            false,
            &step.timeouts,
        );
        Err(Self::sql_error(step, failure))
    }

    fn record_progress(
        &mut self,
        entries: &[ProgressEntry],
        operator: &Operator,
    ) -> Result<(), DbError> {
        self.exec(&self.tables.progress_batch(entries, operator))
            .inspect_err(|_| self.rollback())
    }

    fn progress(&mut self) -> Result<Vec<ProgressEntry>, DbError> {
        match self.block(
            self.client()
                .query_typed(&self.tables.select_progress(), &[]),
        ) {
            Ok(rows) => Ok(rows
                .iter()
                .map(|row| ProgressEntry {
                    revision: row.get(0),
                    direction: Direction::parse(row.get(1)).unwrap_or(Direction::Up),
                    statement: row.get::<_, i32>(2) as usize,
                    line: row.get::<_, i32>(3) as usize,
                    checksum: row.get(4),
                    error: row.get(5),
                    at: row.get(6),
                    os_user: row.get(7),
                })
                .collect()),
            // A database of an older migrator, or none yet.
            Err(error)
                if error.code() == Some(&SqlState::UNDEFINED_TABLE)
                    || error.code() == Some(&SqlState::INVALID_SCHEMA_NAME) =>
            {
                Ok(Vec::new())
            }
            Err(error) => Err(self.other(&error)),
        }
    }

    fn finish_step(
        &mut self,
        step: &Step<'_>,
        operator: &Operator,
        elapsed: Duration,
    ) -> Result<(), DbError> {
        // The session put back first, in the same round trip: what the
        // revision set must not reach its bookkeeping or the next revision.
        let batch = format!(
            "{}{}",
            self.restore,
            self.tables
                .finish_batch(step, operator, &elapsed.as_millis().to_string())
        );
        if let Err(error) = self.block(self.client().batch_execute(&batch)) {
            self.rollback_and_restore();
            return Err(Self::sql_error(
                step,
                failure(&error, |_| None, None, false, &Timeouts::default()),
            ));
        }
        Ok(())
    }

    fn record(&mut self, changes: &[RecordChange], operator: &Operator) -> Result<(), DbError> {
        let batch = self.tables.record_batch(changes, operator, "0");
        self.exec(&batch).inspect_err(|_| self.rollback())
    }

    fn foreign_table(
        &mut self,
        table: &str,
        columns: &[&str],
    ) -> Result<Option<ForeignRows>, DbError> {
        // The simple protocol answers in text, whatever the column types;
        // a missing table is an answer, in the same round trip.
        match self.block(
            self.client()
                .simple_query(&select_foreign(table, columns, '"')),
        ) {
            Ok(messages) => Ok(Some(
                messages
                    .iter()
                    .filter_map(|message| match message {
                        SimpleQueryMessage::Row(row) => Some(
                            (0..row.len())
                                .map(|i| row.get(i).map(str::to_owned))
                                .collect(),
                        ),
                        _ => None,
                    })
                    .collect(),
            )),
            Err(error) if error.code() == Some(&SqlState::UNDEFINED_TABLE) => Ok(None),
            Err(error) => Err(self.other(&error)),
        }
    }

    fn query_targets(&mut self, query: &str) -> Result<Vec<String>, DbError> {
        // A transaction of its own, read-only: the query lists targets, it
        // must not change anything.
        let batch = format!("BEGIN READ ONLY;\n{query}\n;COMMIT");
        match self.block(self.client().simple_query(&batch)) {
            Ok(messages) => Ok(messages
                .iter()
                .filter_map(|message| match message {
                    SimpleQueryMessage::Row(row) => row.get(0).map(str::to_owned),
                    _ => None,
                })
                .collect()),
            Err(error) => {
                let failure = self.other(&error);
                let _ = self.exec("ROLLBACK");
                Err(failure)
            }
        }
    }

    fn schema_snapshot(&mut self) -> Result<Snapshot, DbError> {
        self.snapshot(true)
    }

    fn schema_for_comparison(&mut self) -> Result<Snapshot, DbError> {
        // The definitions' queries would about double the time.
        self.snapshot(false)
    }

    fn switch_schema(&mut self, schema: &str) -> Result<bool, DbError> {
        self.use_schema(schema)?;
        Ok(true)
    }

    /// The holder of the session lock, else of a live table lock: the
    /// command asking may not use the strategy of the run in progress.
    fn lock_holder(&mut self) -> Result<Option<String>, DbError> {
        if let Some(holder) = self.advisory_lock_holder(&self.session) {
            return Ok(Some(holder));
        }
        let row = lock_table::holder(
            &self.session,
            &lock_table::LockSql::new(&self.tables.schema),
        )
        .map_err(|e| self.other(&e))?;
        Ok(row.filter(|row| !row.expired).map(|row| row.describe()))
    }

    fn notices(&mut self) -> Vec<String> {
        self.session.notices().take()
    }

    fn render_ensure_tables(&self) -> String {
        self.tables.create(true)
    }

    fn render_step(&self, step: &Step<'_>, operator: &Operator) -> String {
        if step.transactional {
            return self
                .tables
                .transactional_batch(step, operator, &self.restore);
        }
        // Run outside a transaction, the duration is measured by the
        // client and sent as a number; 0 stands for it here.
        self.tables.render_by_statement(step, operator)
    }
}

impl PostgresDatabase {
    /// The schema, with the definitions of the dump when asked.
    fn snapshot(&mut self, with_definitions: bool) -> Result<Snapshot, DbError> {
        // Every query in one simple-query batch: one round trip. The
        // definitions come last: their first query empties the search path
        // for the rest of the batch, which the lines are read without.
        let mut queries = introspect::queries(&self.tables.schema);
        if with_definitions {
            queries.extend(introspect::definitions(&self.tables.schema));
        }
        let messages = match self.block(self.client().simple_query(&queries.join(";\n"))) {
            Ok(messages) => messages,
            // An engine that speaks PostgreSQL's protocol without all of
            // its catalog (CockroachDB, YugabyteDB): each query alone, in
            // the same order, and the kinds of object it cannot describe
            // left out, of the snapshots before and after alike.
            Err(error) if introspect::catalog_gap(error.code()) => {
                let mut messages = Vec::new();
                for query in &queries {
                    match self.block(self.client().simple_query(query)) {
                        Ok(answer) => messages.extend(answer),
                        Err(error) if introspect::catalog_gap(error.code()) => {}
                        Err(error) => return Err(self.other(&error)),
                    }
                }
                messages
            }
            Err(error) => return Err(self.other(&error)),
        };
        let mut lines = Vec::new();
        let mut bodies = Vec::new();
        let mut definitions = Vec::new();
        for message in &messages {
            let SimpleQueryMessage::Row(row) = message else {
                continue;
            };
            match row.columns().first().map(|column| column.name()) {
                Some(introspect::DEFINITION_COLUMN) => definitions.extend(definition(row)),
                Some(introspect::SEARCH_PATH_COLUMN) => {}
                _ => {
                    if let Some(line) = row.get(0) {
                        if let Some(body) = row.try_get(1).ok().flatten() {
                            bodies.push((line.to_string(), body.to_string()));
                        }
                        lines.push(line.to_string());
                    }
                }
            }
        }
        Ok(Snapshot::from_lines(lines)
            .with_bodies(bodies)
            .with_definitions(definitions))
    }
}

/// One row of the dump's queries as a [`Definition`]; `None` for a kind
/// this build does not know, or an object without SQL.
fn definition(row: &tokio_postgres::SimpleQueryRow) -> Option<Definition> {
    let kind = match row.get(0)? {
        "setting" => Kind::Setting,
        "schema" => Kind::Schema,
        "extension" => Kind::Extension,
        "type" => Kind::Type,
        "function" => Kind::Function,
        "sequence" => Kind::Sequence,
        "table" => Kind::Table,
        "sequence-owner" => Kind::SequenceOwner,
        "constraint" => Kind::Constraint,
        "view" => Kind::View,
        "index" => Kind::Index,
        "foreign-key" => Kind::ForeignKey,
        "trigger" => Kind::Trigger,
        "policy" => Kind::Policy,
        "comment" => Kind::Comment,
        _ => return None,
    };
    let mut definition = Definition::new(kind, row.get(1)?, row.get(2)?);
    definition.depends_on = row
        .get(3)
        .map(|names| names.lines().map(String::from).collect())
        .unwrap_or_default();
    Some(definition)
}
