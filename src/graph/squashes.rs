//! How a squash sits in the graph, while the graph is built. Pure.
//!
//! A squash `S` (`-- Replaces: A, B, C`) stands for the revisions it
//! replaces (its members), whose files may still be in the folder or may
//! be deleted. So that one graph serves every database, whatever it
//! applied:
//!
//! - a revision outside the squash that names a member as its parent
//!   follows `S` instead (its file is not edited: its checksum stays);
//! - `S` follows the members still in the folder, so they come before it
//!   in every order, and none of them is a head;
//! - a member whose parent is a deleted member is a root.
//!
//! The planner (`plan`) decides, per database, whether `S` runs, or the
//! members do and `S` is then only recorded (see [`super::squash`]).

use std::collections::HashMap;

use crate::source::problem::Problem;
use crate::source::revision::Revision;

/// Every id a squash replaces, with the squash's position among
/// `revisions`. An id replaced by two squashes, and a squash that replaces
/// a repeatable revision, are problems.
pub(super) fn replaced_by(
    revisions: &[Revision],
    position: &HashMap<String, usize>,
    problems: &mut Vec<Problem>,
) -> HashMap<String, usize> {
    let mut replaced: HashMap<String, usize> = HashMap::new();
    for (squash, revision) in revisions.iter().enumerate() {
        for id in &revision.replaces {
            if let Some(&first) = replaced.get(id) {
                problems.push(
                    Problem::new(
                        &revision.up.path,
                        Some(revision.parents_line),
                        format!(
                            "`{id}` is replaced by two squashes: {} and {}",
                            revisions[first].id, revision.id
                        ),
                    )
                    .with_hint(
                        "a revision belongs to one squash; remove it from one `Replaces` line",
                    ),
                );
                continue;
            }
            if let Some(&at) = position.get(id)
                && revisions[at].repeatable
            {
                problems.push(
                    Problem::new(
                        &revision.up.path,
                        Some(revision.parents_line),
                        format!(
                            "{} replaces the repeatable revision `{id}`",
                            revision.id
                        ),
                    )
                    .with_hint(
                        "a repeatable revision is re-applied when it changes and is never squashed; \
                         remove it from `Replaces`",
                    ),
                );
                continue;
            }
            replaced.insert(id.clone(), squash);
        }
    }
    replaced
}

/// Where the link from `child` (at `child_position`) to its parent `parent`
/// (at `parent_position` when its files are in the folder) goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Link {
    /// To the revision at this position.
    To(usize),
    /// Nowhere: a member of a squash whose parent, a member of the same
    /// squash, was deleted.
    Dropped,
    /// A parent nobody knows: a problem.
    Unknown,
}

pub(super) fn link(
    child_position: usize,
    child: &str,
    parent: &str,
    parent_position: Option<usize>,
    replaced_by: &HashMap<String, usize>,
) -> Link {
    let childs_squash = replaced_by.get(child);
    match replaced_by.get(parent) {
        Some(&squash) if squash != child_position && childs_squash != Some(&squash) => {
            Link::To(squash)
        }
        Some(_) => parent_position.map_or(Link::Dropped, Link::To),
        None => parent_position.map_or(Link::Unknown, Link::To),
    }
}

/// Makes each squash follow its members still in the folder: the last of
/// them (those no other member follows) become its parents too.
pub(super) fn follow_replaced(
    revisions: &[Revision],
    replaced_by: &HashMap<String, usize>,
    parents: &mut [Vec<usize>],
) {
    let squash_of = |i: usize| replaced_by.get(&revisions[i].id).copied();
    let mut followed = vec![false; revisions.len()];
    for (member, links) in parents.iter().enumerate() {
        if let Some(squash) = squash_of(member) {
            for &parent in links {
                if squash_of(parent) == Some(squash) {
                    followed[parent] = true;
                }
            }
        }
    }
    for (member, followed) in followed.into_iter().enumerate() {
        if let Some(squash) = squash_of(member)
            && !followed
            && !parents[squash].contains(&member)
        {
            parents[squash].push(member);
        }
    }
}
