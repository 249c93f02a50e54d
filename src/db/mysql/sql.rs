//! The SQL the MySQL backend sends of its own: quoting, the bookkeeping
//! tables and rows, the run lock's name, and what runs around a
//! revision's statements. Pure, so it is unit-tested, and the same
//! functions build what runs and what `--sql` prints.

use crate::db::database::Step;
use crate::record::progress::ProgressEntry;
use crate::record::{Direction, Operator, RecordChange, RevisionRecord};

/// A string literal that reads back as the same `utf8mb4` text whatever
/// the session's `sql_mode` (a revision may turn `NO_BACKSLASH_ESCAPES` on
/// or off): `'…'` with quotes doubled when the text has no backslash, else
/// its bytes in hex, which no mode reads differently.
pub fn quote_literal(text: &str) -> String {
    if text.contains('\\') {
        let mut hex = String::with_capacity(text.len() * 2 + 32);
        hex.push_str("CONVERT(X'");
        for byte in text.bytes() {
            hex.push_str(&format!("{byte:02X}"));
        }
        hex.push_str("' USING utf8mb4)");
        return hex;
    }
    format!("'{}'", text.replace('\'', "''"))
}

/// A quoted identifier: `` `name` `` with inner backticks doubled, read
/// the same with `ANSI_QUOTES` on or off.
pub fn quote_ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// The name of the run lock of a database's bookkeeping: `GET_LOCK` names
/// are the server's (not a database's), so the database is in it. The
/// server takes at most 64 characters: a longer name is shortened to a
/// hash, the same in every migrator.
pub fn lock_name(database: &str) -> String {
    let name = format!("migrator:{database}.migrator_revisions");
    if name.chars().count() <= 64 {
        return name;
    }
    let hash = blake3::hash(name.as_bytes()).to_hex();
    format!("migrator:{}", &hash[..40])
}

/// The server's clock, UTC with milliseconds, as the bookkeeping stores it.
pub const NOW: &str = "UTC_TIMESTAMP(3)";

/// A stored time as the trait returns it: `YYYY-MM-DD HH:MM:SS.mmm`.
pub fn utc_text(column: &str) -> String {
    format!("LEFT(DATE_FORMAT({column}, '%Y-%m-%d %H:%i:%s.%f'), 23)")
}

/// What a transactional step's batch starts with: the transaction, and the
/// time the server started it, from which [`ELAPSED_MS`] counts.
pub const STEP_PREFIX: &str = "START TRANSACTION;\nSET @migrator_started = SYSDATE(6);\n";

/// How many statements [`STEP_PREFIX`] holds: the revision's own come after.
pub const STEP_PREFIX_STATEMENTS: usize = 2;

/// Milliseconds since the step's batch started, measured by the server.
pub const ELAPSED_MS: &str = "(TIMESTAMPDIFF(MICROSECOND, @migrator_started, SYSDATE(6)) DIV 1000)";

/// What a step's SQL runs between, each empty or whole statements ending
/// in `;\n` (see `settings`): the step's timeouts before it, the session
/// put back before its bookkeeping, and what goes back after the `COMMIT`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Around<'a> {
    pub set: &'a str,
    pub restore: &'a str,
    pub after_commit: &'a str,
}

/// The two bookkeeping tables of a database, under their quoted names.
#[derive(Debug, Clone)]
pub struct Tables {
    pub database: String,
    pub revisions: String,
    pub log: String,
    pub progress: String,
}

impl Tables {
    pub fn new(database: &str) -> Tables {
        let quoted = quote_ident(database);
        Tables {
            database: database.to_string(),
            revisions: format!("{quoted}.migrator_revisions"),
            log: format!("{quoted}.migrator_log"),
            progress: format!("{quoted}.migrator_progress"),
        }
    }

    /// Creates the tables (and the database, when `create_database`): the
    /// same columns as on the other backends, `utf8mb4` with a binary
    /// collation so that ids compare byte for byte, `LONGTEXT` for the SQL
    /// (up to 4 GB; `TEXT` stops at 64 KB). InnoDB, so that a revision's
    /// rows commit with its transaction.
    pub fn create(&self, create_database: bool) -> String {
        let database = if create_database {
            format!(
                "CREATE DATABASE IF NOT EXISTS {} CHARACTER SET utf8mb4;\n",
                quote_ident(&self.database)
            )
        } else {
            String::new()
        };
        format!(
            "{database}CREATE TABLE IF NOT EXISTS {revisions} (
    id VARCHAR(255) NOT NULL PRIMARY KEY,
    parents TEXT NOT NULL,
    up_checksum VARCHAR(128) NOT NULL,
    down_checksum VARCHAR(128) NOT NULL,
    up_sql LONGTEXT NOT NULL,
    down_sql LONGTEXT NOT NULL,
    applied_at DATETIME(3) NOT NULL,
    db_user VARCHAR(512) NOT NULL,
    os_user VARCHAR(512) NOT NULL,
    execution_ms BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    CONSTRAINT migrator_revisions_seq UNIQUE (seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS {log} (
    seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    event VARCHAR(32) NOT NULL,
    revision VARCHAR(255) NOT NULL,
    at DATETIME(3) NOT NULL,
    db_user VARCHAR(512) NOT NULL,
    os_user VARCHAR(512) NOT NULL,
    duration_ms BIGINT,
    checksum VARCHAR(128),
    note TEXT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS {progress} (
    revision VARCHAR(255) NOT NULL,
    direction VARCHAR(8) NOT NULL,
    statement INT NOT NULL,
    line INT NOT NULL,
    checksum VARCHAR(128) NOT NULL,
    error TEXT,
    at DATETIME(3) NOT NULL,
    os_user VARCHAR(512) NOT NULL,
    PRIMARY KEY (revision, direction, statement)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
",
            revisions = self.revisions,
            log = self.log,
            progress = self.progress,
        )
    }

    /// How many of the history's two tables exist (`migrator_revisions`,
    /// `migrator_log`), and whether the progress table does: one row.
    pub fn count_tables(&self) -> String {
        format!(
            "SELECT SUM(TABLE_NAME IN ('migrator_revisions', 'migrator_log')), SUM(TABLE_NAME = 'migrator_progress') FROM information_schema.TABLES WHERE TABLE_SCHEMA = {}",
            quote_literal(&self.database)
        )
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
        let mut batch = String::from("START TRANSACTION;\n");
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
                        "({}, {}, {}, {}, {}, {}, {NOW}, {os_user})",
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
                 ON DUPLICATE KEY UPDATE line = VALUES(line), checksum = VALUES(checksum), \
                 error = VALUES(error), at = VALUES(at), os_user = VALUES(os_user);\n",
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
            "START TRANSACTION;\n{}{}COMMIT;\n",
            self.bookkeeping(&step.record, operator, duration_ms),
            self.clear_progress(step.revision, step.direction)
        )
    }

    pub fn select_progress(&self) -> String {
        format!(
            "SELECT revision, direction, statement, line, checksum, error, {}, os_user FROM {} ORDER BY revision, direction, statement",
            utc_text("at"),
            self.progress
        )
    }

    /// The bookkeeping statements for one change: the revisions row and
    /// its log row, each ending in `;\n`. `duration_ms` is SQL: a number,
    /// or [`ELAPSED_MS`].
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
        let (revisions, log) = (&self.revisions, &self.log);
        let log_columns = "(event, revision, at, db_user, os_user, duration_ms, checksum, note)";
        match change {
            // The log row is read back from the revision row, so both have
            // the same time and duration.
            RecordChange::Insert { event, record } => {
                let row = RecordLiterals::of(record);
                format!(
                    "INSERT INTO {revisions} (id, parents, up_checksum, down_checksum, up_sql, down_sql, applied_at, db_user, os_user, execution_ms, seq)\nSELECT {id}, {parents}, {up}, {down}, {up_sql}, {down_sql}, {NOW}, CURRENT_USER(), {os_user}, {duration_ms}, COALESCE(MAX(seq), 0) + 1 FROM {revisions};\nINSERT INTO {log} {log_columns}\nSELECT {event}, id, applied_at, db_user, os_user, execution_ms, up_checksum, {note} FROM {revisions} WHERE id = {id};\n",
                    id = row.id,
                    parents = row.parents,
                    up = row.up,
                    down = row.down,
                    up_sql = row.up_sql,
                    down_sql = row.down_sql,
                    event = quote_literal(event.as_str()),
                )
            }
            RecordChange::ClearProgress {
                event,
                id,
                direction,
                checksum,
            } => format!(
                "{clear}INSERT INTO {log} {log_columns}\nVALUES ({event}, {id}, {NOW}, CURRENT_USER(), {os_user}, {duration_ms}, {checksum}, {note});\n",
                clear = self.clear_progress(id, *direction),
                id = quote_literal(id),
                event = quote_literal(event.as_str()),
                checksum = quote_literal(checksum),
            ),
            RecordChange::Delete {
                event,
                id,
                checksum,
            } => format!(
                "DELETE FROM {revisions} WHERE id = {id};\nINSERT INTO {log} {log_columns}\nVALUES ({event}, {id}, {NOW}, CURRENT_USER(), {os_user}, {duration_ms}, {checksum}, {note});\n",
                id = quote_literal(id),
                event = quote_literal(event.as_str()),
                checksum = quote_literal(checksum),
            ),
            // The derived table, an aggregate, is read before the update
            // (MySQL refuses a subquery of the table being updated).
            RecordChange::Reapply { event, record } => {
                let row = RecordLiterals::of(record);
                format!(
                    "UPDATE {revisions} SET parents = {parents}, up_checksum = {up}, down_checksum = {down}, up_sql = {up_sql}, down_sql = {down_sql}, applied_at = {NOW}, db_user = CURRENT_USER(), os_user = {os_user}, execution_ms = {duration_ms}, seq = (SELECT next_seq FROM (SELECT COALESCE(MAX(seq), 0) + 1 AS next_seq FROM {revisions}) AS last)\nWHERE id = {id};\nINSERT INTO {log} {log_columns}\nSELECT {event}, id, applied_at, db_user, os_user, execution_ms, up_checksum, {note} FROM {revisions} WHERE id = {id};\n",
                    id = row.id,
                    parents = row.parents,
                    up = row.up,
                    down = row.down,
                    up_sql = row.up_sql,
                    down_sql = row.down_sql,
                    event = quote_literal(event.as_str()),
                )
            }
            RecordChange::Update { event, record } => {
                let row = RecordLiterals::of(record);
                format!(
                    "UPDATE {revisions} SET parents = {parents}, up_checksum = {up}, down_checksum = {down}, up_sql = {up_sql}, down_sql = {down_sql} WHERE id = {id};\nINSERT INTO {log} {log_columns}\nVALUES ({event}, {id}, {NOW}, CURRENT_USER(), {os_user}, {duration_ms}, {up}, {note});\n",
                    id = row.id,
                    parents = row.parents,
                    up = row.up,
                    down = row.down,
                    up_sql = row.up_sql,
                    down_sql = row.down_sql,
                    event = quote_literal(event.as_str()),
                )
            }
        }
    }

    /// The one batch a transactional step sends: [`STEP_PREFIX`], the
    /// revision's statements, its bookkeeping, `COMMIT`. The server runs a
    /// batch's statements in order and stops at the first that fails, so
    /// the number of results before an error says which one it was.
    ///
    /// `around` sets the step's timeouts first (one statement, or none),
    /// puts the session back before the bookkeeping, and `autocommit`
    /// after the `COMMIT` (turning it on commits).
    pub fn transactional_batch(
        &self,
        statements: &[&str],
        change: &RecordChange,
        operator: &Operator,
        around: &Around<'_>,
    ) -> String {
        let mut batch = format!("{}{STEP_PREFIX}", around.set);
        for statement in statements {
            batch.push_str(statement);
            batch.push_str(";\n");
        }
        batch.push_str(around.restore);
        batch.push_str(&self.bookkeeping(change, operator, ELAPSED_MS));
        batch.push_str("COMMIT;\n");
        batch.push_str(around.after_commit);
        batch
    }

    /// The transaction that records changes: a step's, once its statements
    /// ran one by one, or those of stamp and repair.
    pub fn record_batch(
        &self,
        changes: &[RecordChange],
        operator: &Operator,
        duration_ms: &str,
    ) -> String {
        let mut batch = String::from("START TRANSACTION;\n");
        for change in changes {
            batch.push_str(&self.bookkeeping(change, operator, duration_ms));
        }
        batch.push_str("COMMIT;\n");
        batch
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

    /// A step as `--sql` prints it, for the `mysql` client: what
    /// `run_step` sends, in that order, with 0 for a duration the client
    /// measures. A statement that holds a `;` of its own (a routine's
    /// body) is put between `DELIMITER` lines, as the client needs.
    pub fn render_step(
        &self,
        step: &Step<'_>,
        statements: &[&str],
        operator: &Operator,
        around: &Around<'_>,
    ) -> String {
        let mut script = format!("{}{STEP_PREFIX}", around.set);
        for statement in statements {
            script.push_str(&for_the_client(statement));
        }
        script.push_str(around.restore);
        script.push_str(&self.bookkeeping(&step.record, operator, ELAPSED_MS));
        script.push_str("COMMIT;\n");
        script
    }

    /// A step run statement by statement as `--sql` prints it: its
    /// statements from `resume_at`, the progress rows where the engine
    /// writes them, and its record, with 0 for the duration.
    pub fn render_by_statement(
        &self,
        step: &Step<'_>,
        operator: &Operator,
        around: &Around<'_>,
    ) -> String {
        use crate::engine::resume::{Action, done_entries, file_statements, script};
        use crate::sql::lexer::Dialect;

        let statements = file_statements(step.sql, Dialect::Mysql, |text| {
            !super::script::keeps_transaction(text)
        });
        let mut text = around.set.to_string();
        for action in script(&statements, step.resume_at) {
            match action {
                Action::Run(index) => text.push_str(&for_the_client(statements[index].text)),
                Action::Record(range) => {
                    let entries = done_entries(step.revision, step.direction, &statements, range);
                    text.push_str(&self.progress_batch(&entries, operator));
                }
            }
        }
        text.push_str(around.restore);
        text.push_str(&self.finish_batch(step, operator, "0"));
        text
    }
}

/// A statement as the `mysql` client reads it from a script: ended by
/// `;`, or, when it holds one, by a delimiter it does not hold.
pub fn for_the_client(statement: &str) -> String {
    if !statement.contains(';') {
        return format!("{statement};\n");
    }
    let delimiter = ["$$", "//", ";;", "$$$$", "@@@@"]
        .into_iter()
        .find(|d| !statement.contains(d))
        .unwrap_or("~~migrator~~");
    format!("DELIMITER {delimiter}\n{statement}{delimiter}\nDELIMITER ;\n")
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Event;
    use crate::sql::lexer::{Dialect, unterminated};
    use crate::sql::split::split;

    #[test]
    fn quotes_literals_the_same_in_every_sql_mode() {
        let cases = [
            ("", "''"),
            ("plain", "'plain'"),
            ("it's", "'it''s'"),
            ("é ✓", "'é ✓'"),
            ("a\\b", "CONVERT(X'615C62' USING utf8mb4)"),
            ("'\\", "CONVERT(X'275C' USING utf8mb4)"),
        ];
        for (text, expected) in cases {
            assert_eq!(quote_literal(text), expected, "{text:?}");
        }
    }

    #[test]
    fn quotes_identifiers() {
        assert_eq!(quote_ident("app"), "`app`");
        assert_eq!(quote_ident("we`ird"), "`we``ird`");
    }

    #[test]
    fn lock_names_fit_the_server_and_differ_by_database() {
        assert_eq!(lock_name("app"), "migrator:app.migrator_revisions");
        assert_ne!(lock_name("app"), lock_name("app2"));
        let long = "d".repeat(64);
        assert!(lock_name(&long).chars().count() <= 64);
        assert_eq!(lock_name(&long), lock_name(&long));
        assert_ne!(lock_name(&long), lock_name(&"e".repeat(64)));
    }

    fn operator() -> Operator {
        Operator {
            os_user: "o'brien@host".into(),
            note: Some("--allow-drift".into()),
        }
    }

    fn insert() -> RecordChange {
        RecordChange::Insert {
            event: Event::Upgrade,
            record: RevisionRecord {
                id: "0001_a".into(),
                parents: vec!["0000_x".into(), "0000_y".into()],
                up_checksum: "u".into(),
                down_checksum: "d".into(),
                up_sql: "INSERT INTO t VALUES ('x\\'; --');".into(),
                down_sql: String::new(),
            },
        }
    }

    #[test]
    fn bookkeeping_is_whole_statements_in_mysqls_own_reading() {
        let tables = Tables::new("we`ird");
        for change in [
            insert(),
            RecordChange::Delete {
                event: Event::Downgrade,
                id: "0001_a".into(),
                checksum: "d".into(),
            },
        ] {
            let sql = tables.bookkeeping(&change, &operator(), ELAPSED_MS);
            assert_eq!(unterminated(&sql, Dialect::Mysql), None, "{sql}");
            assert_eq!(split(&sql, Dialect::Mysql).len(), 2, "{sql}");
            assert!(sql.contains("`we``ird`.migrator_revisions"), "{sql}");
            assert!(sql.contains("'o''brien@host'"), "{sql}");
        }
    }

    #[test]
    fn a_transactional_batch_is_the_prefix_the_statements_the_rows_and_commit() {
        let tables = Tables::new("app");
        let batch = tables.transactional_batch(
            &["INSERT INTO t VALUES (1)", "DO 1"],
            &insert(),
            &operator(),
            &Around::default(),
        );
        let statements: Vec<&str> = split(&batch, Dialect::Mysql)
            .iter()
            .map(|s| s.text)
            .collect();
        assert_eq!(statements.len(), STEP_PREFIX_STATEMENTS + 2 + 2 + 1);
        assert_eq!(
            &statements[..4],
            [
                "START TRANSACTION",
                "SET @migrator_started = SYSDATE(6)",
                "INSERT INTO t VALUES (1)",
                "DO 1"
            ]
        );
        assert_eq!(statements.last(), Some(&"COMMIT"));
    }

    #[test]
    fn statements_with_semicolons_get_a_delimiter_of_their_own() {
        assert_eq!(for_the_client("DROP TABLE t"), "DROP TABLE t;\n");
        assert_eq!(
            for_the_client("CREATE PROCEDURE p() BEGIN SELECT 1; END"),
            "DELIMITER $$\nCREATE PROCEDURE p() BEGIN SELECT 1; END$$\nDELIMITER ;\n"
        );
        assert_eq!(
            for_the_client("CREATE PROCEDURE p() BEGIN SELECT '$$'; END"),
            "DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT '$$'; END//\nDELIMITER ;\n"
        );
        // What the client reads back is the statement.
        let script = for_the_client("CREATE PROCEDURE p() BEGIN SELECT 1; END");
        let read: Vec<&str> = split(&script, Dialect::Mysql)
            .iter()
            .map(|s| s.text)
            .collect();
        assert_eq!(read, ["CREATE PROCEDURE p() BEGIN SELECT 1; END"]);
    }
}
