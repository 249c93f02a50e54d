//! Plans: which revisions to run, in which order, which way. Pure: they take
//! the graph and the applied set and return positions in the graph.

use std::collections::{BinaryHeap, HashSet};

use crate::graph::RevisionGraph;
use crate::graph::squash::{self, SquashState};
use crate::graph::target::{Target, TargetError};
use crate::record::Direction;

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
/// order. `-N` is refused (`WrongDirection`). See [`upgrade_reapplying`]
/// for repeatable revisions and squashes.
pub fn upgrade(
    graph: &RevisionGraph,
    applied: &[&str],
    target: &Target,
) -> Result<Plan, TargetError> {
    upgrade_reapplying(graph, applied, &[], target)
}

/// [`upgrade`], where `stale` lists the applied repeatable revisions whose
/// up file changed since they were last applied: they run again.
///
/// A repeatable revision runs, besides when the target needs it, whenever
/// its parents are applied or about to be: after its parents, in the same
/// run. The revisions a squash replaces run only on a database that
/// applied some of them already (then the squash is recorded after them,
/// see [`StepKind::Adopt`]), or when the target is one of them; otherwise
/// the squash runs in their place.
pub fn upgrade_reapplying(
    graph: &RevisionGraph,
    applied: &[&str],
    stale: &[&str],
    target: &Target,
) -> Result<Plan, TargetError> {
    let mut state = Applied::new(graph, applied);
    let recorded: HashSet<&str> = applied.iter().copied().collect();
    for id in stale {
        if let Some(i) = graph.index_of(id) {
            state.rank[i] = None;
        }
    }
    let everything = || vec![true; graph.len()];
    let wanted: Vec<bool> = match target {
        Target::Base => vec![false; graph.len()],
        Target::Heads | Target::Forward(_) => everything(),
        // Only repeatable revisions: `head` is all of them.
        Target::Head if graph.heads().is_empty() && !graph.is_empty() => everything(),
        Target::Head | Target::Revision(_) => {
            let mut wanted = graph.ancestors(&[resolve(graph, target)?]);
            for i in 0..graph.len() {
                if graph.at(i).repeatable
                    && graph
                        .parents_of(i)
                        .iter()
                        .all(|&p| wanted[p] || state.rank[p].is_some())
                {
                    wanted[i] = true;
                }
            }
            wanted
        }
        Target::Backward(_) => return Err(wrong_direction(target, "upgrade")),
    };
    // Members of a squash that this run replaces by the squash itself:
    // those of a recorded squash (or of one a recorded squash replaces),
    // and those of a squash that runs in their place.
    let mut replaced = vec![false; graph.len()];
    for squash in graph.squashes() {
        let skip = squash::recorded_squash_of(graph, &graph.at(squash).id, &recorded).is_some()
            || match squash::state(graph, squash, &recorded) {
                SquashState::Recorded => true,
                SquashState::Fresh => wanted[squash],
                SquashState::Started { .. } | SquashState::Complete => false,
            };
        if skip {
            for id in &graph.at(squash).replaces {
                if let Some(i) = graph.index_of(id) {
                    replaced[i] = true;
                }
            }
        }
    }
    let steps = state.pending().filter(|&i| wanted[i] && !replaced[i]);
    let steps = match target {
        Target::Forward(n) => steps.take(*n).collect(),
        _ => steps.collect(),
    };
    Ok(Plan {
        direction: Direction::Up,
        steps,
    })
}

/// What one step of a plan does to a revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StepKind {
    /// Runs the up file and records the revision.
    Apply,
    /// Runs the up file of a repeatable revision that is recorded already
    /// (its file changed), and records the new checksum.
    Reapply,
    /// Records a squash without running it: the revisions it replaces
    /// ran (or ran earlier in the same run); their records make way for it.
    Adopt,
    /// Runs the down file and removes the record.
    Undo,
}

/// What the step of a plan in `direction` does to the revision at
/// `index`, on a database that recorded `applied`.
pub fn step_kind(
    graph: &RevisionGraph,
    applied: &HashSet<&str>,
    index: usize,
    direction: Direction,
) -> StepKind {
    let revision = graph.at(index);
    match direction {
        Direction::Down => StepKind::Undo,
        Direction::Up if applied.contains(revision.id.as_str()) => StepKind::Reapply,
        Direction::Up if revision.is_squash() && squash::state(graph, index, applied).adopts() => {
            StepKind::Adopt
        }
        Direction::Up => StepKind::Apply,
    }
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
    let state = Applied::new(graph, applied);
    let steps = match target {
        Target::Base => state.applied_newest_first().collect(),
        Target::Heads => Vec::new(),
        Target::Backward(n) => state.most_recent(graph, *n),
        Target::Head | Target::Revision(_) => {
            let target = resolve(graph, target)?;
            let mut doomed = graph.descendants(&[target]);
            doomed[target] = false;
            // A repeatable revision goes only with one of its parents: it
            // hangs off the target without continuing it.
            for i in 0..graph.len() {
                if graph.at(i).repeatable {
                    doomed[i] = graph.parents_of(i).iter().any(|&p| doomed[p]);
                }
            }
            state
                .applied_newest_first()
                .filter(|&i| doomed[i])
                .collect()
        }
        Target::Forward(_) => return Err(wrong_direction(target, "downgrade")),
    };
    Ok(Plan {
        direction: Direction::Down,
        steps,
    })
}

/// Stamp changes the records exactly as `upgrade T` followed by
/// `downgrade T` would: T and its ancestors become applied, T's descendants
/// not. `+N` behaves as upgrade, `-N` as downgrade.
pub fn stamp(
    graph: &RevisionGraph,
    applied: &[&str],
    target: &Target,
) -> Result<StampPlan, TargetError> {
    stamp_reapplying(graph, applied, &[], target)
}

/// [`stamp`], where `stale` are the applied repeatable revisions whose up
/// file changed: stamping records their new checksum, as an upgrade would.
pub fn stamp_reapplying(
    graph: &RevisionGraph,
    applied: &[&str],
    stale: &[&str],
    target: &Target,
) -> Result<StampPlan, TargetError> {
    let up = || upgrade_reapplying(graph, applied, stale, target);
    Ok(match target {
        Target::Forward(_) => StampPlan {
            insert: up()?.steps,
            delete: Vec::new(),
        },
        Target::Backward(_) => StampPlan {
            insert: Vec::new(),
            delete: downgrade(graph, applied, target)?.steps,
        },
        _ => StampPlan {
            insert: up()?.steps,
            delete: downgrade(graph, applied, target)?.steps,
        },
    })
}

fn resolve(graph: &RevisionGraph, target: &Target) -> Result<usize, TargetError> {
    match target {
        Target::Head => graph.single_head(),
        Target::Revision(name) => graph.resolve(name),
        other => unreachable!("{other} is not one revision"),
    }
}

fn wrong_direction(target: &Target, command: &'static str) -> TargetError {
    TargetError::WrongDirection {
        text: target.to_string(),
        command,
    }
}

/// The applied set by position, with when each was applied.
struct Applied {
    /// Order of application (index into the caller's list), by position;
    /// `None` when not applied.
    rank: Vec<Option<usize>>,
}

impl Applied {
    fn new(graph: &RevisionGraph, applied: &[&str]) -> Applied {
        let mut rank = vec![None; graph.len()];
        for (order, id) in applied.iter().enumerate() {
            if let Some(i) = graph.index_of(id) {
                rank[i] = Some(order);
            }
        }
        Applied { rank }
    }

    fn pending(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.rank.len()).filter(|&i| self.rank[i].is_none())
    }

    fn applied_newest_first(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.rank.len())
            .rev()
            .filter(|&i| self.rank[i].is_some())
    }

    /// The `n` most recently applied, each time one with no applied child.
    fn most_recent(&self, graph: &RevisionGraph, n: usize) -> Vec<usize> {
        let mut applied_children: Vec<usize> = (0..graph.len())
            .map(|i| {
                graph
                    .children_of(i)
                    .iter()
                    .filter(|&&c| self.rank[c].is_some())
                    .count()
            })
            .collect();
        let mut ready: BinaryHeap<(usize, usize)> = (0..graph.len())
            .filter_map(|i| {
                self.rank[i]
                    .filter(|_| applied_children[i] == 0)
                    .map(|rank| (rank, i))
            })
            .collect();
        let mut steps = Vec::with_capacity(n.min(ready.len()));
        while steps.len() < n {
            let Some((_, i)) = ready.pop() else { break };
            steps.push(i);
            for &parent in graph.parents_of(i) {
                if let Some(rank) = self.rank[parent] {
                    applied_children[parent] -= 1;
                    if applied_children[parent] == 0 {
                        ready.push((rank, parent));
                    }
                }
            }
        }
        steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::tests::{folder, graph, ids};

    /// Two branches from 0001 joined by 0004m, and a second head 0003c.
    const GRAPH: &str =
        "0001; 0002a <- 0001; 0002b <- 0001; 0003a <- 0002a; 0004m <- 0003a 0002b; 0003c <- 0002b";

    /// Applied before, target, and the steps expected or the error's text.
    type PlanCase<'a> = (&'a [&'a str], &'a str, Result<Vec<&'a str>, &'a str>);
    /// Applied before, target, revisions stamped, revisions unstamped.
    type StampCase<'a> = (&'a [&'a str], &'a str, Vec<&'a str>, Vec<&'a str>);

    fn target(text: &str) -> Target {
        text.parse().unwrap()
    }

    #[test]
    fn upgrades() {
        let cases: &[PlanCase] = &[
            (
                &[],
                "heads",
                Ok(vec!["0001", "0002a", "0002b", "0003a", "0003c", "0004m"]),
            ),
            (&[], "0003a", Ok(vec!["0001", "0002a", "0003a"])),
            (
                &["0001", "0002b"],
                "0004m",
                Ok(vec!["0002a", "0003a", "0004m"]),
            ),
            (&["0001"], "+2", Ok(vec!["0002a", "0002b"])),
            (
                &["0001"],
                "+99",
                Ok(vec!["0002a", "0002b", "0003a", "0003c", "0004m"]),
            ),
            (&["0001"], "base", Ok(vec![])),
            (
                &["0001", "0002a", "0002b", "0003a", "0003c", "0004m"],
                "heads",
                Ok(vec![]),
            ),
            (&["no_longer_here", "0001"], "0002b", Ok(vec!["0002b"])),
            (&[], "head", Err("MultipleHeads")),
            (&[], "-1", Err("WrongDirection")),
            (&[], "0009", Err("Unknown")),
        ];
        let g = graph(GRAPH);
        for (applied, text, expected) in cases {
            let got = upgrade(&g, applied, &target(text))
                .map(|p| ids(&g, &p.steps))
                .map_err(|e| variant(&e));
            let expected = expected
                .clone()
                .map(|v| v.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .map_err(String::from);
            assert_eq!(got, expected, "upgrade {text} from {applied:?}");
        }
    }

    #[test]
    fn downgrades() {
        let all: &[&str] = &["0001", "0002a", "0002b", "0003a", "0004m", "0003c"];
        let cases: &[PlanCase] = &[
            (
                all,
                "base",
                Ok(vec!["0004m", "0003c", "0003a", "0002b", "0002a", "0001"]),
            ),
            (all, "0002a", Ok(vec!["0004m", "0003a"])),
            (all, "0002b", Ok(vec!["0004m", "0003c"])),
            (all, "-1", Ok(vec!["0003c"])),
            (all, "-2", Ok(vec!["0003c", "0004m"])),
            (all, "-3", Ok(vec!["0003c", "0004m", "0003a"])),
            (&["0001", "0002b", "0002a"], "-1", Ok(vec!["0002a"])),
            (&["0001"], "-5", Ok(vec!["0001"])),
            (&["0001", "0002a"], "0002b", Ok(vec![])),
            (all, "heads", Ok(vec![])),
            (all, "+1", Err("WrongDirection")),
        ];
        let g = graph(GRAPH);
        for (applied, text, expected) in cases {
            let got = downgrade(&g, applied, &target(text))
                .map(|p| ids(&g, &p.steps))
                .map_err(|e| variant(&e));
            let expected = expected
                .clone()
                .map(|v| v.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .map_err(String::from);
            assert_eq!(got, expected, "downgrade {text} from {applied:?}");
        }
    }

    #[test]
    fn stamps() {
        let cases: &[StampCase] = &[
            (&[], "0003a", vec!["0001", "0002a", "0003a"], vec![]),
            (
                &["0001", "0002a", "0003a", "0002b", "0004m"],
                "0002a",
                vec![],
                vec!["0004m", "0003a"],
            ),
            (&["0001", "0002b"], "0003a", vec!["0002a", "0003a"], vec![]),
            (&["0001", "0002a"], "base", vec![], vec!["0002a", "0001"]),
            (
                &["0001"],
                "heads",
                vec!["0002a", "0002b", "0003a", "0003c", "0004m"],
                vec![],
            ),
            (&["0001"], "+1", vec!["0002a"], vec![]),
            (&["0001", "0002a"], "-1", vec![], vec!["0002a"]),
        ];
        let g = graph(GRAPH);
        for (applied, text, insert, delete) in cases {
            let plan = stamp(&g, applied, &target(text)).unwrap();
            assert_eq!(
                (ids(&g, &plan.insert), ids(&g, &plan.delete)),
                (strings(insert), strings(delete)),
                "stamp {text} from {applied:?}"
            );
        }
    }

    #[test]
    fn repeatables_run_after_their_parents_and_again_when_stale() {
        // 0002v hangs off 0001, 0004v off 0003; 0005v is a root.
        const FOLDER: &str =
            "0001; 0002 <- 0001; 0002v <- 0001 R; 0003 <- 0002; 0004v <- 0003 R; 0005v R";
        // (applied, stale, target, steps)
        type Case<'a> = (&'a [&'a str], &'a [&'a str], &'a str, Vec<&'a str>);
        let cases: &[Case] = &[
            (
                &[],
                &[],
                "head",
                vec!["0001", "0002", "0002v", "0003", "0004v", "0005v"],
            ),
            (&[], &[], "0002", vec!["0001", "0002", "0002v", "0005v"]),
            (&[], &[], "0001", vec!["0001", "0002v", "0005v"]),
            (
                &["0001", "0002", "0002v", "0003", "0004v", "0005v"],
                &[],
                "head",
                vec![],
            ),
            (
                &["0001", "0002", "0002v", "0003", "0004v", "0005v"],
                &["0002v", "0005v"],
                "head",
                vec!["0002v", "0005v"],
            ),
            // A stale repeatable waits for nothing it does not need.
            (
                &["0001", "0002v"],
                &["0002v"],
                "0001",
                vec!["0002v", "0005v"],
            ),
            // Its parents not applied and not wanted: it waits.
            (&["0001"], &[], "0001", vec!["0002v", "0005v"]),
            (&[], &[], "+2", vec!["0001", "0002"]),
            (&[], &[], "base", vec![]),
            // Asked for by name: its ancestors first, and the other
            // repeatables whose parents are then applied.
            (
                &[],
                &[],
                "0004v",
                vec!["0001", "0002", "0002v", "0003", "0004v", "0005v"],
            ),
        ];
        let g = folder(FOLDER);
        assert_eq!(ids(&g, &g.heads()), ["0003"]);
        for (applied, stale, text, expected) in cases {
            let got = upgrade_reapplying(&g, applied, stale, &target(text)).unwrap();
            assert_eq!(
                ids(&g, &got.steps),
                strings(expected),
                "upgrade {text} from {applied:?}, stale {stale:?}"
            );
        }
        // Only repeatables: `head` is every one of them.
        let only = folder("0001v R; 0002v <- 0001v R");
        assert_eq!(
            ids(&only, &upgrade(&only, &[], &Target::Head).unwrap().steps),
            ["0001v", "0002v"]
        );
        // Past its parents, a repeatable is undone with them; down to its
        // parent, it stays.
        let all = ["0001", "0002", "0002v", "0003", "0004v", "0005v"];
        assert_eq!(
            ids(&g, &downgrade(&g, &all, &target("0001")).unwrap().steps),
            ["0004v", "0003", "0002"]
        );
        assert_eq!(
            ids(&g, &downgrade(&g, &all, &target("0002")).unwrap().steps),
            ["0004v", "0003"]
        );
        assert_eq!(
            ids(&g, &downgrade(&g, &all, &target("0003")).unwrap().steps),
            Vec::<String>::new()
        );
        assert_eq!(downgrade(&g, &all, &Target::Base).unwrap().steps.len(), 6);
        let stamped = stamp_reapplying(&g, &all, &["0002v"], &target("0002")).unwrap();
        assert_eq!(
            (ids(&g, &stamped.insert), ids(&g, &stamped.delete)),
            (strings(&["0002v"]), strings(&["0004v", "0003"]))
        );
    }

    #[test]
    fn a_squash_runs_alone_on_a_fresh_database_and_is_adopted_elsewhere() {
        const FOLDER: &str =
            "0001; 0002 <- 0001; 0003 <- 0002; 0009s S=0001,0002,0003; 0010 <- 0003";
        // (applied, target, steps, the squash's kind when it is a step)
        type Case<'a> = (&'a [&'a str], &'a str, Vec<&'a str>, Option<StepKind>);
        let cases: &[Case] = &[
            (&[], "head", vec!["0009s", "0010"], Some(StepKind::Apply)),
            (&[], "heads", vec!["0009s", "0010"], Some(StepKind::Apply)),
            (&[], "+1", vec!["0009s"], Some(StepKind::Apply)),
            (&[], "0009s", vec!["0009s"], Some(StepKind::Apply)),
            // Asked for a member: the members run, the squash waits.
            (&[], "0002", vec!["0001", "0002"], None),
            (
                &["0001", "0002", "0003"],
                "head",
                vec!["0009s", "0010"],
                Some(StepKind::Adopt),
            ),
            (
                &["0001"],
                "head",
                vec!["0002", "0003", "0009s", "0010"],
                Some(StepKind::Adopt),
            ),
            (&["0009s"], "head", vec!["0010"], None),
            (&["0009s", "0010"], "0002", vec![], None),
        ];
        let g = folder(FOLDER);
        let squash = g.index_of("0009s").unwrap();
        for (applied, text, expected, kind) in cases {
            let plan = upgrade(&g, applied, &target(text)).unwrap();
            assert_eq!(
                ids(&g, &plan.steps),
                strings(expected),
                "{text} from {applied:?}"
            );
            let recorded: HashSet<&str> = applied.iter().copied().collect();
            let got = plan
                .steps
                .contains(&squash)
                .then(|| step_kind(&g, &recorded, squash, Direction::Up));
            assert_eq!(got, *kind, "{text} from {applied:?}");
        }
        let deleted = folder("0009s S=0001,0002,0003; 0010 <- 0003");
        assert_eq!(
            ids(
                &deleted,
                &upgrade(&deleted, &[], &Target::Head).unwrap().steps
            ),
            ["0009s", "0010"]
        );
        assert_eq!(
            ids(
                &deleted,
                &downgrade(&deleted, &["0009s", "0010"], &Target::Base)
                    .unwrap()
                    .steps
            ),
            ["0010", "0009s"]
        );
    }

    #[test]
    fn a_squash_of_a_squash_stands_for_both() {
        const FOLDER: &str = "0001; 0002 <- 0001; 0003s S=0001,0002; 0004 <- 0002; \
                              0005s S=0003s,0004; 0006 <- 0004";
        // (applied, target, steps with the kind of each squash among them)
        type Case<'a> = (&'a [&'a str], &'a str, Vec<(&'a str, StepKind)>);
        use StepKind::{Adopt, Apply};
        let cases: &[Case] = &[
            (&[], "head", vec![("0005s", Apply), ("0006", Apply)]),
            (
                // Never recorded the first squash: it is recorded first.
                &["0001", "0002"],
                "head",
                vec![
                    ("0003s", Adopt),
                    ("0004", Apply),
                    ("0005s", Adopt),
                    ("0006", Apply),
                ],
            ),
            (
                &["0001"],
                "head",
                vec![
                    ("0002", Apply),
                    ("0003s", Adopt),
                    ("0004", Apply),
                    ("0005s", Adopt),
                    ("0006", Apply),
                ],
            ),
            (
                &["0003s", "0004"],
                "head",
                vec![("0005s", Adopt), ("0006", Apply)],
            ),
            (&["0005s"], "head", vec![("0006", Apply)]),
            (&["0005s", "0006"], "0002", vec![]),
        ];
        let g = folder(FOLDER);
        for (applied, text, expected) in cases {
            let plan = upgrade(&g, applied, &target(text)).unwrap();
            let recorded: HashSet<&str> = applied.iter().copied().collect();
            let got: Vec<(String, StepKind)> = plan
                .steps
                .iter()
                .map(|&i| {
                    (
                        g.at(i).id.clone(),
                        step_kind(&g, &recorded, i, Direction::Up),
                    )
                })
                .collect();
            let expected: Vec<(String, StepKind)> = expected
                .iter()
                .map(|(id, k)| (id.to_string(), *k))
                .collect();
            assert_eq!(got, expected, "{text} from {applied:?}");
        }
        let recorded: HashSet<&str> = ["0005s"].into_iter().collect();
        assert_eq!(
            squash::recorded_squash_of(&g, "0001", &recorded),
            g.index_of("0005s")
        );
        assert_eq!(
            squash::recorded_squash_of(&g, "0001", &HashSet::new()),
            None
        );
    }

    #[test]
    fn step_kinds() {
        let g = folder("0001; 0002v <- 0001 R");
        let recorded: HashSet<&str> = ["0001", "0002v"].into_iter().collect();
        let kind = |i, direction| step_kind(&g, &recorded, i, direction);
        assert_eq!(kind(1, Direction::Up), StepKind::Reapply);
        assert_eq!(kind(1, Direction::Down), StepKind::Undo);
        let none = HashSet::new();
        assert_eq!(step_kind(&g, &none, 1, Direction::Up), StepKind::Apply);
    }

    #[test]
    fn head_needs_exactly_one_head() {
        let g = graph("0001; 0002 <- 0001");
        assert_eq!(
            ids(&g, &upgrade(&g, &[], &Target::Head).unwrap().steps),
            ["0001", "0002"]
        );
        let empty = graph("");
        assert_eq!(
            upgrade(&empty, &[], &Target::Head),
            Err(TargetError::NoRevisions)
        );
        assert_eq!(
            upgrade(&empty, &[], &Target::Heads).unwrap().steps,
            Vec::<usize>::new()
        );
        let two = graph(GRAPH);
        let Err(TargetError::MultipleHeads { heads }) = upgrade(&two, &[], &Target::Head) else {
            panic!("two heads")
        };
        assert_eq!(
            heads,
            [
                ("0003c".to_string(), "msg 0003c".to_string()),
                ("0004m".to_string(), "msg 0004m".to_string())
            ]
        );
    }

    #[test]
    fn ten_thousand_revisions_plan_linearly() {
        let text: String = (0..10_000)
            .map(|n| {
                if n == 0 {
                    "00000".to_string()
                } else {
                    format!("; {n:05} <- {:05}", n - 1)
                }
            })
            .collect();
        let g = graph(&text);
        let all: Vec<String> = (0..10_000).map(|n| format!("{n:05}")).collect();
        let applied: Vec<&str> = all.iter().map(String::as_str).collect();
        assert_eq!(upgrade(&g, &[], &Target::Head).unwrap().steps.len(), 10_000);
        assert_eq!(
            downgrade(&g, &applied, &Target::Backward(10_000))
                .unwrap()
                .steps
                .len(),
            10_000
        );
        assert_eq!(
            downgrade(&g, &applied, &Target::Base).unwrap().steps.len(),
            10_000
        );
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn variant(error: &TargetError) -> String {
        format!("{error:?}")
            .split([' ', '{', '('])
            .next()
            .unwrap_or_default()
            .to_string()
    }
}
