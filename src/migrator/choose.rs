//! The choices `new` and `merge` make on the graph: a new revision's
//! parents, the heads a merge joins. Pure.

use crate::error::Error;
use crate::graph::RevisionGraph;

/// The `--parent`s as full ids (each once), or the single head; nothing
/// in an empty folder. Several heads and no parent given is refused.
pub fn choose_parents(graph: &RevisionGraph, names: &[String]) -> Result<Vec<String>, Error> {
    if !names.is_empty() {
        let mut parents: Vec<String> = Vec::with_capacity(names.len());
        for name in names {
            let id = graph.at(graph.resolve(name)?).id.clone();
            if !parents.contains(&id) {
                parents.push(id);
            }
        }
        return Ok(parents);
    }
    match graph.heads().as_slice() {
        [] => Ok(Vec::new()),
        [head] => Ok(vec![graph.at(*head).id.clone()]),
        heads => {
            let listed: Vec<(String, String)> = heads
                .iter()
                .map(|&i| {
                    (
                        graph.at(i).id.clone(),
                        graph.at(i).message_or_empty().to_string(),
                    )
                })
                .collect();
            Err(Error::refused(
                format!(
                    "there are {} heads, so the new revision's parent is ambiguous",
                    heads.len()
                ),
                Some(
                    "join the heads first with `migrator merge`, or name the parent with --parent ID"
                        .to_string(),
                ),
            )
            .with_details(crate::error::head_list(&listed)))
        }
    }
}

/// The heads to join: the named ones (each must be a head, each counted
/// once), or all of them; at least two.
pub fn choose_heads(graph: &RevisionGraph, names: &[String]) -> Result<Vec<usize>, Error> {
    let heads = graph.heads();
    let chosen = if names.is_empty() {
        heads.clone()
    } else {
        let mut chosen = Vec::with_capacity(names.len());
        for name in names {
            let index = graph.resolve(name)?;
            let children = graph.children_of(index);
            if !children.is_empty() {
                return Err(Error::refused(
                    format!(
                        "{} is not a head: {} {} on it",
                        graph.at(index).id,
                        graph.ids_joined(children),
                        if children.len() == 1 {
                            "builds"
                        } else {
                            "build"
                        }
                    ),
                    Some(format!(
                        "merge joins heads; the heads are {}",
                        graph.ids_joined(&heads)
                    )),
                ));
            }
            if !chosen.contains(&index) {
                chosen.push(index);
            }
        }
        chosen
    };
    if chosen.len() < 2 {
        let said = if names.is_empty() {
            match heads.len() {
                0 => "there are no revisions".to_string(),
                _ => format!("there is one head, {}", graph.ids_joined(&heads)),
            }
        } else {
            format!("only one head given, {}", graph.ids_joined(&chosen))
        };
        return Err(Error::refused(
            format!("nothing to merge: {said}"),
            Some(if heads.len() < 2 {
                "there is only one head, so the history is already a single line".to_string()
            } else {
                format!(
                    "name two or more of the heads: {}",
                    graph.ids_joined(&heads)
                )
            }),
        ));
    }
    Ok(chosen)
}
