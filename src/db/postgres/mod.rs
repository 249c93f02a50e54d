//! PostgreSQL backend: `tokio-postgres` driven by a single-thread runtime
//! of its own, so the rest of migrator stays synchronous.
//!
//! Why not the blocking `postgres` crate: a transactional step is one
//! simple-query batch (`BEGIN; <revision>; <bookkeeping>; COMMIT;`), and
//! when the server reports an error without a position only the number of
//! statements that completed before it says which statement failed. The
//! blocking client drops those messages on error; the raw stream keeps them.

pub(crate) mod connect;
mod introspect;
mod sql;
mod tls;

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::time::{Duration, Instant};

use futures_util::Stream;
use tokio::runtime::Runtime;
use tokio_postgres::error::{ErrorPosition, SqlState};
use tokio_postgres::types::Type;
use tokio_postgres::{Client, SimpleQueryMessage};

use super::*;
use crate::sql::lexer::{Dialect, unterminated};
use crate::sql::split::split;
use sql::{STEP_PREFIX, Tables};

/// A PostgreSQL database; the bookkeeping tables live in one schema.
pub struct PostgresDatabase {
    // Dropped before the runtime, which closes the socket: the server then
    // ends the session and releases its advisory lock.
    client: Client,
    runtime: Runtime,
    location: String,
    tables: Tables,
    /// The session-level advisory lock that keeps two runs apart.
    lock_key: i64,
    /// Whether `'…'` strings leave backslashes alone, as the splitter
    /// assumes; when off, only the server judges the quoting.
    standard_strings: bool,
}

impl PostgresDatabase {
    /// Connects, and settles the schema of the bookkeeping tables: the
    /// `--schema` option, else the session's `current_schema()` (which a
    /// URL's `options=-csearch_path=…` sets).
    pub fn connect(url: &DatabaseUrl, options: &ConnectOptions) -> Result<Self, DbError> {
        let location = url.redacted();
        let refuse = |message: String, hint: Option<String>| DbError::Connect {
            location: location.clone(),
            message,
            hint,
        };
        let DatabaseUrl::Postgres { url } = url else {
            return Err(refuse("not a postgres:// URL".into(), None));
        };
        let target = connect::parse(url).map_err(|message| {
            refuse(
                message,
                Some("see https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-URIS".into()),
            )
        })?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| refuse(e.to_string(), None))?;
        let client = tls::open(&runtime, &target).map_err(|failure| match failure {
            tls::OpenError::Setup(message) => refuse(
                message,
                Some("sslrootcert must name a readable PEM file of CA certificates".into()),
            ),
            tls::OpenError::Connect(error) => {
                let (message, hint) = connect::describe_failure(&error, &target.config, target.ssl);
                refuse(message, hint)
            }
        })?;
        let mut db = PostgresDatabase {
            client,
            runtime,
            location: location.clone(),
            tables: Tables::new("public"),
            lock_key: 0,
            standard_strings: true,
        };
        // One round trip for what the session needs to know and set. On
        // PostgreSQL 14 and later, a migrator killed mid-revision must not
        // leave its batch running to COMMIT: the server checks for a
        // vanished client every second (the CASE skips the setting on
        // older servers, which do not know it).
        let settings = db.query_typed(
            "SELECT current_schema()::text, current_setting('standard_conforming_strings') = 'on', \
             CASE WHEN current_setting('server_version_num')::int >= 140000 \
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
        db.lock_key = sql::lock_key(&format!("{schema}.migrator_revisions"));
        db.tables = Tables::new(&schema);
        db.standard_strings = row.get(1);
        Ok(db)
    }

    fn other(&self, error: &tokio_postgres::Error) -> DbError {
        DbError::Other {
            location: self.location.clone(),
            message: describe(error),
        }
    }

    fn block<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    fn exec(&self, sql: &str) -> Result<(), DbError> {
        self.block(self.client.batch_execute(sql))
            .map_err(|e| self.other(&e))
    }

    /// The applied revisions, in one round trip: an unnamed statement
    /// parsed, bound and run in one message, where a prepared one takes
    /// a round trip of its own.
    fn select_applied(&self) -> Result<Vec<AppliedRevision>, tokio_postgres::Error> {
        let rows = self.block(self.client.query_typed(&self.tables.select_applied(), &[]))?;
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
        self.block(self.client.query_typed(sql, params))
            .map_err(|e| self.other(&e))
    }

    fn rollback(&self) {
        // Nothing to report: the error that led here is the one that matters.
        let _ = self.block(self.client.batch_execute("ROLLBACK"));
    }

    /// Who holds the run lock, as `pid N (application)`, when visible.
    fn advisory_lock_holder(&self) -> Option<String> {
        let (classid, objid) = sql::key_halves(self.lock_key);
        let rows = self
            .query_typed(
                "SELECT a.pid, coalesce(a.application_name, '')
                 FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
                 WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
                   AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
                   AND l.classid::bigint = $1 AND l.objid::bigint = $2 AND l.pid <> pg_backend_pid()
                 LIMIT 1",
                &[(&classid, Type::INT8), (&objid, Type::INT8)],
            )
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
        let batch = self.tables.transactional_batch(step, operator);
        let Err((error, completed)) = self.block(run_batch(&self.client, &batch)) else {
            return Ok(());
        };
        self.rollback();
        // The first completed command is BEGIN; the next ones are the
        // revision's statements, as the splitter counts them.
        let failing = completed.checked_sub(1).and_then(|done| {
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
        let prefix = STEP_PREFIX.chars().count();
        let failure = failure(
            &error,
            |position| sql::position_in(step.sql, position, prefix),
            failing,
            None,
        );
        Err(Self::sql_error(step, failure))
    }

    fn run_outside_transaction(&self, step: &Step<'_>) -> Result<usize, DbError> {
        let statements = split(step.sql, Dialect::Postgres);
        // Statements after a BEGIN of the file's own are done for good only
        // once its COMMIT succeeds: until then a failure rolls them back,
        // and a resume starts again at that BEGIN.
        let mut done = 0;
        let mut in_transaction = false;
        for (index, statement) in statements.iter().enumerate() {
            // Each statement alone, so the server runs it in autocommit
            // (a multi-statement message is one implicit transaction).
            if let Err(error) = self.block(self.client.batch_execute(statement.text)) {
                // The file's own transaction, if one is open, is aborted:
                // end it, or the session can do nothing more (not even
                // release the run lock).
                self.rollback();
                let failure = failure(
                    &error,
                    |position| {
                        sql::position_in(statement.text, position, 0).map(|b| statement.offset + b)
                    },
                    Some(statement.offset),
                    Some(done),
                );
                return Err(Self::sql_error(step, failure));
            }
            if let Some(control) =
                crate::sql::split::transaction_control(statement.text, Dialect::Postgres)
            {
                in_transaction = control.in_transaction_after(in_transaction);
            }
            if !in_transaction {
                done = index + 1;
            }
        }
        Ok(done)
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

/// A driver error as a line: the server's message and SQLSTATE, or what
/// went wrong on the way.
fn describe(error: &tokio_postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
        None if error.is_closed() => "the server closed the connection".into(),
        None => connect::full_text(error),
    }
}

/// A failed statement as the engine reports it. `position` maps the
/// server's 1-based character position to a byte offset of the step's SQL;
/// `fallback` is the failing statement's offset, when known.
fn failure(
    error: &tokio_postgres::Error,
    position: impl Fn(u32) -> Option<usize>,
    fallback: Option<usize>,
    statements_done: Option<usize>,
) -> Box<SqlFailure> {
    let Some(db) = error.as_db_error() else {
        return Box::new(SqlFailure {
            message: describe(error),
            offset: fallback,
            statements_done,
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
    Box::new(SqlFailure {
        message: db.message().to_string(),
        code: Some(db.code().code().to_string()),
        detail,
        hint: db.hint().map(String::from),
        offset,
        statements_done,
    })
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
        if self.has_tables()? {
            return Ok(());
        }
        let schema_exists = !self
            .query_typed(
                "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1",
                &[(&self.tables.schema, Type::TEXT)],
            )?
            .is_empty();
        // Concurrent CREATE … IF NOT EXISTS can still collide; a lock of
        // its own (not the run lock, which a running migrator holds)
        // serializes the creators.
        let create_lock = sql::lock_key(&format!("{}.migrator_log", self.tables.schema));
        let batch = format!(
            "BEGIN;\nSELECT pg_advisory_xact_lock({create_lock});\n{}COMMIT;",
            self.tables.create(!schema_exists)
        );
        self.exec(&batch).inspect_err(|_| self.rollback())
    }

    fn lock(
        &mut self,
        timeout: Option<Duration>,
        waiting: &mut dyn FnMut(Option<&str>),
    ) -> Result<(), DbError> {
        let taken: bool = self.query_typed(
            "SELECT pg_try_advisory_lock($1)",
            &[(&self.lock_key, Type::INT8)],
        )?[0]
            .get(0);
        if taken {
            return Ok(());
        }
        let holder = self.advisory_lock_holder();
        waiting(holder.as_deref());
        // Zero waits for ever, whatever the server's default says.
        let limit = timeout.map_or(0, |t| t.as_millis().max(1));
        self.exec(&format!("SET lock_timeout = '{limit}ms'"))?;
        let start = Instant::now();
        let result = self.block(self.client.query_typed(
            "SELECT pg_advisory_lock($1)",
            &[(&self.lock_key, Type::INT8)],
        ));
        self.exec("RESET lock_timeout")?;
        match result {
            Ok(_) => Ok(()),
            Err(error) if error.code() == Some(&SqlState::LOCK_NOT_AVAILABLE) => {
                Err(DbError::LockTimeout {
                    location: self.location.clone(),
                    waited: timeout.unwrap_or_else(|| start.elapsed()),
                    holder: self.advisory_lock_holder().or(holder),
                })
            }
            Err(error) => Err(self.other(&error)),
        }
    }

    fn unlock(&mut self) -> Result<(), DbError> {
        self.query_typed(
            "SELECT pg_advisory_unlock($1)",
            &[(&self.lock_key, Type::INT8)],
        )?;
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
        let start = Instant::now();
        if step.transactional {
            self.run_transactional(step, operator)?;
            return Ok(start.elapsed());
        }
        let done = self.run_outside_transaction(step)?;
        let elapsed = start.elapsed();
        let batch = self.tables.record_batch(
            std::slice::from_ref(&step.record),
            operator,
            &elapsed.as_millis().to_string(),
        );
        if let Err(error) = self.block(self.client.batch_execute(&batch)) {
            self.rollback();
            return Err(Self::sql_error(
                step,
                failure(&error, |_| None, None, Some(done)),
            ));
        }
        Ok(elapsed)
    }

    fn record(&mut self, changes: &[RecordChange], operator: &Operator) -> Result<(), DbError> {
        let batch = self.tables.record_batch(changes, operator, "0");
        self.exec(&batch).inspect_err(|_| self.rollback())
    }

    fn foreign_table(
        &mut self,
        table: &str,
        columns: &[&str],
    ) -> Result<Option<foreign::ForeignRows>, DbError> {
        // The simple protocol answers in text, whatever the column types;
        // a missing table is an answer, in the same round trip.
        match self.block(
            self.client
                .simple_query(&foreign::select(table, columns, '"')),
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

    fn schema_snapshot(&mut self) -> Result<crate::db::schema::Snapshot, DbError> {
        // Every query in one simple-query batch: one round trip.
        let batch = introspect::queries(&self.tables.schema).join(";\n");
        let messages = self
            .block(self.client.simple_query(&batch))
            .map_err(|e| self.other(&e))?;
        let lines = messages.iter().filter_map(|message| match message {
            SimpleQueryMessage::Row(row) => row.get(0).map(str::to_string),
            _ => None,
        });
        Ok(crate::db::schema::Snapshot::from_lines(lines))
    }

    fn lock_holder(&mut self) -> Result<Option<String>, DbError> {
        Ok(self.advisory_lock_holder())
    }

    fn render_ensure_tables(&self) -> String {
        self.tables.create(true)
    }

    fn render_step(&self, step: &Step<'_>, operator: &Operator) -> String {
        if step.transactional {
            return self.tables.transactional_batch(step, operator);
        }
        // Run outside a transaction, the duration is measured by the
        // client and sent as a number; 0 stands for it here.
        let mut script = String::new();
        for statement in split(step.sql, Dialect::Postgres) {
            script.push_str(statement.text);
            script.push_str(";\n");
        }
        script.push_str(&self.tables.record_batch(
            std::slice::from_ref(&step.record),
            operator,
            "0",
        ));
        script
    }
}
