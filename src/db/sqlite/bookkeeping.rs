//! The bookkeeping statements of one change, as SQL with `?N` parameters
//! and their values: bound when they run, so a revision's text is never
//! quoted into a statement that SQLite would copy and parse again (a 50 MB
//! up file once cost several times its size in memory here), and written
//! out with the values quoted for `--sql`. One function makes both, so the
//! two agree.

use std::borrow::Cow;

use rusqlite::{Connection, ToSql};

use crate::record::progress::ProgressEntry;
use crate::record::{Direction, Operator, RecordChange, RevisionRecord};
use crate::sql::text::literal;

/// SQLite's clock, UTC with milliseconds, in the format the trait returns.
const NOW: &str = "strftime('%Y-%m-%d %H:%M:%f', 'now')";

/// One statement: SQL whose parameters are `?1`, `?2`, …, and their values.
#[derive(Debug, PartialEq)]
pub struct Statement<'a> {
    sql: String,
    values: Vec<Value<'a>>,
}

#[derive(Debug, Clone, PartialEq)]
enum Value<'a> {
    Text(Cow<'a, str>),
    Integer(i64),
    Null,
}

impl Statement<'_> {
    /// Runs the statement with its values bound.
    pub fn execute(&self, conn: &Connection) -> rusqlite::Result<()> {
        let mut statement = conn.prepare_cached(&self.sql)?;
        for (index, value) in self.values.iter().enumerate() {
            let value: &dyn ToSql = match value {
                Value::Text(text) => text,
                Value::Integer(n) => n,
                Value::Null => &rusqlite::types::Null,
            };
            statement.raw_bind_parameter(index + 1, value)?;
        }
        statement.raw_execute()?;
        Ok(())
    }

    /// The statement with its values written in, for `--sql`.
    pub fn render(&self, out: &mut String) {
        let mut rest = self.sql.as_str();
        // The SQL is ours: a `?` in it is always a parameter.
        while let Some(at) = rest.find('?') {
            out.push_str(&rest[..at]);
            let digits = rest[at + 1..]
                .find(|c: char| !c.is_ascii_digit())
                .map_or(rest.len(), |end| at + 1 + end);
            let index: usize = rest[at + 1..digits].parse().expect("a parameter number");
            match &self.values[index - 1] {
                Value::Text(text) => out.push_str(&literal(text)),
                Value::Integer(n) => out.push_str(&n.to_string()),
                Value::Null => out.push_str("NULL"),
            }
            rest = &rest[digits..];
        }
        out.push_str(rest);
        out.push('\n');
    }
}

/// A record's parents, checksums and SQL, in the order the revisions
/// table's columns run (`parents` to `down_sql`).
fn record_values(record: &RevisionRecord) -> Vec<Value<'_>> {
    vec![
        Value::Text(Cow::Owned(record.parents.join(","))),
        Value::Text(Cow::Borrowed(&record.up_checksum)),
        Value::Text(Cow::Borrowed(&record.down_checksum)),
        Value::Text(Cow::Borrowed(&record.up_sql)),
        Value::Text(Cow::Borrowed(&record.down_sql)),
    ]
}

/// The revisions row and the log row of one change.
pub fn statements<'a>(
    change: &'a RecordChange,
    operator: &'a Operator,
    duration_ms: i64,
) -> [Statement<'a>; 2] {
    let text = |value: &'a str| Value::Text(Cow::Borrowed(value));
    let (event, id, checksum, row) = match change {
        RecordChange::Insert { event, record } => (
            event,
            &record.id,
            &record.up_checksum,
            Statement {
                sql: format!(
                    "INSERT INTO migrator_revisions (id, parents, up_checksum, down_checksum, up_sql, down_sql, applied_at, db_user, os_user, execution_ms)\nVALUES (?1, ?2, ?3, ?4, ?5, ?6, {NOW}, '', ?7, ?8);"
                ),
                values: [
                    vec![text(&record.id)],
                    record_values(record),
                    vec![text(&operator.os_user), Value::Integer(duration_ms)],
                ]
                .concat(),
            },
        ),
        RecordChange::Delete {
            event,
            id,
            checksum,
        } => (
            event,
            id,
            checksum,
            Statement {
                sql: "DELETE FROM migrator_revisions WHERE id = ?1;".into(),
                values: vec![text(id)],
            },
        ),
        RecordChange::ClearProgress {
            event,
            id,
            direction,
            checksum,
        } => (event, id, checksum, clear_progress(id, *direction)),
        RecordChange::Update { event, record } => (
            event,
            &record.id,
            &record.up_checksum,
            Statement {
                sql: "UPDATE migrator_revisions SET parents = ?1, up_checksum = ?2, down_checksum = ?3, up_sql = ?4, down_sql = ?5 WHERE id = ?6;".into(),
                values: [record_values(record), vec![text(&record.id)]].concat(),
            },
        ),
        RecordChange::Reapply { event, record } => (
            event,
            &record.id,
            &record.up_checksum,
            Statement {
                sql: format!(
                    "UPDATE migrator_revisions SET parents = ?1, up_checksum = ?2, down_checksum = ?3, up_sql = ?4, down_sql = ?5, applied_at = {NOW}, db_user = '', os_user = ?6, execution_ms = ?7, seq = (SELECT max(seq) + 1 FROM migrator_revisions) WHERE id = ?8;"
                ),
                values: [
                    record_values(record),
                    vec![
                        text(&operator.os_user),
                        Value::Integer(duration_ms),
                        text(&record.id),
                    ],
                ]
                .concat(),
            },
        ),
    };
    let log = Statement {
        sql: format!(
            "INSERT INTO migrator_log (event, revision, at, db_user, os_user, duration_ms, checksum, note)\nVALUES (?1, ?2, {NOW}, '', ?3, ?4, ?5, ?6);"
        ),
        values: vec![
            text(event.as_str()),
            text(id),
            text(&operator.os_user),
            Value::Integer(duration_ms),
            text(checksum),
            change
                .log_note(operator)
                .map_or(Value::Null, |note| Value::Text(Cow::Owned(note))),
        ],
    };
    [row, log]
}

/// Removes the `migrator_progress` rows of a revision in one direction.
pub fn clear_progress(revision: &str, direction: Direction) -> Statement<'_> {
    Statement {
        sql: "DELETE FROM migrator_progress WHERE revision = ?1 AND direction = ?2;".into(),
        values: vec![
            Value::Text(Cow::Borrowed(revision)),
            Value::Text(Cow::Borrowed(direction.as_str())),
        ],
    }
}

/// The rows of `entries`, each replacing the row of its statement; before
/// a failure, the removal of the earlier failure of its revision and
/// direction.
pub fn progress<'a>(entries: &'a [ProgressEntry], operator: &'a Operator) -> Vec<Statement<'a>> {
    let text = |value: &'a str| Value::Text(Cow::Borrowed(value));
    let mut statements = Vec::with_capacity(entries.len() + 1);
    for entry in entries {
        if entry.error.is_some() {
            statements.push(Statement {
                sql: "DELETE FROM migrator_progress WHERE revision = ?1 AND direction = ?2 AND error IS NOT NULL;".into(),
                values: vec![text(&entry.revision), text(entry.direction.as_str())],
            });
        }
        statements.push(Statement {
            sql: format!(
                "INSERT OR REPLACE INTO migrator_progress (revision, direction, statement, line, checksum, error, at, os_user)\nVALUES (?1, ?2, ?3, ?4, ?5, ?6, {NOW}, ?7);"
            ),
            values: vec![
                text(&entry.revision),
                text(entry.direction.as_str()),
                Value::Integer(entry.statement as i64),
                Value::Integer(entry.line as i64),
                text(&entry.checksum),
                entry.error.as_deref().map_or(Value::Null, text),
                text(&operator.os_user),
            ],
        });
    }
    statements
}

/// Statements written out for `--sql`.
pub fn render_statements(statements: &[Statement<'_>]) -> String {
    let mut out = String::new();
    for statement in statements {
        statement.render(&mut out);
    }
    out
}

/// The statements of `changes`, written out for `--sql`.
pub fn render(changes: &[RecordChange], operator: &Operator, duration_ms: i64) -> String {
    let mut out = String::new();
    for change in changes {
        for statement in statements(change, operator, duration_ms) {
            statement.render(&mut out);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Event, RevisionRecord};

    fn operator(note: Option<&str>) -> Operator {
        Operator {
            os_user: "ann@box".into(),
            note: note.map(String::from),
        }
    }

    #[test]
    fn rendered_values_are_quoted_in_place_of_their_parameters() {
        let insert = RecordChange::Insert {
            event: Event::Upgrade,
            record: RevisionRecord {
                id: "0002_b".into(),
                parents: vec!["0001_a".into(), "0001_c".into()],
                up_checksum: "u1".into(),
                down_checksum: "d1".into(),
                up_sql: "INSERT INTO t VALUES ('it''s ?1');".into(),
                down_sql: String::new(),
            },
        };
        let now = NOW;
        assert_eq!(
            render(&[insert], &operator(None), 12),
            format!(
                "INSERT INTO migrator_revisions (id, parents, up_checksum, down_checksum, up_sql, down_sql, applied_at, db_user, os_user, execution_ms)\n\
                 VALUES ('0002_b', '0001_a,0001_c', 'u1', 'd1', 'INSERT INTO t VALUES (''it''''s ?1'');', '', {now}, '', 'ann@box', 12);\n\
                 INSERT INTO migrator_log (event, revision, at, db_user, os_user, duration_ms, checksum, note)\n\
                 VALUES ('upgrade', '0002_b', {now}, '', 'ann@box', 12, 'u1', NULL);\n"
            )
        );
        let delete = RecordChange::Delete {
            event: Event::Stamp,
            id: "0002_b".into(),
            checksum: "d1".into(),
        };
        assert_eq!(
            render(&[delete], &operator(Some("--allow-drift")), 0),
            format!(
                "DELETE FROM migrator_revisions WHERE id = '0002_b';\n\
                 INSERT INTO migrator_log (event, revision, at, db_user, os_user, duration_ms, checksum, note)\n\
                 VALUES ('stamp', '0002_b', {now}, '', 'ann@box', 0, 'd1', '--allow-drift');\n"
            )
        );
    }

    #[test]
    fn bound_and_rendered_statements_write_the_same_rows() {
        let update = RecordChange::Update {
            event: Event::Repair,
            record: RevisionRecord {
                id: "0001_a".into(),
                parents: vec![],
                up_checksum: "u2".into(),
                down_checksum: "d2".into(),
                up_sql: "SELECT '?2';".into(),
                down_sql: "SELECT 1;".into(),
            },
        };
        let insert = RecordChange::Insert {
            event: Event::Upgrade,
            record: RevisionRecord {
                id: "0001_a".into(),
                parents: vec![],
                up_checksum: "u1".into(),
                down_checksum: "d1".into(),
                up_sql: "SELECT 'it''s';".into(),
                down_sql: String::new(),
            },
        };
        let rows = |conn: &Connection| -> Vec<String> {
            let mut select = conn
                .prepare(
                    "SELECT id || '|' || parents || '|' || up_checksum || '|' || up_sql || '|' || down_sql || '|' || os_user || '|' || execution_ms FROM migrator_revisions
                     UNION ALL SELECT event || '|' || revision || '|' || coalesce(note, 'NULL') || '|' || checksum FROM migrator_log",
                )
                .unwrap();
            select
                .query_map([], |row| row.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        let operator = operator(Some("it's"));
        let bound = Connection::open_in_memory().unwrap();
        let rendered = Connection::open_in_memory().unwrap();
        for conn in [&bound, &rendered] {
            conn.execute_batch(super::super::sql::CREATE_TABLES)
                .unwrap();
        }
        for change in [&insert, &update] {
            for statement in statements(change, &operator, 7) {
                statement.execute(&bound).unwrap();
            }
        }
        rendered
            .execute_batch(&render(&[insert, update], &operator, 7))
            .unwrap();
        assert_eq!(rows(&bound), rows(&rendered));
        assert_eq!(
            rows(&bound),
            [
                "0001_a||u2|SELECT '?2';|SELECT 1;|ann@box|7",
                "upgrade|0001_a|it's|u1",
                "repair|0001_a|it's|u2",
            ]
        );
    }
}
