//! What `upgrade`, `downgrade`, `stamp` and `repair` did, or would do.

use crate::graph::plan::StepKind;
use crate::record::Direction;
use crate::report::RevisionView;

/// One revision that ran.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StepReport {
    pub revision: RevisionView,
    pub direction: Direction,
    pub elapsed_ms: u128,
    /// `apply`, `reapply` (a repeatable revision whose file changed),
    /// `adopt` (a squash recorded without running) or `undo`.
    pub kind: StepKind,
    /// What the step did that is not the plain run of a file, in words.
    pub note: Option<String>,
}

/// A run that completed: the steps that ran, in order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RunReport {
    /// Where it ran (never with a password).
    pub database: String,
    pub direction: Direction,
    /// The target as given (`head`, `0003`, `-1`, …).
    pub target: String,
    pub steps: Vec<StepReport>,
    pub elapsed_ms: u128,
    /// Applied revisions of a newer folder, left as they are (a rolling
    /// deploy or a rollback).
    pub ahead: Vec<String>,
}

/// What a run would do (`--dry-run`): nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PlanReport {
    pub database: String,
    pub direction: Direction,
    pub target: String,
    /// The revisions that would run, in order.
    pub steps: Vec<RevisionView>,
    /// What each of `steps` would do, in the same order (see
    /// [`StepReport::kind`]).
    pub kinds: Vec<StepKind>,
    pub ahead: Vec<String>,
}

/// The SQL a run would send (`--sql`), bookkeeping included.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SqlScript {
    pub database: String,
    pub direction: Direction,
    pub target: String,
    /// Statements that must come first (the bookkeeping tables of a fresh
    /// database).
    pub preamble: Option<String>,
    pub steps: Vec<SqlStep>,
}

/// The SQL of one step of a [`SqlScript`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SqlStep {
    pub revision: String,
    pub direction: Direction,
    pub file: std::path::PathBuf,
    /// For a revision resumed after an interrupted run: how many of its
    /// first statements are done already (`sql` starts after them).
    pub resume_at: usize,
    pub sql: String,
}

/// What `stamp` changed in the records.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct StampReport {
    pub target: String,
    pub inserted: Vec<String>,
    pub deleted: Vec<String>,
}

/// What `repair` recorded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RepairReport {
    pub database: String,
    /// The revisions whose records now hold the checksums and text of
    /// their files; empty when every applied file matched its record.
    pub repaired: Vec<String>,
    /// The interrupted revisions whose progress was forgotten: their next
    /// run starts at their first statement.
    pub forgotten: Vec<String>,
}
