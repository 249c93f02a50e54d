//! `migrator merge [-m MSG] [ID…] [--check]`: a no-op revision that joins
//! heads, after a look at what the branches did.

use migrator::Error;
use migrator::graph::RevisionGraph;
use migrator::graph::overlap::{self, Branch, Overlap};
use migrator::source::{self, file_name, header};

use crate::cli::{Context, Output};

pub fn run(
    context: &Context<'_>,
    message: Option<&str>,
    names: &[String],
    check: bool,
) -> Result<i32, Error> {
    let project = context.project()?;
    let graph = &project.graph;
    let parents = choose_heads(graph, names)?;
    let branches: Vec<Branch> = graph
        .branches_since_shared(&parents)
        .into_iter()
        .zip(&parents)
        .map(|(revisions, &head)| Branch {
            head: graph.at(head).id.clone(),
            revisions: revisions.iter().map(|&i| graph.at(i)).collect(),
        })
        .collect();
    let overlaps = overlap::overlaps(&branches);
    let output = context.output;
    if check {
        report(output, graph, &parents, &branches, &overlaps);
        return Ok(if overlaps.is_empty() { 0 } else { 1 });
    }

    let message = message.unwrap_or("merge heads");
    let number = file_name::next_number(graph.revisions().iter().map(|r| &r.number));
    let id = file_name::format_id(&number, &file_name::slugify(message));
    let parent_ids: Vec<&str> = parents.iter().map(|&i| graph.at(i).id.as_str()).collect();
    let up = header::render(
        &parent_ids,
        Some(message),
        &migrator::source::clock::now_utc(),
        true,
    );
    let down = String::new();
    let dir = &context.settings.dir;
    let (up_path, down_path) =
        source::write_revision(dir, &id, &up, &down).map_err(|e| Error::io(dir.join(&id), e))?;

    if output.is_json() {
        output.json(&serde_json::json!({
            "id": id,
            "parents": parent_ids,
            "up_file": up_path,
            "down_file": down_path,
            "overlaps": overlaps,
        }));
        return Ok(0);
    }
    for overlap in &overlaps {
        output.warn(format!(
            "{} is touched by more than one branch:",
            overlap.object
        ));
        for line in touch_lines(overlap) {
            output.note(format!("  {line}"));
        }
    }
    if !overlaps.is_empty() {
        output.note(
            "  databases that applied one branch first run the other after it: \
             check that these revisions still work in either order",
        );
    }
    output.line(format!(
        "created {} joining {}",
        up_path.display(),
        parent_ids.join(", ")
    ));
    output.line(format!("created {}", down_path.display()));
    output.note(
        "next: commit both files, then `migrator upgrade` applies whatever each database lacks",
    );
    Ok(0)
}

/// `merge --check`: each branch's revisions and what they do, then the
/// overlaps.
fn report(
    output: &Output,
    graph: &RevisionGraph,
    heads: &[usize],
    branches: &[Branch<'_>],
    overlaps: &[Overlap],
) {
    if output.is_json() {
        let branches: Vec<_> = branches
            .iter()
            .map(|b| {
                let revisions: Vec<_> = b
                    .revisions
                    .iter()
                    .map(|r| serde_json::json!({ "id": r.id, "effects": overlap::effects(&r.up.sql) }))
                    .collect();
                serde_json::json!({ "head": b.head, "revisions": revisions })
            })
            .collect();
        let bases: Vec<&str> = graph
            .merge_bases(heads)
            .iter()
            .map(|&i| graph.at(i).id.as_str())
            .collect();
        output.json(&serde_json::json!({
            "merge_bases": bases,
            "branches": branches,
            "overlaps": overlaps,
        }));
        return;
    }
    let bases = graph.ids_joined(&graph.merge_bases(heads));
    output.line(format!(
        "{} heads, {}",
        heads.len(),
        if bases.is_empty() {
            "with no shared revision".to_string()
        } else {
            format!("branched after {bases}")
        }
    ));
    for branch in branches {
        output.line(String::new());
        output.line(format!(
            "branch {}: {} revision{}",
            branch.head,
            branch.revisions.len(),
            if branch.revisions.len() == 1 { "" } else { "s" }
        ));
        for revision in &branch.revisions {
            let effects = overlap::effects(&revision.up.sql);
            if effects.is_empty() {
                output.line(format!("  {}  (no DDL)", revision.id));
            }
            for effect in effects {
                output.line(format!(
                    "  {}  {}:{}  {} {}",
                    revision.id,
                    revision.up.path.display(),
                    effect.line,
                    effect.verb,
                    effect.object
                ));
            }
        }
    }
    output.line(String::new());
    if overlaps.is_empty() {
        output.line("no object is touched by more than one branch");
        return;
    }
    for overlap in overlaps {
        output.line(format!("overlap: {}", overlap.object));
        for line in touch_lines(overlap) {
            output.line(format!("  {line}"));
        }
    }
    output.line(format!(
        "{} object{} touched by more than one branch: review those revisions together",
        overlaps.len(),
        if overlaps.len() == 1 { "" } else { "s" }
    ));
}

/// `REVISION  FILE:LINE  VERB`, columns aligned.
fn touch_lines(overlap: &Overlap) -> Vec<String> {
    let places: Vec<(String, String)> = overlap
        .touches
        .iter()
        .map(|(_, t)| {
            (
                t.revision.clone(),
                format!("{}:{}", t.path.display(), t.line),
            )
        })
        .collect();
    let w1 = places.iter().map(|p| p.0.len()).max().unwrap_or(0);
    let w2 = places.iter().map(|p| p.1.len()).max().unwrap_or(0);
    overlap
        .touches
        .iter()
        .zip(places)
        .map(|((_, t), (revision, place))| format!("{revision:w1$}  {place:w2$}  {}", t.verb))
        .collect()
}

/// The heads to join: the named ones (each must be a head), or all.
fn choose_heads(graph: &RevisionGraph, names: &[String]) -> Result<Vec<usize>, Error> {
    let heads = graph.heads();
    let chosen = if names.is_empty() {
        heads.clone()
    } else {
        let mut chosen = Vec::with_capacity(names.len());
        for name in names {
            let index = graph.resolve(name)?;
            let children = graph.children_of(index);
            if !children.is_empty() {
                let children: Vec<&str> =
                    children.iter().map(|&c| graph.at(c).id.as_str()).collect();
                return Err(Error::refused(
                    format!(
                        "{} is not a head: {} {} on it",
                        graph.at(index).id,
                        children.join(", "),
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
