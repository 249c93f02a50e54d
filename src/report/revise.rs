//! What the commands that write the versions folder (or the project
//! around it) return: `init`, `new`, `merge` and its `--check`, `rebase`.

use std::path::PathBuf;

use crate::graph::overlap::{Effect, Overlap};
use crate::graph::rebase::Move;
use crate::report::RevisionView;

/// `init`: the versions folder and `migrator.toml`, each created or left
/// as it was.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InitReport {
    pub dir: PathBuf,
    /// False when the folder existed already.
    pub dir_created: bool,
    pub config_file: PathBuf,
    /// False when the file existed already (it is never overwritten).
    pub config_file_created: bool,
}

/// `new`: the revision created.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NewReport {
    pub revision: RevisionView,
}

/// `squash`: the revision written, the ones it replaces, and those of
/// them that run without a transaction (which makes the squash run
/// without one).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SquashReport {
    pub revision: RevisionView,
    /// Oldest first.
    pub replaces: Vec<String>,
    pub untransactional: Vec<String>,
}

/// `merge`: the merge revision created, and the objects its branches both
/// touched (a warning: review those revisions together).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MergeReport {
    pub revision: RevisionView,
    pub overlaps: Vec<Overlap>,
}

/// `merge --check`: what each branch did since the heads parted, and the
/// objects that more than one branch touches.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MergeCheckReport {
    /// The heads a merge would join.
    pub heads: Vec<String>,
    /// The newest revisions the heads share; empty when they share none.
    pub merge_bases: Vec<String>,
    /// One per head, in the order of `heads`.
    pub branches: Vec<BranchReport>,
    pub overlaps: Vec<Overlap>,
}

impl MergeCheckReport {
    /// True when no object is touched by more than one branch.
    pub fn is_clean(&self) -> bool {
        self.overlaps.is_empty()
    }
}

/// One head's branch since the merge bases.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BranchReport {
    pub head: String,
    /// In the order of the graph.
    pub revisions: Vec<BranchRevision>,
}

/// A revision of a branch and what its up file does to database objects.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BranchRevision {
    pub revision: RevisionView,
    /// The DDL effects of its up file, in order; empty for one without DDL.
    pub effects: Vec<Effect>,
}

/// `rebase`: the revisions moved (or, with `dry_run`, that would move).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RebaseReport {
    /// The head the branch now follows.
    pub onto: String,
    /// True when nothing was changed.
    pub dry_run: bool,
    /// The versions folder.
    pub folder: PathBuf,
    /// In the order of the graph: renames and new parents.
    pub moves: Vec<Move>,
}
