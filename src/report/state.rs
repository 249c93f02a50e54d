//! How a database stands against the folder: `status` and `current`.

use crate::graph::drift::Drift;
use crate::record::Direction;
use crate::report::RevisionView;

/// `status`: applied, pending, drifted, missing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StatusReport {
    pub database: String,
    pub folder: std::path::PathBuf,
    /// Revisions in the folder.
    pub revisions: usize,
    /// Ids of the applied revisions of the folder, in graph order.
    pub applied: Vec<String>,
    /// Revisions not applied yet, in the order `upgrade heads` would run them.
    pub pending: Vec<RevisionView>,
    /// Applied up files that changed since.
    pub drifted: Vec<Drift>,
    /// Applied down files that changed since (a warning).
    pub down_drifted: Vec<Drift>,
    /// Applied revisions missing from the folder, not explained by `ahead`.
    pub missing: Vec<String>,
    /// Applied revisions of a newer folder: they descend from this
    /// folder's heads (a rolling deploy, a rollback).
    pub ahead: Vec<String>,
    /// Applied repeatable revisions whose up file changed: the next
    /// upgrade applies them again (not drift).
    pub reapply: Vec<Drift>,
    /// Pending squashes that the next upgrade records without running
    /// them, since this database applied (some of) the revisions they
    /// replace; the rest of those run first.
    pub adopt: Vec<String>,
    /// Applied revisions that a squash of the folder replaces.
    pub replaced: Vec<String>,
    /// When another run holds the migration lock: who (`pid N (user@host)`;
    /// empty when unknown).
    pub run_in_progress: Option<String>,
    /// Revisions run statement by statement that stopped halfway (or are
    /// running now, when `run_in_progress` says so).
    pub interrupted: Vec<InterruptedView>,
}

impl StatusReport {
    /// True when something needs doing or fixing (`status --check`).
    pub fn needs_attention(&self) -> bool {
        !self.pending.is_empty()
            || !self.drifted.is_empty()
            || !self.missing.is_empty()
            || !self.interrupted.is_empty()
            || !self.reapply.is_empty()
    }
}

/// A revision that runs statement by statement and stopped halfway: what
/// `migrator_progress` says of it, read against its file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InterruptedView {
    pub revision: String,
    pub direction: Direction,
    /// The file it runs; `None` when the revision is not in the folder.
    pub file: Option<std::path::PathBuf>,
    /// How many statements the file holds now.
    pub statements: Option<usize>,
    /// How many of its first statements are done (they stay done).
    pub done: usize,
    /// The lines where the statements done started when they ran.
    pub done_lines: Vec<usize>,
    /// The statement that failed, when the run recorded its failure (a
    /// killed run records none).
    pub failed: Option<FailedStatement>,
    /// Where the next run resumes (the first statement not done, in the
    /// file as it is now); `None` when it would refuse (`edited`) or the
    /// file is not in the folder.
    pub resumes_at: Option<StatementAt>,
    /// The first statement done that differs in the file now: the next
    /// run refuses to resume until it is restored.
    pub edited: Option<StatementAt>,
    /// When the last row was written (UTC) and by whom.
    pub at: String,
    pub os_user: String,
}

/// A statement of a file: its position (counting from 1) and line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct StatementAt {
    pub statement: usize,
    pub line: usize,
}

/// The statement a run stopped at, with the database's error.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FailedStatement {
    pub statement: usize,
    /// Its line when it ran.
    pub line: usize,
    pub error: String,
}

/// `current`: the database's applied heads.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CurrentReport {
    pub database: String,
    /// The applied revisions none of whose children are applied.
    pub current: Vec<RevisionView>,
    pub missing: Vec<String>,
    pub ahead: Vec<String>,
    /// How many revisions of the folder are not applied.
    pub pending: usize,
    /// How many heads the folder has.
    pub folder_heads: usize,
}

/// `log`: the events of `migrator_log`, newest first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LogReport {
    pub database: String,
    pub events: Vec<crate::record::LogEntry>,
}
