//! Squashes, Django's way. Pure.
//!
//! [`choose`] picks what `migrator squash UPTO` replaces and refuses a
//! point that not every later revision descends from; [`state`] says how a
//! squash in the folder stands in one database, which decides whether the
//! squash runs, or its members run and the squash is then only recorded.

use std::collections::HashSet;

use crate::graph::RevisionGraph;

/// What `squash UPTO` replaces: every revision UPTO descends from, and
/// UPTO, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Squash {
    /// Positions of the revisions replaced, in order.
    pub members: Vec<usize>,
    /// Positions of the members that run without a transaction.
    pub untransactional: Vec<usize>,
    /// What the squash's `Placeholders` header says: what its members say,
    /// when that is one thing for every member that has `${` in its SQL.
    pub placeholders: Option<bool>,
}

/// Why a point cannot be squashed up to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SquashError {
    #[error("{upto} is repeatable: it is re-applied when it changes, and cannot be squashed")]
    Repeatable { upto: String },
    #[error(
        "{revision} does not descend from {upto}, so {upto} is not a single point every head descends from"
    )]
    NotSinglePoint {
        upto: String,
        /// A head, or another revision that branched off inside the range.
        revision: String,
    },
    #[error("{upto} descends from the repeatable revision {repeatable}, which cannot be squashed")]
    RepeatableMember { upto: String, repeatable: String },
    #[error("{upto} has nothing before it: a squash of one revision would only rename it")]
    Single { upto: String },
    #[error(
        "the revisions up to {upto} do not agree on placeholders: {one} and {other} both have `${{` in their SQL, and their `Placeholders` headers differ"
    )]
    Placeholders {
        upto: String,
        one: String,
        other: String,
    },
}

/// The revisions `squash` at position `upto` replaces. Refuses a point
/// that some revision not before it does not descend from (a head on
/// another branch, or a branch that leaves the range and joins later): a
/// database could have applied that revision without the ones it skips,
/// and then neither the squash nor its members could run.
pub fn choose(graph: &RevisionGraph, upto: usize) -> Result<Squash, SquashError> {
    let name = |i: usize| graph.at(i).id.clone();
    if graph.at(upto).repeatable {
        return Err(SquashError::Repeatable { upto: name(upto) });
    }
    let before = graph.ancestors(&[upto]);
    let after = graph.descendants(&[upto]);
    for i in 0..graph.len() {
        // Repeatables that hang off the range follow the squash instead.
        if !before[i] && !after[i] && !graph.at(i).repeatable {
            return Err(SquashError::NotSinglePoint {
                upto: name(upto),
                revision: name(i),
            });
        }
    }
    // An earlier squash in the range is replaced as one revision: the
    // revisions it replaces stay its own.
    let members: Vec<usize> = (0..graph.len())
        .filter(|&i| before[i])
        .filter(|&i| {
            graph
                .squash_replacing(&graph.at(i).id)
                .is_none_or(|s| !before[s])
        })
        .collect();
    if let Some(&r) = members.iter().find(|&&i| graph.at(i).repeatable) {
        return Err(SquashError::RepeatableMember {
            upto: name(upto),
            repeatable: name(r),
        });
    }
    if members.len() < 2 {
        return Err(SquashError::Single { upto: name(upto) });
    }
    let untransactional = members
        .iter()
        .copied()
        .filter(|&i| !graph.at(i).transactional)
        .collect();
    let placeholders =
        placeholders(graph, &members).map_err(|(one, other)| SquashError::Placeholders {
            upto: name(upto),
            one: name(one),
            other: name(other),
        })?;
    Ok(Squash {
        members,
        untransactional,
        placeholders,
    })
}

/// The `Placeholders` header of a squash of `members`: theirs when they
/// all say the same; else what those with `${` in their SQL say, when
/// that is one thing (the others have nothing to substitute). Else two
/// members with `${` that say different things.
fn placeholders(graph: &RevisionGraph, members: &[usize]) -> Result<Option<bool>, (usize, usize)> {
    let said = |i: usize| graph.at(i).placeholders;
    let first = members.first().and_then(|&i| said(i));
    if members.iter().all(|&i| said(i) == first) {
        return Ok(first);
    }
    let with_names: Vec<usize> = members
        .iter()
        .copied()
        .filter(|&i| {
            let revision = graph.at(i);
            revision.up.sql.contains("${") || revision.down.sql.contains("${")
        })
        .collect();
    let Some(&one) = with_names.first() else {
        return Ok(None);
    };
    match with_names.iter().find(|&&i| said(i) != said(one)) {
        Some(&other) => Err((one, other)),
        None => Ok(said(one)),
    }
}

/// How a squash in the folder stands in one database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SquashState {
    /// The squash is recorded: it ran, or its members did and it was
    /// recorded after them.
    Recorded,
    /// None of its members is recorded: the squash runs in their place.
    Fresh,
    /// Some of its members are recorded: those not recorded run first
    /// (their files are needed), then the squash is recorded without
    /// running.
    Started {
        /// The members not recorded, oldest first.
        remaining: Vec<String>,
        /// Those of `remaining` whose files are gone from the folder.
        missing: Vec<String>,
    },
    /// Every member is recorded: the squash is recorded without running.
    Complete,
}

impl SquashState {
    /// Whether upgrading through the squash records it without running
    /// its SQL (its members ran, or run first).
    pub fn adopts(&self) -> bool {
        matches!(self, SquashState::Started { .. } | SquashState::Complete)
    }
}

/// How the squash at position `squash` stands in a database that recorded
/// `applied`. A squash among the revisions it replaces (a squash of a
/// squash) counts as applied once it is recorded or all of its own are,
/// and as begun once any of its own is.
pub fn state(graph: &RevisionGraph, squash: usize, applied: &HashSet<&str>) -> SquashState {
    let revision = graph.at(squash);
    if applied.contains(revision.id.as_str()) {
        return SquashState::Recorded;
    }
    let inner = |id: &str| {
        graph
            .index_of(id)
            .filter(|&i| graph.at(i).is_squash())
            .map(|i| state(graph, i, applied))
    };
    let done = |id: &str| {
        applied.contains(id)
            || matches!(
                inner(id),
                Some(SquashState::Recorded | SquashState::Complete)
            )
    };
    let begun = |id: &str| {
        applied.contains(id) || inner(id).is_some_and(|state| state != SquashState::Fresh)
    };
    let remaining: Vec<String> = revision
        .replaces
        .iter()
        .filter(|id| !done(id))
        .cloned()
        .collect();
    if remaining.is_empty() {
        SquashState::Complete
    } else if !revision.replaces.iter().any(|id| begun(id)) {
        SquashState::Fresh
    } else {
        let missing = remaining
            .iter()
            .filter(|id| graph.index_of(id).is_none())
            .cloned()
            .collect();
        SquashState::Started { remaining, missing }
    }
}

/// The recorded squash that stands for revision `id` in a database that
/// recorded `applied`: the squash that replaces it, or the one that
/// replaces that squash, and so on.
pub fn recorded_squash_of(
    graph: &RevisionGraph,
    id: &str,
    applied: &HashSet<&str>,
) -> Option<usize> {
    let mut at = graph.squash_replacing(id)?;
    loop {
        if applied.contains(graph.at(at).id.as_str()) {
            return Some(at);
        }
        at = graph.squash_replacing(&graph.at(at).id)?;
    }
}

/// Whether the files of the revisions the squash at `squash` replaces may
/// be deleted as far as a database that recorded `applied` is concerned:
/// it no longer needs them once it recorded the squash or every member
/// (the next run records the squash), or when it applied none of them
/// (it will run the squash).
pub fn members_deletable(graph: &RevisionGraph, squash: usize, applied: &HashSet<&str>) -> bool {
    !matches!(state(graph, squash, applied), SquashState::Started { .. })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::RevisionGraph;
    use crate::graph::tests::{folder, folder_revisions, ids, revisions};

    #[test]
    fn choose_takes_every_ancestor_or_names_what_does_not_descend() {
        // (folder, UPTO, the members or a fragment of the refusal)
        type Case<'a> = (&'a str, &'a str, Result<Vec<&'a str>, &'a str>);
        let cases: &[Case] = &[
            (
                "0001; 0002 <- 0001; 0003 <- 0002; 0004 <- 0003",
                "0003",
                Ok(vec!["0001", "0002", "0003"]),
            ),
            (
                "0001; 0002 <- 0001; 0003 <- 0002",
                "0003",
                Ok(vec!["0001", "0002", "0003"]),
            ),
            (
                // A diamond closed before UPTO is fine.
                "0001; 0002a <- 0001; 0002b <- 0001; 0003m <- 0002a 0002b; 0004 <- 0003m",
                "0003m",
                Ok(vec!["0001", "0002a", "0002b", "0003m"]),
            ),
            (
                "0001; 0002a <- 0001; 0002b <- 0001",
                "0002a",
                Err("0002b does not descend from 0002a"),
            ),
            (
                // Branches off inside the range and joins after it.
                "0001; 0002 <- 0001; 0002x <- 0001; 0003 <- 0002; 0004 <- 0003 0002x",
                "0003",
                Err("0002x does not descend from 0003"),
            ),
            (
                // A repeatable hanging off the range stays out of it.
                "0001; 0002 <- 0001; 0002v <- 0001 R; 0003 <- 0002",
                "0002",
                Ok(vec!["0001", "0002"]),
            ),
            (
                "0001; 0002v <- 0001 R; 0003 <- 0002v",
                "0003",
                Err("descends from the repeatable revision 0002v"),
            ),
            ("0001; 0002v <- 0001 R", "0002v", Err("0002v is repeatable")),
            ("0001; 0002 <- 0001", "0001", Err("nothing before it")),
            (
                // A squash of a squash replaces the earlier one as one.
                "0001; 0002 <- 0001; 0003s S=0001,0002; 0004 <- 0002; 0005 <- 0004",
                "0004",
                Ok(vec!["0003s", "0004"]),
            ),
            (
                "0003s S=0001,0002; 0004 <- 0003s; 0005 <- 0004",
                "0004",
                Ok(vec!["0003s", "0004"]),
            ),
        ];
        for (text, upto, expected) in cases {
            let g = folder(text);
            let got = choose(&g, g.index_of(upto).unwrap())
                .map(|s| ids(&g, &s.members))
                .map_err(|e| e.to_string());
            match (got, expected) {
                (Ok(members), Ok(want)) => assert_eq!(members, *want, "{text}"),
                (Err(message), Err(want)) => assert!(message.contains(want), "{text}: {message}"),
                (got, want) => panic!("{text}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn the_squash_says_what_its_members_say_about_placeholders() {
        // (each member's header and whether its SQL has `${`, expected)
        type Case = (&'static [(Option<bool>, bool)], Result<Option<bool>, ()>);
        let cases: &[Case] = &[
            (&[(None, false), (None, true)], Ok(None)),
            (&[(Some(true), true), (Some(true), false)], Ok(Some(true))),
            (&[(Some(true), true), (None, false)], Ok(Some(true))),
            (&[(Some(false), true), (None, false)], Ok(Some(false))),
            (&[(Some(true), false), (None, false)], Ok(None)),
            (&[(Some(true), true), (None, true)], Err(())),
            (&[(Some(true), true), (Some(false), true)], Err(())),
        ];
        for (members, expected) in cases {
            let mut list = revisions("0001; 0002 <- 0001");
            for (revision, (said, names)) in list.iter_mut().zip(*members) {
                revision.placeholders = *said;
                revision.up.sql = if *names {
                    "SELECT '${X}';"
                } else {
                    "SELECT 1;"
                }
                .into();
            }
            let g = RevisionGraph::new(list).unwrap();
            let got = choose(&g, 1).map(|s| s.placeholders).map_err(|_| ());
            assert_eq!(got, *expected, "{members:?}");
        }
    }

    #[test]
    fn choose_lists_untransactional_members() {
        let mut list = revisions("0001; 0002 <- 0001; 0003 <- 0002");
        list[1].transactional = false;
        let g = RevisionGraph::new(list).unwrap();
        let squash = choose(&g, 2).unwrap();
        assert_eq!(ids(&g, &squash.untransactional), ["0002"]);
    }

    #[test]
    fn a_squash_follows_its_members_and_their_children_follow_it() {
        let cases: &[(&str, &[&str], &[&str])] = &[
            // (folder, heads, order)
            (
                "0001; 0002 <- 0001; 0003 <- 0002; 0009s S=0001,0002,0003; 0010 <- 0003",
                &["0010"],
                &["0001", "0002", "0003", "0009s", "0010"],
            ),
            (
                // The members deleted: the squash is a root.
                "0009s S=0001,0002,0003; 0010 <- 0003",
                &["0010"],
                &["0009s", "0010"],
            ),
            (
                // Some deleted: the first one left is a root.
                "0002 <- 0001; 0003 <- 0002; 0009s S=0001,0002,0003; 0010 <- 0003",
                &["0010"],
                &["0002", "0003", "0009s", "0010"],
            ),
            (
                // Everything squashed: the squash is the head.
                "0001; 0002 <- 0001; 0009s S=0001,0002",
                &["0009s"],
                &["0001", "0002", "0009s"],
            ),
            (
                // A repeatable on a member follows the squash.
                "0001; 0002 <- 0001; 0002v <- 0001 R; 0009s S=0001,0002; 0010 <- 0002",
                &["0010"],
                &["0001", "0002", "0009s", "0002v", "0010"],
            ),
        ];
        for (text, heads, order) in cases {
            let g = folder(text);
            assert_eq!(ids(&g, &g.heads()), *heads, "heads of {text}");
            let all: Vec<usize> = (0..g.len()).collect();
            assert_eq!(ids(&g, &all), *order, "order of {text}");
            assert!(g.merge_points().is_empty(), "{text}");
            assert!(g.branch_points().len() <= 1, "{text}");
            let squash = g.squashes()[0];
            assert_eq!(g.squash_replacing("0001"), Some(squash), "{text}");
        }
    }

    #[test]
    fn an_id_replaced_twice_or_a_replaced_repeatable_is_a_problem() {
        for (text, message) in [
            (
                "0001; 0002 <- 0001; 0003s S=0001,0002; 0004s S=0002",
                "`0002` is replaced by two squashes: 0003s and 0004s",
            ),
            (
                "0001; 0002 <- 0001 R; 0003s S=0001,0002",
                "0003s replaces the repeatable revision `0002`",
            ),
        ] {
            let problems = RevisionGraph::new(folder_revisions(text)).expect_err(text);
            let message_found = problems.iter().any(|p| p.message.contains(message));
            assert!(message_found, "{text}");
        }
    }

    #[test]
    fn states() {
        let g = folder("0001; 0002 <- 0001; 0003 <- 0002; 0009s S=0000,0001,0002,0003");
        let squash = g.index_of("0009s").unwrap();
        let set = |ids: &[&'static str]| ids.iter().copied().collect::<HashSet<&str>>();
        let cases: &[(&[&str], SquashState, bool)] = &[
            (&["0009s"], SquashState::Recorded, true),
            (&[], SquashState::Fresh, true),
            (
                &["0000", "0001", "0002", "0003"],
                SquashState::Complete,
                true,
            ),
            (
                &["0000", "0001"],
                SquashState::Started {
                    remaining: vec!["0002".into(), "0003".into()],
                    missing: vec![],
                },
                false,
            ),
            (
                &["0001"],
                SquashState::Started {
                    remaining: vec!["0000".into(), "0002".into(), "0003".into()],
                    missing: vec!["0000".into()],
                },
                false,
            ),
        ];
        for (applied, expected, deletable) in cases {
            assert_eq!(state(&g, squash, &set(applied)), *expected, "{applied:?}");
            assert_eq!(
                members_deletable(&g, squash, &set(applied)),
                *deletable,
                "{applied:?}"
            );
        }
    }
}
