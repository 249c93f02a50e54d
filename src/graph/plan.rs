//! Plans: which revisions to run, in which order, which way. Pure: they take
//! the graph and the applied set and return positions in the graph.

use std::collections::BinaryHeap;

use crate::graph::RevisionGraph;
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
/// order. `-N` is refused (`WrongDirection`).
pub fn upgrade(
    graph: &RevisionGraph,
    applied: &[&str],
    target: &Target,
) -> Result<Plan, TargetError> {
    let state = Applied::new(graph, applied);
    let steps = match target {
        Target::Base => Vec::new(),
        Target::Heads => state.pending().collect(),
        Target::Forward(n) => state.pending().take(*n).collect(),
        Target::Head | Target::Revision(_) => {
            let wanted = graph.ancestors(&[resolve(graph, target)?]);
            state.pending().filter(|&i| wanted[i]).collect()
        }
        Target::Backward(_) => return Err(wrong_direction(target, "upgrade")),
    };
    Ok(Plan {
        direction: Direction::Up,
        steps,
    })
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
            let doomed = graph.descendants(&[target]);
            state
                .applied_newest_first()
                .filter(|&i| doomed[i] && i != target)
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
    Ok(match target {
        Target::Forward(_) => StampPlan {
            insert: upgrade(graph, applied, target)?.steps,
            delete: Vec::new(),
        },
        Target::Backward(_) => StampPlan {
            insert: Vec::new(),
            delete: downgrade(graph, applied, target)?.steps,
        },
        _ => StampPlan {
            insert: upgrade(graph, applied, target)?.steps,
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
    use crate::graph::tests::{graph, ids};

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
