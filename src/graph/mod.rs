//! The revision graph: a pure function of the parsed revisions, no I/O.
//!
//! Revisions are addressed by their position in the deterministic
//! topological order of DESIGN section 2 (an index into
//! [`RevisionGraph::revisions`]); every operation is linear in the size of
//! the graph, or n log n where it sorts.

pub mod drift;
pub mod lanes;
pub mod overlap;
pub mod plan;
pub mod range;
pub mod rebase;
pub mod squash;
mod squashes;
pub mod target;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use crate::graph::target::TargetError;
use crate::source::file_name::Number;
use crate::source::problem::Problem;
use crate::source::revision::Revision;
use crate::suggest;

/// The revisions and their parent/child links, kept in the deterministic
/// topological order of DESIGN section 2 (ties broken by number, then id).
#[derive(Debug, Clone)]
pub struct RevisionGraph {
    revisions: Vec<Revision>,
    index: HashMap<String, usize>,
    parents: Vec<Vec<usize>>,
    children: Vec<Vec<usize>>,
    /// Positions sorted by id, for prefix look-ups by binary search.
    by_id: Vec<usize>,
    /// Every id a squash in the folder `Replaces`, with the squash's
    /// position, whether the replaced revision's files are still here or not.
    replaced_by: HashMap<String, usize>,
}

impl RevisionGraph {
    /// Builds the graph; reports unknown parents, duplicate ids and cycles
    /// (naming the revisions of the cycle), all at once, each naming the file
    /// and line.
    pub fn new(revisions: Vec<Revision>) -> Result<RevisionGraph, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut unique: Vec<Revision> = Vec::with_capacity(revisions.len());
        let mut position: HashMap<String, usize> = HashMap::with_capacity(revisions.len());
        for revision in revisions {
            if let Some(&first) = position.get(&revision.id) {
                let first: &Revision = &unique[first];
                problems.push(
                    Problem::new(
                        &revision.up.path,
                        None,
                        format!(
                            "revision id `{}` is defined twice: {} and {}",
                            revision.id,
                            first.up.path.display(),
                            revision.up.path.display()
                        ),
                    )
                    .with_hint("ids are unique in the whole folder; rename one"),
                );
                continue;
            }
            position.insert(revision.id.clone(), unique.len());
            unique.push(revision);
        }

        let replaced_by = squashes::replaced_by(&unique, &position, &mut problems);

        // Parent links by input position; unknown parents are reported and
        // left out so cycles can still be found. A parent that a squash
        // replaces stands for the squash (see `squashes`).
        let mut parents: Vec<Vec<usize>> = Vec::with_capacity(unique.len());
        for (child, revision) in unique.iter().enumerate() {
            let mut links = Vec::with_capacity(revision.parents.len());
            for parent in &revision.parents {
                let link = squashes::link(
                    child,
                    &revision.id,
                    parent,
                    position.get(parent).copied(),
                    &replaced_by,
                );
                match link {
                    squashes::Link::To(p) if !links.contains(&p) => links.push(p),
                    squashes::Link::To(_) | squashes::Link::Dropped => {}
                    squashes::Link::Unknown => {
                        let mut problem = Problem::new(
                            &revision.up.path,
                            Some(revision.parents_line),
                            format!(
                                "{} names a parent that does not exist: `{parent}`",
                                revision.id
                            ),
                        );
                        let ids = unique.iter().map(|r| r.id.as_str());
                        if let Some(close) = suggest::closest(parent, ids, &[&revision.id]) {
                            problem = problem.with_hint(format!("did you mean `{close}`?"));
                        }
                        problems.push(problem);
                    }
                }
            }
            parents.push(links);
        }
        squashes::follow_replaced(&unique, &replaced_by, &mut parents);
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); unique.len()];
        for (child, links) in parents.iter().enumerate() {
            for &parent in links {
                children[parent].push(child);
            }
        }

        // Kahn's algorithm; the heap takes the smallest (number, id) first.
        let mut waiting: Vec<usize> = parents.iter().map(Vec::len).collect();
        let mut ready: BinaryHeap<Reverse<(&Number, &str, usize)>> = unique
            .iter()
            .enumerate()
            .filter(|(i, _)| waiting[*i] == 0)
            .map(|(i, r)| Reverse((&r.number, r.id.as_str(), i)))
            .collect();
        let mut order = Vec::with_capacity(unique.len());
        while let Some(Reverse((_, _, i))) = ready.pop() {
            order.push(i);
            for &child in &children[i] {
                waiting[child] -= 1;
                if waiting[child] == 0 {
                    let r = &unique[child];
                    ready.push(Reverse((&r.number, r.id.as_str(), child)));
                }
            }
        }
        if order.len() < unique.len() {
            problems.extend(cycles(&unique, &parents, &waiting));
        }
        if !problems.is_empty() {
            return Err(problems);
        }

        // Renumber everything by position in the order.
        let mut new_position = vec![0; unique.len()];
        for (new, &old) in order.iter().enumerate() {
            new_position[old] = new;
        }
        let remap = |links: &Vec<usize>| links.iter().map(|&l| new_position[l]).collect::<Vec<_>>();
        let parents_in_order: Vec<Vec<usize>> =
            order.iter().map(|&old| remap(&parents[old])).collect();
        let mut children_in_order: Vec<Vec<usize>> =
            order.iter().map(|&old| remap(&children[old])).collect();
        for links in &mut children_in_order {
            links.sort_unstable();
        }
        let mut slots: Vec<Option<Revision>> = unique.into_iter().map(Some).collect();
        let revisions: Vec<Revision> = order
            .iter()
            .map(|&old| slots[old].take().expect("each revision once"))
            .collect();
        let index = revisions
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        let mut by_id: Vec<usize> = (0..revisions.len()).collect();
        by_id.sort_unstable_by(|&a, &b| revisions[a].id.cmp(&revisions[b].id));
        let replaced_by = replaced_by
            .into_iter()
            .map(|(id, squash)| (id, new_position[squash]))
            .collect();
        Ok(RevisionGraph {
            revisions,
            index,
            parents: parents_in_order,
            children: children_in_order,
            by_id,
            replaced_by,
        })
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

    /// The ids at these positions, comma-separated, for messages.
    pub fn ids_joined(&self, indices: &[usize]) -> String {
        indices
            .iter()
            .map(|&i| self.revisions[i].id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The position of a revision by its full id.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    pub fn get(&self, id: &str) -> Option<&Revision> {
        self.index_of(id).map(|i| &self.revisions[i])
    }

    /// Positions of a revision's parents, in the order of its header.
    pub fn parents_of(&self, index: usize) -> &[usize] {
        &self.parents[index]
    }

    /// Positions of a revision's children, in order.
    pub fn children_of(&self, index: usize) -> &[usize] {
        &self.children[index]
    }

    /// Revisions with no children, in order, where repeatable revisions do
    /// not count: a repeatable revision (a view, a function) hangs off the
    /// history without continuing it, so it needs no merge, `head` is not
    /// it, and `new` does not build on it.
    pub fn heads(&self) -> Vec<usize> {
        (0..self.len()).filter(|&i| self.is_head(i)).collect()
    }

    /// Whether the revision at `index` is a head: not repeatable, and no
    /// child but repeatable ones.
    pub fn is_head(&self, index: usize) -> bool {
        !self.revisions[index].repeatable && self.continuing_children(index).next().is_none()
    }

    /// The children that continue the history: all but repeatable ones.
    fn continuing_children(&self, index: usize) -> impl Iterator<Item = usize> + '_ {
        self.children[index]
            .iter()
            .copied()
            .filter(|&c| !self.revisions[c].repeatable)
    }

    /// The position of the squash in the folder that replaces revision
    /// `id` (whose files may be gone), if one does.
    pub fn squash_replacing(&self, id: &str) -> Option<usize> {
        self.replaced_by.get(id).copied()
    }

    /// Positions of the squashes in the folder, in order.
    pub fn squashes(&self) -> Vec<usize> {
        (0..self.len())
            .filter(|&i| self.revisions[i].is_squash())
            .collect()
    }

    /// Revisions with no parents, in order.
    pub fn roots(&self) -> Vec<usize> {
        (0..self.len())
            .filter(|&i| self.parents[i].is_empty())
            .collect()
    }

    /// Revisions with two or more children, in order; repeatable children
    /// do not count (they branch off without continuing the history).
    pub fn branch_points(&self) -> Vec<usize> {
        (0..self.len())
            .filter(|&i| self.is_branch_point(i))
            .collect()
    }

    /// Whether the revision at `index` has two or more children that are
    /// not repeatable.
    pub fn is_branch_point(&self, index: usize) -> bool {
        self.continuing_children(index).nth(1).is_some()
    }

    /// Revisions with two or more parents, in order.
    pub fn merge_points(&self) -> Vec<usize> {
        (0..self.len())
            .filter(|&i| self.parents[i].len() > 1)
            .collect()
    }

    /// Membership, by position, of the given revisions and all their
    /// ancestors.
    pub fn ancestors(&self, of: &[usize]) -> Vec<bool> {
        self.reach(of, &self.parents)
    }

    /// Membership, by position, of the given revisions and all their
    /// descendants.
    pub fn descendants(&self, of: &[usize]) -> Vec<bool> {
        self.reach(of, &self.children)
    }

    fn reach(&self, from: &[usize], links: &[Vec<usize>]) -> Vec<bool> {
        let mut seen = vec![false; self.len()];
        let mut stack: Vec<usize> = from.to_vec();
        while let Some(i) = stack.pop() {
            if !std::mem::replace(&mut seen[i], true) {
                stack.extend(links[i].iter().copied().filter(|&l| !seen[l]));
            }
        }
        seen
    }

    /// The revisions that every one of `heads` descends from (membership by
    /// position): what the branches share.
    pub fn shared_ancestors(&self, heads: &[usize]) -> Vec<bool> {
        let mut shared = vec![!heads.is_empty(); self.len()];
        for &head in heads {
            for (s, a) in shared.iter_mut().zip(self.ancestors(&[head])) {
                *s &= a;
            }
        }
        shared
    }

    /// The newest shared ancestors of `heads`: the shared ancestors none of
    /// whose children is shared. Git calls them merge bases; `merge` reads
    /// each branch from there. Empty when the heads share nothing (several
    /// roots).
    pub fn merge_bases(&self, heads: &[usize]) -> Vec<usize> {
        let shared = self.shared_ancestors(heads);
        (0..self.len())
            .filter(|&i| shared[i] && !self.children[i].iter().any(|&c| shared[c]))
            .collect()
    }

    /// For each of `heads`, the revisions it has that not all heads share,
    /// in order: what that branch did since the merge bases.
    pub fn branches_since_shared(&self, heads: &[usize]) -> Vec<Vec<usize>> {
        let shared = self.shared_ancestors(heads);
        heads
            .iter()
            .map(|&head| {
                let mine = self.ancestors(&[head]);
                (0..self.len()).filter(|&i| mine[i] && !shared[i]).collect()
            })
            .collect()
    }

    /// Finds a revision by full id or by a prefix that matches exactly one
    /// id. An ambiguous prefix lists the candidates; an unknown name
    /// suggests the closest id.
    pub fn resolve(&self, name: &str) -> Result<usize, TargetError> {
        if let Some(i) = self.index_of(name) {
            return Ok(i);
        }
        let start = self
            .by_id
            .partition_point(|&i| self.revisions[i].id.as_str() < name);
        let matches: Vec<usize> = self.by_id[start..]
            .iter()
            .copied()
            .take_while(|&i| self.revisions[i].id.starts_with(name))
            .collect();
        match matches.as_slice() {
            [one] => Ok(*one),
            [] => Err(TargetError::Unknown {
                name: name.to_string(),
                suggestion: suggest::closest(
                    name,
                    self.revisions.iter().map(|r| r.id.as_str()),
                    &[],
                )
                .map(String::from),
            }),
            many => {
                let mut candidates: Vec<usize> = many.to_vec();
                candidates.sort_unstable();
                Err(TargetError::Ambiguous {
                    prefix: name.to_string(),
                    candidates: candidates
                        .iter()
                        .map(|&i| self.revisions[i].id.clone())
                        .collect(),
                })
            }
        }
    }

    /// Of a set of applied revisions (membership by position), those with
    /// no applied child: what `current` shows. As for [`Self::heads`],
    /// repeatable revisions do not count.
    pub fn applied_heads(&self, applied: &[bool]) -> Vec<usize> {
        (0..self.len())
            .filter(|&i| {
                applied[i]
                    && !self.revisions[i].repeatable
                    && !self.continuing_children(i).any(|c| applied[c])
            })
            .collect()
    }

    /// The single head, for the `head` target.
    pub fn single_head(&self) -> Result<usize, TargetError> {
        match self.heads().as_slice() {
            [] => Err(TargetError::NoRevisions),
            [one] => Ok(*one),
            many => Err(TargetError::MultipleHeads {
                heads: many
                    .iter()
                    .map(|&i| {
                        (
                            self.revisions[i].id.clone(),
                            self.revisions[i].message_or_empty().to_string(),
                        )
                    })
                    .collect(),
            }),
        }
    }
}

/// The cycles among revisions Kahn's algorithm could not order (`waiting`
/// above zero), each named in parent-to-child order.
fn cycles(revisions: &[Revision], parents: &[Vec<usize>], waiting: &[usize]) -> Vec<Problem> {
    let stuck = |i: usize| waiting[i] > 0;
    let mut problems = Vec::new();
    // 0: not seen; 1: on the current walk; 2: done.
    let mut state = vec![0u8; revisions.len()];
    for start in (0..revisions.len()).filter(|&i| stuck(i)) {
        if state[start] != 0 {
            continue;
        }
        let mut walk = Vec::new();
        let mut at = start;
        // Every stuck revision has a stuck parent, so the walk ends in a
        // revision seen before: on this walk (a new cycle) or an earlier one.
        while state[at] == 0 {
            state[at] = 1;
            walk.push(at);
            at = *parents[at]
                .iter()
                .find(|&&p| stuck(p))
                .expect("a stuck revision has a stuck parent");
        }
        if state[at] == 1 {
            let from = walk.iter().position(|&w| w == at).expect("on this walk");
            let mut cycle: Vec<&str> = walk[from..]
                .iter()
                .rev()
                .map(|&i| revisions[i].id.as_str())
                .collect();
            // Start at the smallest id, so the same files always give the
            // same message.
            let smallest = (0..cycle.len())
                .min_by_key(|&i| cycle[i])
                .expect("a cycle has members");
            cycle.rotate_left(smallest);
            cycle.push(cycle[0]);
            let first = &revisions[at];
            problems.push(
                Problem::new(
                    &first.up.path,
                    Some(first.parents_line),
                    format!("the parents form a cycle: {}", cycle.join(" -> ")),
                )
                .with_hint(
                    "a revision cannot descend from itself; fix one of these Parents headers",
                ),
            );
        }
        for &w in &walk {
            state[w] = 2;
        }
    }
    problems
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::source::revision::SqlFile;

    /// A graph from `"0001; 0002a <- 0001; 0003m <- 0002a 0002b"`: ids, each
    /// with its parents after `<-`.
    pub fn graph(text: &str) -> RevisionGraph {
        RevisionGraph::new(revisions(text)).unwrap_or_else(|p| panic!("{text}: {p:?}"))
    }

    pub fn revisions(text: &str) -> Vec<Revision> {
        text.split(';')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| {
                let (id, parents) = part.split_once("<-").unwrap_or((part, ""));
                let id = id.trim().to_string();
                let digits: String = id.chars().take_while(char::is_ascii_digit).collect();
                let number = Number::parse(&digits).unwrap_or_default();
                let file = |suffix: &str| SqlFile {
                    path: format!("versions/{id}.{suffix}.sql").into(),
                    sql: String::new(),
                    checksum: String::new(),
                };
                Revision {
                    parents: parents.split_whitespace().map(String::from).collect(),
                    parents_line: 1,
                    message: Some(format!("msg {id}")),
                    created: None,
                    transactional: true,
                    timeouts: Default::default(),
                    repeatable: false,
                    replaces: Vec::new(),
                    has_down_file: true,
                    placeholders: None,
                    up: file("up"),
                    down: file("down"),
                    number,
                    id,
                }
            })
            .collect()
    }

    /// A graph from the inline form, where `S=a,b` after an id makes it a
    /// squash replacing `a` and `b`, and `R` makes it repeatable:
    /// `"0001; 0002 <- 0001; 0003 S=0001,0002"`.
    pub fn folder(text: &str) -> RevisionGraph {
        RevisionGraph::new(folder_revisions(text)).unwrap_or_else(|p| panic!("{text}: {p:?}"))
    }

    pub fn folder_revisions(text: &str) -> Vec<Revision> {
        let mut flags = Vec::new();
        let plain: Vec<String> = text
            .split(';')
            .map(|part| {
                let mut words: Vec<&str> = part.split_whitespace().collect();
                let replaces = words
                    .iter()
                    .position(|w| w.starts_with("S="))
                    .map(|at| words.remove(at)[2..].split(',').map(String::from).collect())
                    .unwrap_or_default();
                let repeatable = words
                    .iter()
                    .position(|w| *w == "R")
                    .map(|at| words.remove(at))
                    .is_some();
                flags.push((replaces, repeatable));
                words.join(" ")
            })
            .collect();
        let mut list = revisions(&plain.join(";"));
        for (revision, (replaces, repeatable)) in list.iter_mut().zip(flags) {
            revision.replaces = replaces;
            revision.repeatable = repeatable;
        }
        list
    }

    pub fn ids(graph: &RevisionGraph, indices: &[usize]) -> Vec<String> {
        indices.iter().map(|&i| graph.at(i).id.clone()).collect()
    }

    fn members(graph: &RevisionGraph, set: &[bool]) -> Vec<String> {
        (0..graph.len())
            .filter(|&i| set[i])
            .map(|i| graph.at(i).id.clone())
            .collect()
    }

    const DIAMOND: &str = "0001; 0002a <- 0001; 0002b <- 0001; 0003m <- 0002a 0002b; 0004 <- 0003m";

    #[test]
    fn order_breaks_ties_by_number_then_id() {
        let cases = [
            (
                "0003 <- 0001; 0001; 0002 <- 0001",
                vec!["0001", "0002", "0003"],
            ),
            (
                "0002b <- 0001; 0002a <- 0001; 0001",
                vec!["0001", "0002a", "0002b"],
            ),
            (
                "0010 <- 0001; 0002 <- 0010; 0001",
                vec!["0001", "0010", "0002"],
            ),
            (
                "0005x; 0001y; 0006 <- 0005x 0001y",
                vec!["0001y", "0005x", "0006"],
            ),
            (DIAMOND, vec!["0001", "0002a", "0002b", "0003m", "0004"]),
            // Numbers of any length compare as numbers, not as text and
            // not cut to 64 bits.
            (
                "20240101120000123456a; 9999b; 18446744073709551616c; 0001d",
                vec![
                    "0001d",
                    "9999b",
                    "18446744073709551616c",
                    "20240101120000123456a",
                ],
            ),
            (
                "100000000000000000000000a; 99999999999999999999999b",
                vec!["99999999999999999999999b", "100000000000000000000000a"],
            ),
            ("00010a; 0009b", vec!["0009b", "00010a"]),
            // Equal numbers written with more zeros: the id decides.
            ("0042b; 00042a", vec!["00042a", "0042b"]),
        ];
        for (text, expected) in cases {
            let g = graph(text);
            assert_eq!(
                g.revisions()
                    .iter()
                    .map(|r| r.id.as_str())
                    .collect::<Vec<_>>(),
                expected,
                "{text}"
            );
        }
    }

    #[test]
    fn heads_roots_branch_and_merge_points() {
        let cases = [
            ("0001", vec!["0001"], vec!["0001"], vec![], vec![]),
            (
                DIAMOND,
                vec!["0004"],
                vec!["0001"],
                vec!["0001"],
                vec!["0003m"],
            ),
            (
                "0001; 0002a <- 0001; 0002b <- 0001",
                vec!["0002a", "0002b"],
                vec!["0001"],
                vec!["0001"],
                vec![],
            ),
            (
                "0001a; 0001b; 0002 <- 0001a 0001b",
                vec!["0002"],
                vec!["0001a", "0001b"],
                vec![],
                vec!["0002"],
            ),
        ];
        for (text, heads, roots, branch_points, merge_points) in cases {
            let g = graph(text);
            assert_eq!(ids(&g, &g.heads()), heads, "heads of {text}");
            assert_eq!(ids(&g, &g.roots()), roots, "roots of {text}");
            assert_eq!(
                ids(&g, &g.branch_points()),
                branch_points,
                "branch points of {text}"
            );
            assert_eq!(
                ids(&g, &g.merge_points()),
                merge_points,
                "merge points of {text}"
            );
        }
    }

    #[test]
    fn ancestors_descendants_and_applied_heads() {
        let g = graph(DIAMOND);
        let at = |id: &str| g.index_of(id).unwrap();
        assert_eq!(members(&g, &g.ancestors(&[at("0002b")])), ["0001", "0002b"]);
        assert_eq!(members(&g, &g.ancestors(&[at("0004")])).len(), 5);
        assert_eq!(
            members(&g, &g.descendants(&[at("0002a")])),
            ["0002a", "0003m", "0004"]
        );
        let applied: Vec<bool> = (0..g.len())
            .map(|i| ["0001", "0002a", "0002b"].contains(&g.at(i).id.as_str()))
            .collect();
        assert_eq!(ids(&g, &g.applied_heads(&applied)), ["0002a", "0002b"]);
        let with_view = folder("0001; 0002 <- 0001; 0002v <- 0001 R");
        assert_eq!(
            ids(&with_view, &with_view.applied_heads(&[true, false, true])),
            ["0001"]
        );
    }

    #[test]
    fn merge_bases_and_branches_since_them() {
        /// Graph, heads, their merge bases, each head's branch since them.
        type Case<'a> = (&'a str, &'a [&'a str], Vec<&'a str>, Vec<Vec<&'a str>>);
        let cases: [Case; 5] = [
            (
                "0001; 0002a <- 0001; 0002b <- 0001",
                &["0002a", "0002b"],
                vec!["0001"],
                vec![vec!["0002a"], vec!["0002b"]],
            ),
            (
                "0001; 0002 <- 0001; 0003a <- 0002; 0004a <- 0003a; 0003b <- 0002",
                &["0004a", "0003b"],
                vec!["0002"],
                vec![vec!["0003a", "0004a"], vec!["0003b"]],
            ),
            (
                // Criss-cross: two merge bases.
                "0001; 0002a <- 0001; 0002b <- 0001; 0003x <- 0002a 0002b; 0003y <- 0002a 0002b",
                &["0003x", "0003y"],
                vec!["0002a", "0002b"],
                vec![vec!["0003x"], vec!["0003y"]],
            ),
            (
                "0001a; 0001b",
                &["0001a", "0001b"],
                vec![],
                vec![vec!["0001a"], vec!["0001b"]],
            ),
            (
                // Three heads; two share 0002a, which is theirs, not the third's.
                "0001; 0002a <- 0001; 0003x <- 0002a; 0003y <- 0002a; 0002b <- 0001",
                &["0003x", "0003y", "0002b"],
                vec!["0001"],
                vec![
                    vec!["0002a", "0003x"],
                    vec!["0002a", "0003y"],
                    vec!["0002b"],
                ],
            ),
        ];
        for (text, heads, bases, branches) in cases {
            let g = graph(text);
            let heads: Vec<usize> = heads.iter().map(|h| g.index_of(h).unwrap()).collect();
            assert_eq!(ids(&g, &g.merge_bases(&heads)), bases, "bases of {text}");
            let got: Vec<Vec<String>> = g
                .branches_since_shared(&heads)
                .iter()
                .map(|b| ids(&g, b))
                .collect();
            assert_eq!(got, branches, "branches of {text}");
        }
    }

    #[test]
    fn resolve_full_ids_and_unique_prefixes() {
        let g = graph(
            "0001_users; 0002_add_email <- 0001_users; 0002_add_orders <- 0001_users; 0003_x <- 0002_add_email",
        );
        let cases: [(&str, Result<&str, TargetError>); 6] = [
            ("0001_users", Ok("0001_users")),
            ("0001", Ok("0001_users")),
            ("0002_add_e", Ok("0002_add_email")),
            (
                "0002_add",
                Err(TargetError::Ambiguous {
                    prefix: "0002_add".into(),
                    candidates: vec!["0002_add_email".into(), "0002_add_orders".into()],
                }),
            ),
            (
                "0009",
                Err(TargetError::Unknown {
                    name: "0009".into(),
                    suggestion: None,
                }),
            ),
            (
                "0003_y",
                Err(TargetError::Unknown {
                    name: "0003_y".into(),
                    suggestion: Some("0003_x".into()),
                }),
            ),
        ];
        for (name, expected) in cases {
            assert_eq!(
                g.resolve(name).map(|i| g.at(i).id.as_str()),
                expected,
                "{name}"
            );
        }
    }

    #[test]
    fn problems_name_file_line_and_hint() {
        const CYCLE: Option<&str> =
            Some("a revision cannot descend from itself; fix one of these Parents headers");
        let cases = [
            (
                "0001_a; 0002_b <- 0001_x",
                "versions/0002_b.up.sql:1: 0002_b names a parent that does not exist: `0001_x`",
                Some("did you mean `0001_a`?"),
            ),
            // The revision's own id shares the number, yet it is never the
            // answer to its own unknown parent.
            (
                "0001_a; 0002_b <- 0002_x",
                "0002_b names a parent that does not exist: `0002_x`",
                None,
            ),
            (
                "0001_a; 0002_b <- 0002_x; 0002_c <- 0001_a",
                "0002_b names a parent that does not exist: `0002_x`",
                Some("did you mean `0002_c`?"),
            ),
            (
                "0001_a; 0001_a",
                "versions/0001_a.up.sql: revision id `0001_a` is defined twice",
                Some("ids are unique in the whole folder; rename one"),
            ),
            (
                "0001 <- 0001",
                "the parents form a cycle: 0001 -> 0001",
                CYCLE,
            ),
            (
                "0001 <- 0002; 0002 <- 0001",
                "the parents form a cycle: 0001 -> 0002 -> 0001",
                CYCLE,
            ),
            (
                "0000; 0001 <- 0000 0003; 0002 <- 0001; 0003 <- 0002; 0004 <- 0003",
                "cycle: 0001 -> 0002 -> 0003 -> 0001",
                CYCLE,
            ),
        ];
        for (text, message, hint) in cases {
            let problems = RevisionGraph::new(revisions(text)).expect_err(text);
            assert_eq!(problems.len(), 1, "{text}: {problems:?}");
            assert!(
                problems[0].to_string().contains(message),
                "{text}: {}",
                problems[0]
            );
            assert_eq!(problems[0].hint.as_deref(), hint, "{text}");
        }
    }

    #[test]
    fn every_problem_at_once() {
        let problems =
            RevisionGraph::new(revisions("0001 <- 0009; 0002 <- 0003; 0003 <- 0002; 0002"))
                .unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
    }

    #[test]
    fn ten_thousand_revisions_build_and_resolve() {
        // A chain with a short branch and merge every 10 revisions.
        let mut text = String::from("00000");
        for n in 1..10_000 {
            if n % 10 == 5 {
                text.push_str(&format!(
                    "; {n:05}_b <- {:05}; {n:05} <- {:05}",
                    n - 1,
                    n - 1
                ));
            } else if n % 10 == 6 {
                text.push_str(&format!("; {n:05} <- {:05} {:05}_b", n - 1, n - 1));
            } else {
                text.push_str(&format!("; {n:05} <- {:05}", n - 1));
            }
        }
        let g = graph(&text);
        assert_eq!(g.len(), 11_000);
        assert_eq!(ids(&g, &g.heads()), ["09999"]);
        assert_eq!(
            g.resolve("09995_b").map(|i| g.at(i).id.clone()),
            Ok("09995_b".to_string())
        );
        assert_eq!(g.merge_points().len(), 1000);
    }
}
