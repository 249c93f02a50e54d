//! How a database stands against the folder: `status` and `current`.

use crate::graph::drift::Drift;
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
}

impl StatusReport {
    /// True when something needs doing or fixing (`status --check`).
    pub fn needs_attention(&self) -> bool {
        !self.pending.is_empty()
            || !self.drifted.is_empty()
            || !self.missing.is_empty()
            || !self.reapply.is_empty()
    }
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
