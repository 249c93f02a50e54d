//! The SQL the PostgreSQL backend sends of its own: quoting, the
//! bookkeeping tables and rows, the lock key, and how the server's error
//! positions map back into a revision's text. Pure, so it is unit-tested.

use crate::db::database::Step;
use crate::record::progress::ProgressEntry;
use crate::record::{Direction, Event, Operator, RecordChange, RevisionRecord};
use crate::timeout::Timeouts;

/// A string literal that PostgreSQL reads back as `text` whatever
/// `standard_conforming_strings` is (a revision may change it): text with a
/// backslash becomes an `E''` literal with the backslashes doubled, as the
/// server's own `quote_literal()` does.
pub fn quote_literal(text: &str) -> String {
    let quoted = text.replace('\'', "''");
    if text.contains('\\') {
        format!("E'{}'", quoted.replace('\\', "\\\\"))
    } else {
        format!("'{quoted}'")
    }
}

/// A quoted identifier: `"name"` with inner quotes doubled, so any schema
/// name works and none is folded to lower case.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A revision record's fields as SQL literals.
struct RecordLiterals {
    id: String,
    parents: String,
    up: String,
    down: String,
    up_sql: String,
    down_sql: String,
}

impl RecordLiterals {
    fn of(record: &RevisionRecord) -> RecordLiterals {
        RecordLiterals {
            id: quote_literal(&record.id),
            parents: quote_literal(&record.parents.join(",")),
            up: quote_literal(&record.up_checksum),
            down: quote_literal(&record.down_checksum),
            up_sql: quote_literal(&record.up_sql),
            down_sql: quote_literal(&record.down_sql),
        }
    }
}

/// The byte offset in `text` of the character at `index` (0-based), or
/// `None` past the end. PostgreSQL counts error positions in characters.
pub fn char_to_byte(text: &str, index: usize) -> Option<usize> {
    if index == text.chars().count() {
        return Some(text.len());
    }
    text.char_indices().nth(index).map(|(byte, _)| byte)
}

/// The advisory lock key for a name: the first 8 bytes of its BLAKE3 hash.
/// Fixed for a schema, so every migrator (of any version) agrees on it.
pub fn lock_key(name: &str) -> i64 {
    let hash = blake3::hash(name.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&hash.as_bytes()[..8]);
    i64::from_be_bytes(first)
}

/// The halves of a `bigint` advisory key as `pg_locks` shows them:
/// `classid` (high 32 bits) and `objid` (low 32 bits).
pub fn key_halves(key: i64) -> (i64, i64) {
    let key = key as u64;
    ((key >> 32) as i64, (key & 0xffff_ffff) as i64)
}

/// What opens a transactional step's batch.
const BEGIN: &str = "BEGIN;\n";

/// What runs before a transactional step's SQL in its batch: `BEGIN` and
/// the step's timeouts, `SET LOCAL`, so that they end with its
/// transaction. Error positions and statement counts rely on it: see
/// [`prefix_statements`].
pub fn step_prefix(step: &Step<'_>) -> String {
    format!("{BEGIN}{}", set_timeouts(&step.timeouts, true))
}

/// How many statements [`step_prefix`] sends before the step's SQL.
pub fn prefix_statements(step: &Step<'_>) -> usize {
    1 + usize::from(step.timeouts.lock.is_some()) + usize::from(step.timeouts.statement.is_some())
}

/// The step's timeouts as `SET` statements, `SET LOCAL` when `local` (in
/// the step's transaction); nothing for a timeout left to the database. In
/// milliseconds, the unit both settings take without one.
pub fn set_timeouts(timeouts: &Timeouts, local: bool) -> String {
    let scope = if local { "LOCAL " } else { "" };
    let mut sql = String::new();
    for (name, timeout) in [
        ("lock_timeout", timeouts.lock),
        ("statement_timeout", timeouts.statement),
    ] {
        if let Some(timeout) = timeout {
            sql.push_str(&format!("SET {scope}{name} = {};\n", timeout.millis()));
        }
    }
    sql
}

/// What puts the session back as migrator opened it, after a revision's
/// SQL and before its bookkeeping: whatever the revision set with `SET` or
/// `set_config()` (a plain `SET` outlives the transaction it ran in),
/// `SET ROLE`, `SET SESSION AUTHORIZATION` (which `RESET ALL` leaves
/// alone), and its temporary tables; then migrator's own setting again.
/// In a transactional step's batch it commits with the step, and a step
/// that fails is rolled back with what it set. `RESET` goes back to the
/// values the session started with: the URL's `options`, and the role's
/// and the database's (`ALTER ROLE … SET`).
pub fn restore_session(check_interval: bool) -> String {
    let mut sql =
        String::from("RESET ALL;\nRESET SESSION AUTHORIZATION;\nRESET ROLE;\nDISCARD TEMP;\n");
    if check_interval {
        sql.push_str(CHECK_INTERVAL);
        sql.push_str(";\n");
    }
    sql
}

/// On PostgreSQL 14 and later, a migrator killed mid-revision must not
/// leave its batch running to COMMIT: the server checks for a vanished
/// client every second.
pub const CHECK_INTERVAL: &str = "SET client_connection_check_interval = '1s'";

/// What runs between a transactional step's SQL and its bookkeeping: it
/// fails, with SQLSTATE 25P01, unless the transaction the batch began is
/// still open. A `COMMIT` or `ROLLBACK` in the SQL ends it, and the rest of
/// the batch runs in an implicit transaction block, where PostgreSQL
/// refuses a savepoint as it does outside any block; the bookkeeping never
/// runs and the batch's `COMMIT` never commits it. Released at once, so the
/// bookkeeping does not run in a subtransaction.
pub const STILL_IN_TRANSACTION: &str =
    "SAVEPOINT migrator_step_open;\nRELEASE SAVEPOINT migrator_step_open;\n";

/// Milliseconds since the transaction began: the step's SQL runs in the
/// same transaction as its bookkeeping, so the server measures it.
pub const ELAPSED_MS: &str = "(extract(epoch FROM clock_timestamp() - now()) * 1000)::bigint";

/// A timestamp as the trait returns it: UTC, `YYYY-MM-DD HH:MM:SS.mmm`.
pub fn utc_text(column: &str) -> String {
    format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS')")
}

/// `CREATE SCHEMA IF NOT EXISTS` for `schema` and a newline when
/// `create_schema`, else nothing: what starts the statements that create a
/// schema's bookkeeping tables.
pub fn create_schema_statement(schema: &str, create_schema: bool) -> String {
    if create_schema {
        format!("CREATE SCHEMA IF NOT EXISTS {};\n", quote_ident(schema))
    } else {
        String::new()
    }
}

/// The columns of a log row, in the order bookkeeping writes them.
const LOG_COLUMNS: &str = "(event, revision, at, db_user, os_user, duration_ms, checksum, note)";

/// The bookkeeping tables of a schema, under their quoted names.
#[derive(Debug, Clone)]
pub struct Tables {
    pub schema: String,
    pub revisions: String,
    pub log: String,
    pub progress: String,
}

impl Tables {
    pub fn new(schema: &str) -> Tables {
        let quoted = quote_ident(schema);
        Tables {
            schema: schema.to_string(),
            revisions: format!("{quoted}.migrator_revisions"),
            log: format!("{quoted}.migrator_log"),
            progress: format!("{quoted}.migrator_progress"),
        }
    }

    /// Creates the schema (when `create_schema`) and the tables.
    pub fn create(&self, create_schema: bool) -> String {
        let schema = create_schema_statement(&self.schema, create_schema);
        let seq_index = quote_ident("migrator_revisions_seq");
        format!(
            "{schema}CREATE TABLE IF NOT EXISTS {revisions} (
    id text PRIMARY KEY,
    parents text NOT NULL,
    up_checksum text NOT NULL,
    down_checksum text NOT NULL,
    up_sql text NOT NULL,
    down_sql text NOT NULL,
    applied_at timestamptz NOT NULL,
    db_user text NOT NULL,
    os_user text NOT NULL,
    execution_ms bigint NOT NULL,
    seq bigint NOT NULL,
    CONSTRAINT {seq_index} UNIQUE (seq)
);
CREATE TABLE IF NOT EXISTS {log} (
    seq bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    event text NOT NULL,
    revision text NOT NULL,
    at timestamptz NOT NULL,
    db_user text NOT NULL,
    os_user text NOT NULL,
    duration_ms bigint,
    checksum text,
    note text
);
CREATE TABLE IF NOT EXISTS {progress} (
    revision text NOT NULL,
    direction text NOT NULL,
    statement integer NOT NULL,
    line integer NOT NULL,
    checksum text NOT NULL,
    error text,
    at timestamptz NOT NULL,
    os_user text NOT NULL,
    PRIMARY KEY (revision, direction, statement)
);
",
            revisions = self.revisions,
            log = self.log,
            progress = self.progress,
        )
    }

    /// The bookkeeping statements for one change: the revisions row and its
    /// log row, each ending in `;\n`. `duration_ms` is SQL: a number, or
    /// [`ELAPSED_MS`]. Used both to run and to print (`--sql`), so the two
    /// agree.
    pub fn bookkeeping(
        &self,
        change: &RecordChange,
        operator: &Operator,
        duration_ms: &str,
    ) -> String {
        let os_user = quote_literal(&operator.os_user);
        let note = change
            .log_note(operator)
            .map_or("NULL".to_string(), |note| quote_literal(&note));
        let log = &self.log;
        match change {
            // One statement each, so the log row shares the revision row's
            // time and duration (a reapply's new ones).
            RecordChange::Insert { event, record } | RecordChange::Reapply { event, record } => {
                let RecordLiterals {
                    id,
                    parents,
                    up,
                    down,
                    up_sql,
                    down_sql,
                } = RecordLiterals::of(record);
                let revisions = &self.revisions;
                let row = if matches!(change, RecordChange::Insert { .. }) {
                    format!(
                        "INSERT INTO {revisions} (id, parents, up_checksum, down_checksum, up_sql, down_sql, applied_at, db_user, os_user, execution_ms, seq)\n  VALUES ({id}, {parents}, {up}, {down}, {up_sql}, {down_sql}, clock_timestamp(), current_user, {os_user}, {duration_ms}, (SELECT coalesce(max(seq), 0) + 1 FROM {revisions}))",
                    )
                } else {
                    format!(
                        "UPDATE {revisions} SET parents = {parents}, up_checksum = {up}, down_checksum = {down}, up_sql = {up_sql}, down_sql = {down_sql}, applied_at = clock_timestamp(), db_user = current_user, os_user = {os_user}, execution_ms = {duration_ms}, seq = (SELECT max(seq) + 1 FROM {revisions})\n  WHERE id = {id}",
                    )
                };
                self.logging_applied_row(&row, event, &os_user, &up, &note)
            }
            RecordChange::Delete {
                event,
                id,
                checksum,
            } => format!(
                "DELETE FROM {revisions} WHERE id = {id};\nINSERT INTO {log} {LOG_COLUMNS}\nVALUES ({event}, {id}, clock_timestamp(), current_user, {os_user}, {duration_ms}, {checksum}, {note});\n",
                revisions = self.revisions,
                id = quote_literal(id),
                event = quote_literal(event.as_str()),
                checksum = quote_literal(checksum),
            ),
            RecordChange::ClearProgress {
                event,
                id,
                direction,
                checksum,
            } => format!(
                "{clear}INSERT INTO {log} {LOG_COLUMNS}\nVALUES ({event}, {id}, clock_timestamp(), current_user, {os_user}, {duration_ms}, {checksum}, {note});\n",
                clear = self.clear_progress(id, *direction),
                id = quote_literal(id),
                event = quote_literal(event.as_str()),
                checksum = quote_literal(checksum),
            ),
            RecordChange::Update { event, record } => {
                let RecordLiterals {
                    id,
                    parents,
                    up,
                    down,
                    up_sql,
                    down_sql,
                } = RecordLiterals::of(record);
                format!(
                    "UPDATE {revisions} SET parents = {parents}, up_checksum = {up}, down_checksum = {down}, up_sql = {up_sql}, down_sql = {down_sql} WHERE id = {id};\nINSERT INTO {log} {LOG_COLUMNS}\nVALUES ({event}, {id}, clock_timestamp(), current_user, {os_user}, {duration_ms}, {up}, {note});\n",
                    revisions = self.revisions,
                    event = quote_literal(event.as_str()),
                )
            }
        }
    }

    /// One statement that writes a revisions row (`row`, an `INSERT` or
    /// `UPDATE` of one row) and logs it, so the log row shares the
    /// revision row's time and duration. The literals are SQL already.
    fn logging_applied_row(
        &self,
        row: &str,
        event: &Event,
        os_user: &str,
        up_checksum: &str,
        note: &str,
    ) -> String {
        format!(
            "WITH applied AS (\n  {row}\n  RETURNING id, applied_at, execution_ms\n)\nINSERT INTO {log} {LOG_COLUMNS}\nSELECT {event}, id, applied_at, current_user, {os_user}, execution_ms, {up_checksum}, {note} FROM applied;\n",
            log = self.log,
            event = quote_literal(event.as_str()),
        )
    }

    /// The one batch a transactional step sends: its SQL and its
    /// bookkeeping between `BEGIN` and `COMMIT`, with
    /// [`STILL_IN_TRANSACTION`] and `restore` (the session put back: see
    /// [`restore_session`]) between the two. The SQL starts right after
    /// [`step_prefix`], which error positions rely on.
    pub fn transactional_batch(
        &self,
        step: &Step<'_>,
        operator: &Operator,
        restore: &str,
    ) -> String {
        // The newline ends a trailing `--` comment; the `;` a last
        // statement without one.
        format!(
            "{}{}\n;\n{STILL_IN_TRANSACTION}{restore}{}COMMIT;\n",
            step_prefix(step),
            step.sql,
            self.bookkeeping(&step.record, operator, ELAPSED_MS)
        )
    }

    /// The transaction that records a step run outside one.
    pub fn record_batch(
        &self,
        changes: &[RecordChange],
        operator: &Operator,
        duration_ms: &str,
    ) -> String {
        let mut batch = String::from("BEGIN;\n");
        for change in changes {
            batch.push_str(&self.bookkeeping(change, operator, duration_ms));
        }
        batch.push_str("COMMIT;\n");
        batch
    }

    /// Removes the progress rows of a revision in one direction.
    pub fn clear_progress(&self, revision: &str, direction: Direction) -> String {
        format!(
            "DELETE FROM {} WHERE revision = {} AND direction = {};\n",
            self.progress,
            quote_literal(revision),
            quote_literal(direction.as_str())
        )
    }

    /// The transaction that writes progress rows, each replacing the row
    /// of its statement; a failure also replaces the revision's earlier
    /// failure in that direction.
    pub fn progress_batch(&self, entries: &[ProgressEntry], operator: &Operator) -> String {
        let mut batch = String::from("BEGIN;\n");
        for entry in entries.iter().filter(|entry| entry.error.is_some()) {
            batch.push_str(&format!(
                "DELETE FROM {} WHERE revision = {} AND direction = {} AND error IS NOT NULL;\n",
                self.progress,
                quote_literal(&entry.revision),
                quote_literal(entry.direction.as_str())
            ));
        }
        if !entries.is_empty() {
            let os_user = quote_literal(&operator.os_user);
            let rows: Vec<String> = entries
                .iter()
                .map(|entry| {
                    format!(
                        "({}, {}, {}, {}, {}, {}, clock_timestamp(), {os_user})",
                        quote_literal(&entry.revision),
                        quote_literal(entry.direction.as_str()),
                        entry.statement,
                        entry.line,
                        quote_literal(&entry.checksum),
                        entry.error.as_deref().map_or("NULL".into(), quote_literal),
                    )
                })
                .collect();
            batch.push_str(&format!(
                "INSERT INTO {} (revision, direction, statement, line, checksum, error, at, os_user)\nVALUES {}\n\
                 ON CONFLICT (revision, direction, statement) DO UPDATE SET line = EXCLUDED.line, \
                 checksum = EXCLUDED.checksum, error = EXCLUDED.error, at = EXCLUDED.at, os_user = EXCLUDED.os_user;\n",
                self.progress,
                rows.join(",\n       ")
            ));
        }
        batch.push_str("COMMIT;\n");
        batch
    }

    /// The transaction that records a step run statement by statement and
    /// removes its progress rows.
    pub fn finish_batch(&self, step: &Step<'_>, operator: &Operator, duration_ms: &str) -> String {
        format!(
            "BEGIN;\n{}{}COMMIT;\n",
            self.bookkeeping(&step.record, operator, duration_ms),
            self.clear_progress(step.revision, step.direction)
        )
    }

    /// A step run statement by statement as `--sql` prints it: its
    /// statements from `resume_at`, the progress rows where the engine
    /// writes them, and its record, with 0 for the duration.
    pub fn render_by_statement(&self, step: &Step<'_>, operator: &Operator) -> String {
        use crate::engine::resume::{Action, done_entries, file_statements, script};
        use crate::sql::lexer::Dialect;

        let statements = file_statements(step.sql, Dialect::Postgres, |_| false);
        let mut script_text = String::new();
        for action in script(&statements, step.resume_at) {
            match action {
                Action::Run(index) => {
                    script_text.push_str(statements[index].text);
                    script_text.push_str(";\n");
                }
                Action::Record(range) => {
                    let entries = done_entries(step.revision, step.direction, &statements, range);
                    script_text.push_str(&self.progress_batch(&entries, operator));
                }
            }
        }
        script_text.push_str(&self.finish_batch(step, operator, "0"));
        script_text
    }

    pub fn select_progress(&self) -> String {
        format!(
            "SELECT revision, direction, statement, line, checksum, error, {}, os_user FROM {} ORDER BY revision, direction, statement",
            utc_text("at"),
            self.progress
        )
    }

    pub fn select_applied(&self) -> String {
        format!(
            "SELECT id, parents, up_checksum, down_checksum, up_sql, down_sql, {}, db_user, os_user, execution_ms FROM {} ORDER BY seq",
            utc_text("applied_at"),
            self.revisions
        )
    }

    pub fn select_log(&self) -> String {
        format!(
            "SELECT seq, event, revision, {}, db_user, os_user, duration_ms, checksum, note FROM {} ORDER BY seq",
            utc_text("at"),
            self.log
        )
    }
}

/// Maps the server's 1-based character position in a batch to a byte
/// offset in the SQL that starts `prefix_chars` characters into it; `None`
/// when the position is outside that SQL (in the bookkeeping).
pub fn position_in(sql: &str, position: u32, prefix_chars: usize) -> Option<usize> {
    let index = (position as usize)
        .checked_sub(1)?
        .checked_sub(prefix_chars)?;
    match char_to_byte(sql, index) {
        Some(byte) if byte < sql.len() => Some(byte),
        // Just past the SQL (the `\n;\n` that closes it in a batch, or the
        // end of a lone statement): "at end of input", so the end of the
        // text.
        _ if index <= sql.chars().count() + 2 => Some(sql.trim_end().len()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Event, RevisionRecord};
    use crate::sql::lexer::Dialect;

    #[test]
    fn quotes_literals() {
        let cases = [
            ("", "''"),
            ("plain", "'plain'"),
            ("it's", "'it''s'"),
            ("a\\b", "E'a\\\\b'"),
            ("'\\'", "E'''\\\\'''"),
            ("é ✓", "'é ✓'"),
        ];
        for (text, expected) in cases {
            assert_eq!(quote_literal(text), expected, "{text:?}");
        }
    }

    #[test]
    fn quotes_identifiers() {
        let cases = [("public", "\"public\""), ("My \"x\"", "\"My \"\"x\"\"\"")];
        for (name, expected) in cases {
            assert_eq!(quote_ident(name), expected);
        }
    }

    #[test]
    fn maps_characters_to_bytes() {
        let cases = [
            ("abc", 0, Some(0)),
            ("abc", 2, Some(2)),
            ("abc", 3, Some(3)),
            ("abc", 4, None),
            ("éa", 1, Some(2)),
            ("✓✓x", 2, Some(6)),
            ("", 0, Some(0)),
        ];
        for (text, index, expected) in cases {
            assert_eq!(char_to_byte(text, index), expected, "{text:?} {index}");
        }
    }

    #[test]
    fn maps_server_positions_into_the_revision() {
        let sql = "-- é\nSELEC 1;";
        let prefix = BEGIN.chars().count();
        let cases = [
            // `SELEC` is character 6 of the SQL (1-based), after the prefix.
            (prefix as u32 + 6, Some(6)),
            (prefix as u32 + 1, Some(0)),
            (1, None),
            (0, None),
            // Just past it: an unfinished last statement.
            (prefix as u32 + 14, Some(14)),
            (prefix as u32 + 16, Some(14)),
            // Further on: the bookkeeping failed.
            (prefix as u32 + 17, None),
            (prefix as u32 + 200, None),
        ];
        for (position, expected) in cases {
            assert_eq!(position_in(sql, position, prefix), expected, "{position}");
        }
    }

    #[test]
    fn lock_keys_are_fixed_and_split_like_pg_locks() {
        assert_eq!(
            lock_key("public.migrator_revisions"),
            lock_key("public.migrator_revisions")
        );
        assert_ne!(
            lock_key("public.migrator_revisions"),
            lock_key("app.migrator_revisions")
        );
        let cases = [
            (0x0123_4567_89ab_cdef_i64, (0x0123_4567, 0x89ab_cdef)),
            (-1, (0xffff_ffff, 0xffff_ffff)),
            (1, (0, 1)),
        ];
        for (key, halves) in cases {
            assert_eq!(key_halves(key), halves, "{key:#x}");
        }
    }

    #[test]
    fn a_transactional_batch_checks_its_transaction_is_open_before_recording() {
        let tables = Tables::new("public");
        let change = RecordChange::Delete {
            event: Event::Downgrade,
            id: "0001_a".into(),
            checksum: "d".into(),
        };
        let step = Step {
            revision: "0001_a",
            direction: crate::record::Direction::Down,
            sql: "DROP TABLE a; -- the end",
            path: std::path::Path::new("versions/0001_a.down.sql"),
            transactional: true,
            timeouts: Default::default(),
            record: change.clone(),
            resume_at: 0,
        };
        let operator = Operator {
            os_user: "me@host".into(),
            note: None,
        };
        let batch = tables.transactional_batch(&step, &operator, &restore_session(true));
        let statements: Vec<&str> = crate::sql::split::split(&batch, Dialect::Postgres)
            .iter()
            .map(|s| s.text)
            .collect();
        let record = tables.bookkeeping(&change, &operator, ELAPSED_MS);
        let mut expected = vec![
            "BEGIN",
            "DROP TABLE a",
            "SAVEPOINT migrator_step_open",
            "RELEASE SAVEPOINT migrator_step_open",
        ];
        expected.extend([
            "RESET ALL",
            "RESET SESSION AUTHORIZATION",
            "RESET ROLE",
            "DISCARD TEMP",
            CHECK_INTERVAL,
        ]);
        expected.extend(
            crate::sql::split::split(&record, Dialect::Postgres)
                .iter()
                .map(|s| s.text),
        );
        expected.push("COMMIT");
        assert_eq!(statements, expected);
        assert!(batch.starts_with(&format!("{}{}", step_prefix(&step), step.sql)));
    }

    #[test]
    fn bookkeeping_quotes_user_text() {
        let tables = Tables::new("we\"ird");
        let change = RecordChange::Insert {
            event: Event::Upgrade,
            record: RevisionRecord {
                id: "0001_a".into(),
                parents: vec![],
                up_checksum: "u".into(),
                down_checksum: "d".into(),
                up_sql: "SELECT 'x\\'; --".into(),
                down_sql: String::new(),
            },
        };
        let operator = Operator {
            os_user: "o'brien@host".into(),
            note: None,
        };
        let sql = tables.bookkeeping(&change, &operator, "0");
        assert!(sql.contains("\"we\"\"ird\".migrator_revisions"), "{sql}");
        assert!(sql.contains("E'SELECT ''x\\\\''; --'"), "{sql}");
        assert!(sql.contains("'o''brien@host'"), "{sql}");
        assert_eq!(
            crate::sql::lexer::unterminated(&sql, Dialect::Postgres),
            None
        );
        assert_eq!(crate::sql::split::split(&sql, Dialect::Postgres).len(), 1);
    }
}
