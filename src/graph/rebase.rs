//! `rebase`: replays a branch on top of another head, as a plan of file
//! renames and `Parents` rewrites. Pure: [`plan`] reads the graph,
//! [`rewrite_parents`] edits one file's text; [`crate::Migrator::rebase`]
//! checks the database and [`crate::source::replace_files`] does the I/O.

use std::path::{Path, PathBuf};

use crate::graph::RevisionGraph;
use crate::source::file_name::{self, Direction};

/// One revision moved by a rebase: its new id, files and parents.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Move {
    pub old_id: String,
    pub new_id: String,
    pub old_up: PathBuf,
    pub new_up: PathBuf,
    pub old_down: PathBuf,
    pub new_down: PathBuf,
    /// The parents the new up file names.
    pub parents: Vec<String>,
    /// The 1-based line of `Parents` in the up file.
    #[serde(skip)]
    pub parents_line: usize,
}

/// Why a branch cannot be rebased, and what to do instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub message: String,
    pub hint: String,
}

fn refuse(message: String, hint: impl Into<String>) -> Refusal {
    Refusal {
        message,
        hint: hint.into(),
    }
}

/// Plans moving revision `start` and every revision that descends from it
/// onto head `onto`: `start`'s parents become `[onto]`, the moved revisions
/// are renumbered in order after the highest number of the folder (slugs
/// kept), and their children's `Parents` follow the new ids.
///
/// Refuses when `onto` is not a head, when `start` is `onto` or one of its
/// ancestors (already below it), when `start` is a merge revision, and when
/// a moved revision also has a parent outside the moved set (a merge that
/// ties the branch to another one).
pub fn plan(graph: &RevisionGraph, start: usize, onto: usize) -> Result<Vec<Move>, Refusal> {
    let id = |i: usize| graph.at(i).id.as_str();
    if !graph.children_of(onto).is_empty() {
        let children: Vec<&str> = graph.children_of(onto).iter().map(|&c| id(c)).collect();
        return Err(refuse(
            format!(
                "{} is not a head: {} {} on it",
                id(onto),
                children.join(", "),
                if children.len() == 1 {
                    "builds"
                } else {
                    "build"
                }
            ),
            format!("rebase onto a head: {}", graph.ids_joined(&graph.heads())),
        ));
    }
    if graph.ancestors(&[onto])[start] {
        return Err(refuse(
            format!(
                "{} is already part of {}'s history: there is nothing to move",
                id(start),
                id(onto)
            ),
            "name the first revision of the branch that is not below the head you rebase onto",
        ));
    }
    if graph.parents_of(start).len() > 1 {
        return Err(refuse(
            format!(
                "{} is a merge revision ({}): rebasing it would drop a parent",
                id(start),
                graph.ids_joined(graph.parents_of(start))
            ),
            "rebase the branches it joins instead, or keep the merge",
        ));
    }
    let moved = graph.descendants(&[start]);
    let members: Vec<usize> = (0..graph.len()).filter(|&i| moved[i]).collect();
    for &i in &members {
        if let Some(&outside) = graph
            .parents_of(i)
            .iter()
            .find(|&&p| i != start && !moved[p])
        {
            return Err(refuse(
                format!(
                    "{} builds on {} too, which is not on the branch of {}: the branch is merged with another one",
                    id(i),
                    id(outside),
                    id(start)
                ),
                "rebase moves a branch that has not been merged yet; keep the history as it is",
            ));
        }
    }

    let mut number = file_name::next_number(graph.revisions().iter().map(|r| &r.number));
    let mut new_ids = std::collections::HashMap::with_capacity(members.len());
    for &i in &members {
        let slug = id(i).split_once('_').map_or("revision", |(_, slug)| slug);
        new_ids.insert(i, file_name::format_id(&number, slug));
        number = number.successor();
    }
    Ok(members
        .iter()
        .map(|&i| {
            let revision = graph.at(i);
            let new_id = new_ids[&i].clone();
            let parents = if i == start {
                vec![id(onto).to_string()]
            } else {
                graph
                    .parents_of(i)
                    .iter()
                    .map(|p| new_ids[p].clone())
                    .collect()
            };
            Move {
                old_id: revision.id.clone(),
                new_up: beside(&revision.up.path, &new_id, Direction::Up),
                new_down: beside(&revision.down.path, &new_id, Direction::Down),
                old_up: revision.up.path.clone(),
                old_down: revision.down.path.clone(),
                new_id,
                parents,
                parents_line: revision.parents_line,
            }
        })
        .collect())
}

/// The file of revision `id` in the folder of `path`.
fn beside(path: &Path, id: &str, direction: Direction) -> PathBuf {
    path.with_file_name(format!("{id}{}", direction.suffix()))
}

/// The up file's text with line `line` (1-based, the `Parents` header)
/// naming `parents`; everything else, line ends included, stays as it
/// was. `None` when that line is not a `Parents` header.
pub fn rewrite_parents(text: &str, line: usize, parents: &[String]) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 32);
    let mut found = false;
    for (n, original) in text.split_inclusive('\n').enumerate() {
        if n + 1 != line {
            out.push_str(original);
            continue;
        }
        let body = original.trim_end_matches(['\n', '\r']);
        let ending = &original[body.len()..];
        let bom = if body.starts_with('\u{feff}') {
            "\u{feff}"
        } else {
            ""
        };
        let (key, _) = body[bom.len()..].split_once(':')?;
        let key_ok = key
            .trim_start_matches('-')
            .trim()
            .eq_ignore_ascii_case("parents")
            && key.trim_start().starts_with("--");
        if !key_ok {
            return None;
        }
        out.push_str(bom);
        out.push_str(key);
        out.push(':');
        if !parents.is_empty() {
            out.push(' ');
            out.push_str(&parents.join(", "));
        }
        out.push_str(ending);
        found = true;
    }
    found.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::tests::graph;

    /// `old -> new (parents)` per move, or the refusal's message.
    fn planned(text: &str, start: &str, onto: &str) -> Result<Vec<String>, String> {
        let g = graph(text);
        let at = |id: &str| g.index_of(id).unwrap();
        plan(&g, at(start), at(onto))
            .map(|moves| {
                moves
                    .iter()
                    .map(|m| format!("{} -> {} ({})", m.old_id, m.new_id, m.parents.join(" ")))
                    .collect()
            })
            .map_err(|r| r.message)
    }

    #[test]
    fn plans_renames_and_parents() {
        let two = "0001_a; 0002_email <- 0001_a; 0002_orders <- 0001_a";
        let long = "0001_a; 0002_b <- 0001_a; 0003_c <- 0002_b; 0004_d <- 0003_c; 0002_x <- 0001_a; 0003_y <- 0002_x";
        /// Graph, branch start, head to rebase onto, moves or refusal.
        type Case<'a> = (&'a str, &'a str, &'a str, Result<Vec<&'a str>, &'a str>);
        let cases: [Case; 9] = [
            (
                two,
                "0002_email",
                "0002_orders",
                Ok(vec!["0002_email -> 0003_email (0002_orders)"]),
            ),
            (
                // Past u64 and as wide as the widest id.
                "0001_a; 99999999999999999999_t <- 0001_a; 0002_x <- 0001_a; 0003_y <- 0002_x",
                "0002_x",
                "99999999999999999999_t",
                Ok(vec![
                    "0002_x -> 100000000000000000000_x (99999999999999999999_t)",
                    "0003_y -> 100000000000000000001_y (100000000000000000000_x)",
                ]),
            ),
            (
                long,
                "0002_x",
                "0004_d",
                Ok(vec![
                    "0002_x -> 0005_x (0004_d)",
                    "0003_y -> 0006_y (0005_x)",
                ]),
            ),
            (
                // From the middle of a branch: its start stays where it is.
                long,
                "0003_c",
                "0003_y",
                Ok(vec![
                    "0003_c -> 0005_c (0003_y)",
                    "0004_d -> 0006_d (0005_c)",
                ]),
            ),
            (
                // A branch that forks and joins inside itself moves whole.
                "0001; 0002_s <- 0001; 0003_p <- 0002_s; 0003_q <- 0002_s; 0004_m <- 0003_p 0003_q; 0002_o <- 0001",
                "0002_s",
                "0002_o",
                Ok(vec![
                    "0002_s -> 0005_s (0002_o)",
                    "0003_p -> 0006_p (0005_s)",
                    "0003_q -> 0007_q (0005_s)",
                    "0004_m -> 0008_m (0006_p 0007_q)",
                ]),
            ),
            (
                two,
                "0001_a",
                "0002_orders",
                Err("0001_a is already part of 0002_orders's history"),
            ),
            (
                two,
                "0002_email",
                "0001_a",
                Err("0001_a is not a head: 0002_email, 0002_orders build on it"),
            ),
            (
                "0001_a; 0002_b <- 0001_a; 0002_c <- 0001_a; 0003_m <- 0002_b 0002_c; 0002_d <- 0001_a",
                "0002_b",
                "0002_d",
                Err("0003_m builds on 0002_c too, which is not on the branch of 0002_b"),
            ),
            (
                "0001_a; 0001_b; 0002_m <- 0001_a 0001_b; 0001_c",
                "0002_m",
                "0001_c",
                Err("0002_m is a merge revision (0001_a, 0001_b)"),
            ),
        ];
        for (text, start, onto, expected) in cases {
            let got = planned(text, start, onto);
            match expected {
                Ok(lines) => assert_eq!(
                    got,
                    Ok(lines.iter().map(|s| s.to_string()).collect()),
                    "{start} onto {onto}"
                ),
                Err(message) => {
                    let err = got.expect_err(start);
                    assert!(err.starts_with(message), "{start} onto {onto}: {err}");
                }
            }
        }
    }

    #[test]
    fn rewrites_only_the_parents_line() {
        let new = vec!["0004_x".to_string(), "0005_y".to_string()];
        let cases: [(&str, usize, &[String], Option<&str>); 6] = [
            (
                "-- Parents: 0001\n-- Message: m\n\nSELECT 1;\n",
                1,
                &new,
                Some("-- Parents: 0004_x, 0005_y\n-- Message: m\n\nSELECT 1;\n"),
            ),
            (
                "\u{feff}--  parents:0001\r\n-- Message: m\r\nSELECT 1;",
                1,
                &new[..1],
                Some("\u{feff}--  parents: 0004_x\r\n-- Message: m\r\nSELECT 1;"),
            ),
            (
                "-- Message: m\n-- Parents: 0001\nSELECT 1; -- Parents: 0001",
                2,
                &new[..1],
                Some("-- Message: m\n-- Parents: 0004_x\nSELECT 1; -- Parents: 0001"),
            ),
            ("-- Parents: 0001", 1, &[], Some("-- Parents:")),
            ("-- Message: m\n-- Parents: 0001\n", 1, &new, None),
            ("-- Parents: 0001\n", 3, &new, None),
        ];
        for (text, line, parents, expected) in cases {
            assert_eq!(
                rewrite_parents(text, line, parents).as_deref(),
                expected,
                "{text:?}"
            );
        }
    }
}
