//! The SQL the SQLite backend sends of its own: the bookkeeping tables and
//! what runs around a step's SQL (its rows are [`super::bookkeeping`]'s).
//! Pure text, and the same functions build what runs and what `--sql`
//! prints, so the two cannot disagree.

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
);";

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

/// What opens a step's transaction; nothing for `Transaction: off`.
pub fn step_begin(transactional: bool) -> Option<&'static str> {
    // IMMEDIATE takes the write lock now, so a reader holding the file
    // cannot make the commit fail halfway.
    transactional.then_some("BEGIN IMMEDIATE")
}

/// What opens a transaction that only records (stamp, repair, and the
/// bookkeeping of a `Transaction: off` step).
pub const BEGIN: &str = "BEGIN IMMEDIATE";

/// What ends a step, or a transaction that only records.
pub const COMMIT: &str = "COMMIT";

/// What opens the transaction of a step's bookkeeping: one of its own for
/// `Transaction: off`, else none (it joins the step's).
pub fn record_begin(transactional: bool) -> Option<&'static str> {
    (!transactional).then_some(BEGIN)
}

/// A step as `--sql` prints it: what `run_step` sends, in the order it
/// sends it, with 0 for the duration it measures.
pub fn render_step(step: &Step<'_>, operator: &Operator) -> String {
    let record = super::bookkeeping::render(std::slice::from_ref(&step.record), operator, 0);
    let sql = step.sql.trim_end();
    let begin = step_begin(step.transactional).map_or(String::new(), |b| format!("{b};\n"));
    let opens = record_begin(step.transactional).map_or(String::new(), |b| format!("{b};\n"));
    format!("{begin}{sql}\n;\n{opens}{record}{COMMIT};\n")
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
                "CREATE TABLE t (v text);\n;\nBEGIN IMMEDIATE;\nINSERT INTO migrator_revisions "
            ),
            "{text}"
        );
        assert!(text.ends_with("COMMIT;\n"), "{text}");
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
