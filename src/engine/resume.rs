//! Resuming a revision that runs statement by statement: which of its
//! statements a run records as done, and, given what `migrator_progress`
//! holds, whether the next run starts afresh, resumes after the statements
//! already done, or refuses because one of those was edited since. Pure:
//! the engine reads the rows and runs the statements.
//!
//! A statement is done for good once it ran outside any transaction, or
//! once the `COMMIT` of the file's own transaction around it succeeded;
//! until then a failure rolls it back. So progress is recorded only at
//! those points, and a resume restarts at the `BEGIN` of a transaction
//! that did not commit. The last statement records nothing of its own:
//! the transaction that records the revision as applied (or undone) also
//! removes its progress rows.

use std::ops::Range;

use crate::graph::RevisionGraph;
use crate::record::Direction;
use crate::record::progress::ProgressEntry;
use crate::sql::lexer::{Dialect, Lexer};
use crate::sql::split::{split, transaction_control};
use crate::sql::text::line_col;

/// One statement of a file, as a run statement by statement sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStatement<'a> {
    /// The statement, from its first token to its last.
    pub text: &'a str,
    /// Byte offset of its first token in the file.
    pub offset: usize,
    /// Line of the file where it starts.
    pub line: usize,
    /// [`statement_checksum`] of its text.
    pub checksum: String,
    /// Whether no transaction of the file's own is open after it ran: it
    /// and every statement before it are then done for good.
    pub durable: bool,
}

/// A file's statements, as the splitter of `dialect` cuts it.
/// `commits_by_itself` says which statements commit the transaction open
/// before them (MySQL's DDL; see `Database::commits_by_itself`).
pub fn file_statements(
    sql: &str,
    dialect: Dialect,
    commits_by_itself: impl Fn(&str) -> bool,
) -> Vec<FileStatement<'_>> {
    let mut in_transaction = false;
    split(sql, dialect)
        .into_iter()
        .map(|statement| {
            if let Some(control) = transaction_control(statement.text, dialect) {
                in_transaction = control.in_transaction_after(in_transaction);
            } else if commits_by_itself(statement.text) {
                in_transaction = false;
            }
            FileStatement {
                text: statement.text,
                offset: statement.offset,
                line: line_col(sql, statement.offset).0,
                checksum: statement_checksum(statement.text, dialect),
                durable: !in_transaction,
            }
        })
        .collect()
}

/// A statement's checksum: BLAKE3 of its tokens, without white space and
/// comments, one space apart. Re-indenting a statement or editing a
/// comment in it does not change what it does, nor its checksum; any other
/// edit does.
pub fn statement_checksum(text: &str, dialect: Dialect) -> String {
    let mut hasher = blake3::Hasher::new();
    let mut first = true;
    for token in Lexer::new(text, dialect).filter(|token| !token.is_trivia()) {
        if !first {
            hasher.update(b" ");
        }
        first = false;
        hasher.update(token.text.as_bytes());
    }
    hasher.finalize().to_hex().to_string()
}

/// What a run statement by statement does, in order, from statement `from`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Run the statement at this index.
    Run(usize),
    /// Record these statements as done (they just became durable).
    Record(Range<usize>),
}

/// The run of `statements` from index `from`: each statement, and after
/// each one that leaves no transaction of the file's own open, a record of
/// the statements that became done, but for the last statement (the
/// revision's own record covers it). The same list serves running and
/// `--sql`.
pub fn script(statements: &[FileStatement<'_>], from: usize) -> Vec<Action> {
    let mut actions = Vec::new();
    let mut unrecorded = from;
    for (index, statement) in statements.iter().enumerate().skip(from) {
        actions.push(Action::Run(index));
        if statement.durable && index + 1 < statements.len() {
            actions.push(Action::Record(unrecorded..index + 1));
            unrecorded = index + 1;
        }
    }
    actions
}

/// The rows that record `range` of `statements` as done.
pub fn done_entries(
    revision: &str,
    direction: Direction,
    statements: &[FileStatement<'_>],
    range: Range<usize>,
) -> Vec<ProgressEntry> {
    range
        .map(|index| entry(revision, direction, statements, index, None))
        .collect()
}

/// The row that records the failure of the statement at `index`.
pub fn failure_entry(
    revision: &str,
    direction: Direction,
    statements: &[FileStatement<'_>],
    index: usize,
    error: String,
) -> ProgressEntry {
    entry(revision, direction, statements, index, Some(error))
}

fn entry(
    revision: &str,
    direction: Direction,
    statements: &[FileStatement<'_>],
    index: usize,
    error: Option<String>,
) -> ProgressEntry {
    ProgressEntry {
        revision: revision.to_string(),
        direction,
        statement: index + 1,
        line: statements[index].line,
        checksum: statements[index].checksum.clone(),
        error,
        at: String::new(),
        os_user: String::new(),
    }
}

/// What `migrator_progress` holds for one revision in one direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interrupted {
    pub revision: String,
    pub direction: Direction,
    /// The rows of statements done, in statement order.
    pub done: Vec<ProgressEntry>,
    /// The last failure, when it is of a statement not done since.
    pub failure: Option<ProgressEntry>,
}

impl Interrupted {
    /// How many statements are done: the first ones of the file.
    pub fn done_count(&self) -> usize {
        self.done.len()
    }

    /// When the last row was written: the failure's, or the last done
    /// statement's.
    pub fn at(&self) -> &str {
        self.failure
            .as_ref()
            .or(self.done.last())
            .map_or("", |entry| entry.at.as_str())
    }

    /// Who wrote the last row.
    pub fn os_user(&self) -> &str {
        self.failure
            .as_ref()
            .or(self.done.last())
            .map_or("", |entry| entry.os_user.as_str())
    }
}

/// The rows grouped by revision and direction, in the order they come
/// (the first row of each group decides its place). A group of only a
/// stale failure (of a statement done since) still counts: its revision
/// is not recorded.
pub fn interrupted(progress: &[ProgressEntry]) -> Vec<Interrupted> {
    let mut groups: Vec<Interrupted> = Vec::new();
    for entry in progress {
        let position = groups
            .iter()
            .position(|g| g.revision == entry.revision && g.direction == entry.direction);
        let group = match position {
            Some(at) => &mut groups[at],
            None => {
                groups.push(Interrupted {
                    revision: entry.revision.clone(),
                    direction: entry.direction,
                    done: Vec::new(),
                    failure: None,
                });
                groups.last_mut().expect("just pushed")
            }
        };
        if entry.is_done() {
            group.done.push(entry.clone());
        } else {
            group.failure = Some(entry.clone());
        }
    }
    for group in &mut groups {
        group.done.sort_by_key(|entry| entry.statement);
        let done = group.done.len();
        if group
            .failure
            .as_ref()
            .is_some_and(|failure| failure.statement <= done)
        {
            group.failure = None;
        }
    }
    groups
}

/// How a run of a revision statement by statement starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// Nothing of it is done: from its first statement.
    Fresh,
    /// Its first `n` statements are done, unchanged: from statement `n`
    /// (0-based).
    Resume(usize),
    /// A statement recorded as done is not the file's any more.
    Refused(Mismatch),
}

/// Why the statements done do not match the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// The statement at this position (counting from 1) was edited since
    /// it ran: it starts at `line` now, and started at `recorded_line`.
    Edited {
        statement: usize,
        line: usize,
        recorded_line: usize,
    },
    /// The file has fewer statements than are done: the statement at this
    /// position (counting from 1), at `recorded_line` when it ran, is gone.
    Removed {
        statement: usize,
        recorded_line: usize,
    },
    /// The rows do not say that the first statements are done (statement
    /// `statement` is missing while later ones are recorded): edited by
    /// hand.
    Gap { statement: usize },
}

impl Mismatch {
    /// The position of the statement at fault, counting from 1.
    pub fn statement(&self) -> usize {
        match self {
            Mismatch::Edited { statement, .. }
            | Mismatch::Removed { statement, .. }
            | Mismatch::Gap { statement } => *statement,
        }
    }
}

/// Where a run of a revision starts, given the statements recorded as
/// done (`None`: no progress recorded) and the file's statements now.
pub fn start(recorded: Option<&Interrupted>, file: &[FileStatement<'_>]) -> Start {
    let Some(recorded) = recorded else {
        return Start::Fresh;
    };
    for (index, entry) in recorded.done.iter().enumerate() {
        if entry.statement != index + 1 {
            return Start::Refused(Mismatch::Gap {
                statement: index + 1,
            });
        }
        match file.get(index) {
            None => {
                return Start::Refused(Mismatch::Removed {
                    statement: index + 1,
                    recorded_line: entry.line,
                });
            }
            Some(statement) if statement.checksum != entry.checksum => {
                return Start::Refused(Mismatch::Edited {
                    statement: index + 1,
                    line: statement.line,
                    recorded_line: entry.line,
                });
            }
            Some(_) => {}
        }
    }
    match recorded.done.len() {
        0 => Start::Fresh,
        done => Start::Resume(done),
    }
}

/// A run that cannot go on because a revision is interrupted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocked {
    /// The revision is interrupted in another direction than this run's,
    /// or this run does not include it.
    Elsewhere {
        revision: String,
        direction: Direction,
    },
    /// This run includes it, but cannot run it first: a parent of it is
    /// not applied (upgrade), or a child of it is (downgrade).
    Order {
        revision: String,
        direction: Direction,
        other: String,
    },
}

/// The steps of a run with the interrupted revisions it includes moved to
/// the front, so they are finished before anything else runs; an error
/// when a revision is interrupted that this run does not finish.
/// `applied` says which revisions of the graph are applied.
pub fn finish_first(
    graph: &RevisionGraph,
    applied: &[bool],
    direction: Direction,
    steps: &[usize],
    interrupted: &[Interrupted],
) -> Result<Vec<usize>, Blocked> {
    let mut first = Vec::new();
    for group in interrupted {
        let index = graph.index_of(&group.revision);
        let in_run = index.filter(|index| group.direction == direction && steps.contains(index));
        let Some(index) = in_run else {
            return Err(Blocked::Elsewhere {
                revision: group.revision.clone(),
                direction: group.direction,
            });
        };
        let blocker = match direction {
            Direction::Up => graph
                .parents_of(index)
                .iter()
                .find(|&&parent| !applied[parent]),
            Direction::Down => graph
                .children_of(index)
                .iter()
                .find(|&&child| applied[child]),
        };
        if let Some(&other) = blocker {
            return Err(Blocked::Order {
                revision: group.revision.clone(),
                direction,
                other: graph.at(other).id.clone(),
            });
        }
        first.push(index);
    }
    let mut ordered: Vec<usize> = steps
        .iter()
        .copied()
        .filter(|index| first.contains(index))
        .collect();
    ordered.extend(steps.iter().copied().filter(|index| !first.contains(index)));
    Ok(ordered)
}

/// "statement 3", "statements 1-2", "statements 1-4": a run of positions
/// counting from 1.
pub fn statements_phrase(from: usize, to: usize) -> String {
    match to.saturating_sub(from) {
        0 => format!("statement {from}"),
        _ => format!("statements {from}-{to}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(statement: usize, line: usize, text: &str, error: Option<&str>) -> ProgressEntry {
        ProgressEntry {
            revision: "0002_b".into(),
            direction: Direction::Up,
            statement,
            line,
            checksum: statement_checksum(text, Dialect::Postgres),
            error: error.map(String::from),
            at: String::new(),
            os_user: String::new(),
        }
    }

    #[test]
    fn checksums_ignore_white_space_and_comments_only() {
        let base = "CREATE INDEX i ON t (a)";
        let cases = [
            ("CREATE  INDEX i\n  ON t (a)", true),
            ("CREATE INDEX i /* why */ ON t (a) -- end", true),
            ("CREATE INDEX i ON t(a)", true),
            ("create index i on t (a)", false),
            ("CREATE INDEX i ON t (b)", false),
            ("CREATE INDEX i ON t ('a b')", false),
        ];
        for (text, same) in cases {
            assert_eq!(
                statement_checksum(text, Dialect::Postgres)
                    == statement_checksum(base, Dialect::Postgres),
                same,
                "{text:?}"
            );
        }
        // Inside a string, white space is the string's.
        assert_ne!(
            statement_checksum("SELECT 'a  b'", Dialect::Postgres),
            statement_checksum("SELECT 'a b'", Dialect::Postgres)
        );
    }

    #[test]
    fn statements_inside_the_files_own_transaction_are_durable_at_its_commit() {
        let sql = "-- Transaction: off\n\nCREATE TABLE a (id int);\nBEGIN;\nINSERT INTO a VALUES (1);\nCOMMIT;\nCREATE INDEX CONCURRENTLY i ON a (id);\n";
        let statements = file_statements(sql, Dialect::Postgres, |_| false);
        let seen: Vec<(usize, bool)> = statements.iter().map(|s| (s.line, s.durable)).collect();
        assert_eq!(
            seen,
            [(3, true), (4, false), (5, false), (6, true), (7, true)]
        );
    }

    #[test]
    fn a_statement_that_commits_by_itself_ends_the_files_transaction() {
        // MySQL: DDL inside BEGIN … COMMIT commits what came before it.
        let sql = "BEGIN; INSERT INTO a VALUES (1); CREATE TABLE b (id int); INSERT INTO b VALUES (1); COMMIT;";
        let ddl = |text: &str| text.starts_with("CREATE");
        let durable: Vec<bool> = file_statements(sql, Dialect::Postgres, ddl)
            .iter()
            .map(|s| s.durable)
            .collect();
        assert_eq!(durable, [false, false, true, true, true]);
    }

    fn statements_of(sql: &str) -> Vec<FileStatement<'_>> {
        file_statements(sql, Dialect::Postgres, |_| false)
    }

    #[test]
    fn a_script_records_at_each_durable_point_but_the_last() {
        use Action::{Record, Run};
        // (file, start, script)
        let cases: [(&str, usize, Vec<Action>); 6] = [
            ("A;", 0, vec![Run(0)]),
            (
                "A; B; C;",
                0,
                vec![Run(0), Record(0..1), Run(1), Record(1..2), Run(2)],
            ),
            ("A; B; C;", 1, vec![Run(1), Record(1..2), Run(2)]),
            (
                "A; BEGIN; B; COMMIT; C;",
                0,
                vec![
                    Run(0),
                    Record(0..1),
                    Run(1),
                    Run(2),
                    Run(3),
                    Record(1..4),
                    Run(4),
                ],
            ),
            // A transaction that ends the file: the record covers it.
            ("A; BEGIN; B; COMMIT;", 1, vec![Run(1), Run(2), Run(3)]),
            // COMMIT AND CHAIN keeps a transaction open.
            (
                "BEGIN; A; COMMIT AND CHAIN; B; COMMIT; C;",
                0,
                vec![Run(0), Run(1), Run(2), Run(3), Run(4), Record(0..5), Run(5)],
            ),
        ];
        for (sql, from, expected) in cases {
            assert_eq!(
                script(&statements_of(sql), from),
                expected,
                "{sql} from {from}"
            );
        }
    }

    #[test]
    fn failures_of_statements_done_since_are_stale() {
        let rows = [
            entry(1, 3, "A", None),
            entry(2, 4, "B", Some("boom")),
            entry(2, 4, "B", None),
        ];
        let groups = interrupted(&rows);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].done_count(), 2);
        assert_eq!(groups[0].failure, None);

        let rows = [
            entry(2, 4, "B", None),
            entry(3, 5, "C", Some("boom")),
            entry(1, 3, "A", None),
        ];
        let groups = interrupted(&rows);
        assert_eq!(
            groups[0]
                .done
                .iter()
                .map(|e| e.statement)
                .collect::<Vec<_>>(),
            [1, 2]
        );
        assert_eq!(groups[0].failure.as_ref().map(|f| f.statement), Some(3));
    }

    #[test]
    fn a_run_starts_fresh_resumes_or_refuses() {
        let file = "-- Transaction: off\nA;\nB;\nC;\nD;";
        let group = |rows: &[ProgressEntry]| interrupted(rows).into_iter().next();
        // (rows, the file now, start)
        let cases: Vec<(Vec<ProgressEntry>, &str, Start)> = vec![
            (vec![], file, Start::Fresh),
            // A failure of the first statement leaves nothing done.
            (vec![entry(1, 2, "A", Some("boom"))], file, Start::Fresh),
            (
                vec![
                    entry(1, 2, "A", None),
                    entry(2, 3, "B", None),
                    entry(3, 4, "C", Some("x")),
                ],
                file,
                Start::Resume(2),
            ),
            // The failed statement may be edited, and so may those after it.
            (
                vec![
                    entry(1, 2, "A", None),
                    entry(2, 3, "B", None),
                    entry(3, 4, "C", Some("x")),
                ],
                "-- Transaction: off\nA;\n  B; -- fine\nC2;\nD2;\nE;",
                Start::Resume(2),
            ),
            // A statement done may not.
            (
                vec![entry(1, 2, "A", None), entry(2, 3, "B", None)],
                "-- Transaction: off\n\nA;\nB2;\nC;\nD;",
                Start::Refused(Mismatch::Edited {
                    statement: 2,
                    line: 4,
                    recorded_line: 3,
                }),
            ),
            // Nor removed, nor moved.
            (
                vec![entry(1, 2, "A", None), entry(2, 3, "B", None)],
                "-- Transaction: off\nA;",
                Start::Refused(Mismatch::Removed {
                    statement: 2,
                    recorded_line: 3,
                }),
            ),
            (
                vec![entry(1, 2, "A", None), entry(2, 3, "B", None)],
                "-- Transaction: off\nB;\nA;",
                Start::Refused(Mismatch::Edited {
                    statement: 1,
                    line: 2,
                    recorded_line: 2,
                }),
            ),
            // Rows that skip a statement were not written by migrator.
            (
                vec![entry(1, 2, "A", None), entry(3, 4, "C", None)],
                file,
                Start::Refused(Mismatch::Gap { statement: 2 }),
            ),
        ];
        for (rows, sql, expected) in cases {
            let recorded = group(&rows);
            assert_eq!(
                start(recorded.as_ref(), &statements_of(sql)),
                expected,
                "{rows:?} against {sql:?}"
            );
        }
    }

    #[test]
    fn interrupted_revisions_run_first_or_block_the_run() {
        use crate::graph::tests::graph;
        // 0001 <- 0002 <- 0003; 0001 <- 0004 (a branch)
        let g = graph("0001; 0002 <- 0001; 0003 <- 0002; 0004 <- 0001");
        let id = |name: &str| g.index_of(name).unwrap();
        let interrupted_in = |revision: &str, direction| Interrupted {
            revision: revision.into(),
            direction,
            done: vec![],
            failure: None,
        };
        let mut applied = vec![false; g.len()];
        applied[id("0001")] = true;
        applied[id("0002")] = true;
        // upgrade heads would run 0004 then 0003: 0003 goes first.
        let steps = [id("0004"), id("0003")];
        assert_eq!(
            finish_first(
                &g,
                &applied,
                Direction::Up,
                &steps,
                &[interrupted_in("0003", Direction::Up)]
            ),
            Ok(vec![id("0003"), id("0004")])
        );
        // A run without it is blocked, and so is a run the other way.
        assert_eq!(
            finish_first(
                &g,
                &applied,
                Direction::Up,
                &[id("0004")],
                &[interrupted_in("0003", Direction::Up)]
            ),
            Err(Blocked::Elsewhere {
                revision: "0003".into(),
                direction: Direction::Up
            })
        );
        assert_eq!(
            finish_first(
                &g,
                &applied,
                Direction::Down,
                &[id("0002")],
                &[interrupted_in("0003", Direction::Up)]
            ),
            Err(Blocked::Elsewhere {
                revision: "0003".into(),
                direction: Direction::Up
            })
        );
        // Undoing 0002 while its child 0003 is applied cannot go first.
        applied[id("0003")] = true;
        assert_eq!(
            finish_first(
                &g,
                &applied,
                Direction::Down,
                &[id("0003"), id("0002")],
                &[interrupted_in("0002", Direction::Down)]
            ),
            Err(Blocked::Order {
                revision: "0002".into(),
                direction: Direction::Down,
                other: "0003".into()
            })
        );
        // Nothing interrupted: the steps as they are.
        assert_eq!(
            finish_first(&g, &applied, Direction::Up, &steps, &[]),
            Ok(steps.to_vec())
        );
    }

    #[test]
    fn phrases_name_one_statement_or_a_run() {
        assert_eq!(statements_phrase(1, 1), "statement 1");
        assert_eq!(statements_phrase(1, 2), "statements 1-2");
        assert_eq!(statements_phrase(3, 7), "statements 3-7");
    }
}
