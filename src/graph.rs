//! The revision graph: a pure function of the parsed revisions, no I/O.
//!
//! Revisions are addressed by their position in the deterministic
//! topological order of DESIGN section 2 (an index into
//! [`RevisionGraph::revisions`]); every operation is linear in the size of
//! the graph.

use crate::problem::Problem;
use crate::revision::Revision;
use crate::target::TargetError;

/// The revisions and their parent/child links, kept in the deterministic
/// topological order of DESIGN section 2 (ties broken by number, then id).
#[derive(Debug, Clone)]
pub struct RevisionGraph {
    revisions: Vec<Revision>,
}

impl RevisionGraph {
    /// Builds the graph; reports unknown parents, duplicate ids and cycles
    /// (naming the revisions of the cycle), all at once, each naming the file
    /// and line.
    pub fn new(revisions: Vec<Revision>) -> Result<RevisionGraph, Vec<Problem>> {
        let _ = revisions;
        todo!("RevisionGraph::new")
    }

    /// Every revision, in topological order.
    pub fn revisions(&self) -> &[Revision] {
        &self.revisions
    }

    pub fn len(&self) -> usize {
        self.revisions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.revisions.is_empty()
    }

    /// The revision at a position of the order.
    pub fn at(&self, index: usize) -> &Revision {
        &self.revisions[index]
    }

    /// The position of a revision by its full id.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        let _ = id;
        todo!()
    }

    pub fn get(&self, id: &str) -> Option<&Revision> {
        self.index_of(id).map(|i| &self.revisions[i])
    }

    /// Positions of a revision's parents, in the order of its header.
    pub fn parents_of(&self, index: usize) -> &[usize] {
        let _ = index;
        todo!()
    }

    /// Positions of a revision's children, in order.
    pub fn children_of(&self, index: usize) -> &[usize] {
        let _ = index;
        todo!()
    }

    /// Revisions with no children, in order.
    pub fn heads(&self) -> Vec<usize> {
        todo!()
    }

    /// Revisions with no parents, in order.
    pub fn roots(&self) -> Vec<usize> {
        todo!()
    }

    /// Revisions with two or more children, in order.
    pub fn branch_points(&self) -> Vec<usize> {
        todo!()
    }

    /// Revisions with two or more parents, in order.
    pub fn merge_points(&self) -> Vec<usize> {
        todo!()
    }

    /// Membership, by position, of the given revisions and all their
    /// ancestors.
    pub fn ancestors(&self, of: &[usize]) -> Vec<bool> {
        let _ = of;
        todo!()
    }

    /// Membership, by position, of the given revisions and all their
    /// descendants.
    pub fn descendants(&self, of: &[usize]) -> Vec<bool> {
        let _ = of;
        todo!()
    }

    /// Finds a revision by full id or by a prefix that matches exactly one
    /// id. An ambiguous prefix lists the candidates; an unknown name
    /// suggests the closest id.
    pub fn resolve(&self, name: &str) -> Result<usize, TargetError> {
        let _ = name;
        todo!()
    }

    /// Of a set of applied revisions (membership by position), those with
    /// no applied child: what `current` shows.
    pub fn applied_heads(&self, applied: &[bool]) -> Vec<usize> {
        let _ = applied;
        todo!()
    }
}
