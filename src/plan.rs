//! Plans: which revisions to run, in which order, which way. Pure: they take
//! the graph and the applied set and return positions in the graph.

use crate::graph::RevisionGraph;
use crate::target::{Target, TargetError};

/// Which way a step goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Up,
    Down,
}

/// The revisions to run, by position in the graph, in execution order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub direction: Direction,
    pub steps: Vec<usize>,
}

/// What `stamp` changes in the records: revisions to mark applied (in
/// order) and revisions to unmark (newest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StampPlan {
    pub insert: Vec<usize>,
    pub delete: Vec<usize>,
}

/// `applied` lists applied revision ids oldest first (the order they were
/// applied); ids the graph does not know are ignored.
///
/// Upgrade applies every ancestor of the target, and the target, that is not
/// applied, in graph order. `+N` is the next N pending revisions in graph
/// order. `-N` is refused (`WrongDirection`).
pub fn upgrade(
    graph: &RevisionGraph,
    applied: &[&str],
    target: &Target,
) -> Result<Plan, TargetError> {
    let _ = (graph, applied, target);
    todo!()
}

/// Downgrade undoes every applied revision that descends from the target
/// (not the target itself), newest first (reverse graph order); `base`
/// undoes everything; `-N` undoes the N most recently applied, each time one
/// with no applied children. `+N` is refused (`WrongDirection`).
pub fn downgrade(
    graph: &RevisionGraph,
    applied: &[&str],
    target: &Target,
) -> Result<Plan, TargetError> {
    let _ = (graph, applied, target);
    todo!()
}

/// Stamp changes the records exactly as `upgrade T` followed by
/// `downgrade T` would: T and its ancestors become applied, T's descendants
/// not. `+N` behaves as upgrade, `-N` as downgrade.
pub fn stamp(
    graph: &RevisionGraph,
    applied: &[&str],
    target: &Target,
) -> Result<StampPlan, TargetError> {
    let _ = (graph, applied, target);
    todo!()
}
