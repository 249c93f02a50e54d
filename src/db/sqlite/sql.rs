//! The SQL the SQLite backend sends of its own: the bookkeeping tables and
//! what runs around a step's SQL (its rows are [`super::bookkeeping`]'s).
//! Pure text, and the same functions build what runs and what `--sql`
//! prints, so the two cannot disagree.

use super::bookkeeping;
use crate::db::database::Step;
use crate::record::Operator;

/// Every b-tree a revision touches costs a page in the journal and in the
/// file at each commit, so the tables keep few: the application order is
/// the rowid, the id has its one index, and the log's rowid grows without
/// AUTOINCREMENT's extra table (log rows are never deleted).
pub const CREATE_TABLES: &str = "
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
);
CREATE TABLE IF NOT EXISTS migrator_progress (
    revision TEXT NOT NULL,
    direction TEXT NOT NULL,
    statement INTEGER NOT NULL,
    line INTEGER NOT NULL,
    checksum TEXT NOT NULL,
    error TEXT,
    at TEXT NOT NULL,
    os_user TEXT NOT NULL,
    PRIMARY KEY (revision, direction, statement)
);";

/// The rows of `migrator_progress`, in the order the trait returns them.
pub const SELECT_PROGRESS: &str =
    "SELECT revision, direction, statement, line, checksum, error, at, os_user
 FROM migrator_progress ORDER BY revision, direction, statement";

/// Whether both bookkeeping tables exist: one row, one count.
pub const COUNT_TABLES: &str = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('migrator_revisions', 'migrator_log')";

/// The applied revisions, in the order they were applied.
pub const SELECT_APPLIED: &str = "SELECT id, parents, up_checksum, down_checksum, up_sql, down_sql, applied_at, db_user, os_user, execution_ms
 FROM migrator_revisions ORDER BY seq";

/// The log, oldest first.
pub const SELECT_LOG: &str =
    "SELECT seq, event, revision, at, db_user, os_user, duration_ms, checksum, note
 FROM migrator_log ORDER BY seq";

/// The bookkeeping tables, as `--sql` prints them for a fresh database.
pub fn create_tables() -> String {
    format!("{}\n", CREATE_TABLES.trim())
}

/// What opens a transaction: a transactional step's, one that only
/// records (stamp, repair, the end of a step run statement by statement)
/// or one that records progress. IMMEDIATE takes the write lock now, so a
/// reader holding the file cannot make the commit fail halfway.
pub const BEGIN: &str = "BEGIN IMMEDIATE";

/// What ends a step, or a transaction that only records.
pub const COMMIT: &str = "COMMIT";

/// A step as `--sql` prints it: what `run_step` sends, in the order it
/// sends it, with 0 for the duration it measures; for a step run statement
/// by statement, what the engine has `run_statement`, `record_progress`
/// and `finish_step` send.
pub fn render_step(step: &Step<'_>, operator: &Operator) -> String {
    if !step.transactional {
        return render_by_statement(step, operator);
    }
    let record = bookkeeping::render(std::slice::from_ref(&step.record), operator, 0);
    let sql = step.sql.trim_end();
    format!("{BEGIN};\n{sql}\n;\n{record}{COMMIT};\n")
}

fn render_by_statement(step: &Step<'_>, operator: &Operator) -> String {
    use crate::engine::resume::{Action, done_entries, file_statements, script};
    use crate::sql::lexer::Dialect;

    let statements = file_statements(step.sql, Dialect::Sqlite, |_| false);
    let mut out = String::new();
    for action in script(&statements, step.resume_at) {
        match action {
            Action::Run(index) => {
                out.push_str(statements[index].text);
                out.push_str(";\n");
            }
            Action::Record(range) => {
                let entries = done_entries(step.revision, step.direction, &statements, range);
                out.push_str(&format!("{BEGIN};\n"));
                out.push_str(&bookkeeping::render_statements(&bookkeeping::progress(
                    &entries, operator,
                )));
                out.push_str(&format!("{COMMIT};\n"));
            }
        }
    }
    out.push_str(&finish_step(step, operator, 0));
    out
}

/// What records a step run statement by statement, as `--sql` prints it.
pub fn finish_step(step: &Step<'_>, operator: &Operator, duration_ms: i64) -> String {
    let record = bookkeeping::render(std::slice::from_ref(&step.record), operator, duration_ms);
    let clear = bookkeeping::render_statements(&[bookkeeping::clear_progress(
        step.revision,
        step.direction,
    )]);
    format!("{BEGIN};\n{record}{clear}{COMMIT};\n")
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use rusqlite::Connection;

    use super::*;
    use crate::record::{Direction, Event, RecordChange, RevisionRecord};

    fn operator() -> Operator {
        Operator {
            os_user: "ann@host".into(),
            note: Some("it's --allow-drift".into()),
        }
    }

    fn insert(id: &str) -> RecordChange {
        RecordChange::Insert {
            event: Event::Upgrade,
            record: RevisionRecord {
                id: id.into(),
                parents: vec!["0001_a".into(), "0001_b".into()],
                up_checksum: "up".into(),
                down_checksum: "down".into(),
                up_sql: "CREATE TABLE t (v text DEFAULT 'x');".into(),
                down_sql: "DROP TABLE t;".into(),
            },
        }
    }

    fn step<'a>(sql: &'a str, transactional: bool, record: RecordChange) -> Step<'a> {
        Step {
            revision: "0002_o'brien",
            direction: Direction::Up,
            sql,
            path: Path::new("versions/0002_o'brien.up.sql"),
            transactional,
            timeouts: Default::default(),
            record,
            resume_at: 0,
        }
    }

    #[test]
    fn a_transactional_step_is_one_transaction_with_its_bookkeeping() {
        let step = step(
            "CREATE TABLE t (v text DEFAULT 'x');\n\n",
            true,
            insert("0002_o'brien"),
        );
        let text = render_step(&step, &operator());
        assert!(text.starts_with("BEGIN IMMEDIATE;\nCREATE TABLE t (v text DEFAULT 'x');\n;\nINSERT INTO migrator_revisions "), "{text}");
        assert!(text.contains("VALUES ('0002_o''brien', '0001_a,0001_b', 'up', 'down', 'CREATE TABLE t (v text DEFAULT ''x'');', 'DROP TABLE t;', strftime('%Y-%m-%d %H:%M:%f', 'now'), '', 'ann@host', 0);"), "{text}");
        assert!(text.contains("VALUES ('upgrade', '0002_o''brien', strftime('%Y-%m-%d %H:%M:%f', 'now'), '', 'ann@host', 0, 'up', 'it''s --allow-drift');"), "{text}");
        assert!(text.ends_with("COMMIT;\n"), "{text}");
        assert_eq!(text.matches("BEGIN").count(), 1, "{text}");
    }

    #[test]
    fn a_step_outside_a_transaction_records_in_one_of_its_own() {
        let step = step("CREATE TABLE t (v text);", false, insert("0002_o'brien"));
        let text = render_step(&step, &operator());
        assert!(
            text.starts_with(
                "CREATE TABLE t (v text);\nBEGIN IMMEDIATE;\nINSERT INTO migrator_revisions "
            ),
            "{text}"
        );
        assert!(
            text.ends_with(
                "DELETE FROM migrator_progress WHERE revision = '0002_o''brien' AND direction = 'up';\nCOMMIT;\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_step_outside_a_transaction_records_progress_where_the_run_does() {
        let sql = "-- Transaction: off\nCREATE TABLE a (id int);\nBEGIN;\nINSERT INTO a VALUES (1);\nCOMMIT;\nCREATE TABLE b (id int);\n";
        let mut resumed = step(sql, false, insert("0002_o'brien"));
        let text = render_step(&resumed, &operator());
        let progress = |text: &str| -> Vec<String> {
            text.lines()
                .filter(|line| line.starts_with("VALUES ('0002_o''brien', 'up', "))
                .map(|line| line.split(", ").nth(2).unwrap().to_string())
                .collect()
        };
        // Statement 1 alone, then 2-4 at the COMMIT; the last is the record's.
        assert_eq!(progress(&text), ["1", "2", "3", "4"], "{text}");
        assert_eq!(text.matches("BEGIN IMMEDIATE;").count(), 3, "{text}");
        resumed.resume_at = 1;
        let text = render_step(&resumed, &operator());
        assert!(
            text.starts_with("BEGIN;\nINSERT INTO a VALUES (1);\nCOMMIT;\n"),
            "{text}"
        );
        assert_eq!(progress(&text), ["2", "3", "4"], "{text}");
    }

    /// What `--sql` prints for a fresh database runs, and leaves what a run
    /// leaves: the SQL's effect and one row in each table.
    #[test]
    fn the_printed_script_runs() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(&create_tables()).unwrap();
        for transactional in [true, false] {
            let sql = "CREATE TABLE t (v text DEFAULT 'x'); -- a comment at the end";
            conn.execute_batch(&render_step(
                &step(sql, transactional, insert("0002_o'brien")),
                &operator(),
            ))
            .unwrap();
            let count = |sql: &str| conn.query_row(sql, [], |row| row.get::<_, i64>(0)).unwrap();
            assert_eq!(count("SELECT count(*) FROM t"), 0);
            assert_eq!(
                count("SELECT count(*) FROM migrator_revisions WHERE id = '0002_o''brien'"),
                1
            );
            let delete = RecordChange::Delete {
                event: Event::Downgrade,
                id: "0002_o'brien".into(),
                checksum: "down".into(),
            };
            conn.execute_batch(&render_step(
                &step("DROP TABLE t;", transactional, delete),
                &operator(),
            ))
            .unwrap();
            assert_eq!(count("SELECT count(*) FROM migrator_revisions"), 0);
        }
        let count = conn
            .query_row("SELECT count(*) FROM migrator_log", [], |row| {
                row.get::<_, i64>(0)
            })
            .unwrap();
        assert_eq!(count, 4);
    }
}
