//! How a revision's statements run on MySQL, decided from their text:
//! MySQL and MariaDB commit DDL at once (an implicit commit before and
//! after each `CREATE`, `ALTER`, `DROP`, `RENAME`, `TRUNCATE`, `GRANT`, …),
//! so no transaction can hold a revision that has any; such a revision runs
//! statement by statement and is recorded after its last. A revision of
//! only data statements runs in one transaction with its record, as on the
//! other backends. Also: where in a statement the server's "near '…' at
//! line N" points. Pure.

use crate::sql::lexer::{Dialect, Kind, Lexer};
use crate::sql::split::Statement;

/// How a step's statements run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// In one transaction with the bookkeeping, sent as one batch.
    Transaction,
    /// One by one, each committed as it completes (DDL, or `Transaction:
    /// off`); the bookkeeping in a transaction of its own after the last.
    EachStatement,
}

/// How a step runs: in a transaction when it asks for one and holds no
/// statement that would commit it.
pub fn mode(statements: &[Statement<'_>], transactional: bool) -> Mode {
    if transactional && statements.iter().all(|s| keeps_transaction(s.text)) {
        Mode::Transaction
    } else {
        Mode::EachStatement
    }
}

/// Whether a statement runs inside a transaction without committing it:
/// data statements (`INSERT`, `UPDATE`, `DELETE`, `REPLACE`, `SELECT`,
/// `WITH`, `VALUES`, `TABLE`, `DO`) and `SET` of a variable, but not `SET
/// autocommit`, `SET PASSWORD` or `SET TRANSACTION`. Everything else (DDL,
/// account and table maintenance statements, `LOCK TABLES`, `CALL` of a
/// procedure that may commit, `/*! … */`, anything unknown) is taken to
/// commit.
pub fn keeps_transaction(statement: &str) -> bool {
    let mut words = Lexer::new(statement, Dialect::Mysql).filter(|t| !t.is_trivia());
    let Some(first) = words.next() else {
        return true;
    };
    if first.kind != Kind::Word {
        return false;
    }
    let is = |word: &str| first.text.eq_ignore_ascii_case(word);
    if [
        "insert", "update", "delete", "replace", "select", "with", "values", "table", "do",
    ]
    .into_iter()
    .any(is)
    {
        return true;
    }
    if is("set") {
        return !words.any(|t| {
            t.kind == Kind::Word
                && ["autocommit", "password", "transaction"]
                    .iter()
                    .any(|w| t.text.eq_ignore_ascii_case(w))
        });
    }
    false
}

/// Where in `statement` the server's syntax error points, from its
/// message's `near '…' at line N` (the text from the error on, cut short,
/// and the line, counted from the statement's first): a byte offset into
/// the statement, at the line's start when the text is not found there.
/// `None` when the message says no place.
pub fn near(statement: &str, message: &str) -> Option<usize> {
    let at_line = message.rfind("' at line ")?;
    let line: usize = message[at_line + "' at line ".len()..]
        .trim_end()
        .parse()
        .ok()?;
    let open = message[..at_line].find("near '")? + "near '".len();
    let snippet = &message[open..at_line];
    if snippet.is_empty() {
        // At the end of the statement.
        return Some(statement.trim_end().len());
    }
    let line_start = match line {
        0 => return None,
        1 => 0,
        _ => statement.match_indices('\n').nth(line - 2)?.0 + 1,
    };
    // The snippet runs on past the statement, into what followed it in a
    // batch, and the server cuts it short: its first line, then its first
    // word, is what to look for.
    let first = snippet.lines().next().unwrap_or(snippet);
    let word = first
        .split(|c: char| c.is_whitespace() || c == ';')
        .next()
        .unwrap_or(first);
    let line = &statement[line_start..];
    [first, word]
        .into_iter()
        .filter(|text| !text.is_empty())
        .find_map(|text| line.find(text))
        .map(|i| line_start + i)
        .or(Some(line_start))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::split::split;

    #[test]
    fn data_statements_keep_the_transaction_and_others_commit_it() {
        let keep = [
            "INSERT INTO t VALUES (1)",
            "insert ignore into t select * from u",
            "UPDATE t SET a = 1",
            "DELETE FROM t",
            "REPLACE INTO t VALUES (1)",
            "SELECT 1",
            "WITH x AS (SELECT 1) SELECT * FROM x",
            "DO SLEEP(0)",
            "SET @x = 1",
            "SET NAMES utf8mb4",
            "/* a comment */ INSERT INTO t VALUES (1)",
            "",
        ];
        for statement in keep {
            assert!(keeps_transaction(statement), "{statement}");
        }
        let commit = [
            "CREATE TABLE t (a int)",
            "ALTER TABLE t ADD b int",
            "DROP INDEX i ON t",
            "RENAME TABLE a TO b",
            "TRUNCATE t",
            "GRANT SELECT ON t TO u",
            "CREATE USER u",
            "LOCK TABLES t WRITE",
            "CALL p()",
            "SET autocommit = 1",
            "SET SESSION AUTOCOMMIT = 0",
            "SET PASSWORD FOR u = PASSWORD('x')",
            "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE",
            "BEGIN",
            "COMMIT",
            "/*!40101 SET NAMES utf8 */",
            "ANALYZE TABLE t",
            "`weird`",
        ];
        for statement in commit {
            assert!(!keeps_transaction(statement), "{statement}");
        }
    }

    #[test]
    fn a_revision_runs_in_a_transaction_only_when_each_statement_keeps_it() {
        let cases = [
            (
                "INSERT INTO t VALUES (1); UPDATE t SET a = 2;",
                true,
                Mode::Transaction,
            ),
            (
                "INSERT INTO t VALUES (1); UPDATE t SET a = 2;",
                false,
                Mode::EachStatement,
            ),
            (
                "INSERT INTO t VALUES (1); CREATE INDEX i ON t (a);",
                true,
                Mode::EachStatement,
            ),
            ("-- nothing", true, Mode::Transaction),
            ("CREATE TABLE t (a int)", true, Mode::EachStatement),
        ];
        for (sql, transactional, expected) in cases {
            assert_eq!(
                mode(&split(sql, Dialect::Mysql), transactional),
                expected,
                "{sql}"
            );
        }
    }

    #[test]
    fn finds_where_a_syntax_error_points() {
        let message = |near: &str, line: usize| {
            format!(
                "You have an error in your SQL syntax; check the manual that corresponds to your MariaDB server version for the right syntax to use near '{near}' at line {line}"
            )
        };
        let statement = "CREATE TABLE t (\n  a int,\n  b intt\n)";
        let cases = [
            (message("intt\n)", 3), Some(statement.find("intt").unwrap())),
            // Cut into the next statement of a batch.
            (
                message("intt;\nINSERT INTO x", 3),
                Some(statement.find("intt").unwrap()),
            ),
            (message("", 4), Some(statement.len())),
            // Not on that line: the line's start.
            (message("zzz", 2), Some(statement.find("  a int").unwrap())),
            (message("CREATE", 1), Some(0)),
            // A line past the statement, or no place at all.
            (message("x", 9), None),
            ("Table 't' already exists".to_string(), None),
        ];
        for (message, expected) in cases {
            assert_eq!(near(statement, &message), expected, "{message}");
        }
    }
}
