//! `migrator merge [-m MSG] [ID…]`: a no-op revision that joins heads.

use migrator::Error;
use migrator::graph::RevisionGraph;
use migrator::source::{self, file_name, header};

use crate::cli::Context;

pub fn run(context: &Context<'_>, message: Option<&str>, names: &[String]) -> Result<i32, Error> {
    let project = context.project()?;
    let graph = &project.graph;
    let parents = choose_heads(graph, names)?;

    let message = message.unwrap_or("merge heads");
    let number = graph
        .revisions()
        .iter()
        .map(|r| r.number)
        .max()
        .unwrap_or(0)
        + 1;
    let id = file_name::format_id(number, &file_name::slugify(message));
    let parent_ids: Vec<&str> = parents.iter().map(|&i| graph.at(i).id.as_str()).collect();
    let up = header::render(
        &parent_ids,
        Some(message),
        &migrator::clock::now_utc(),
        true,
    );
    let down = String::new();
    let dir = &context.settings.dir;
    let (up_path, down_path) =
        source::write_revision(dir, &id, &up, &down).map_err(|e| Error::io(dir.join(&id), e))?;

    let output = context.output;
    if output.is_json() {
        output.json(&serde_json::json!({ "id": id, "parents": parent_ids, "up_file": up_path, "down_file": down_path }));
    } else {
        output.line(format!(
            "created {} joining {}",
            up_path.display(),
            parent_ids.join(", ")
        ));
        output.line(format!("created {}", down_path.display()));
        output.note(
            "next: commit both files, then `migrator upgrade` applies whatever each database lacks",
        );
    }
    Ok(0)
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
                        ids(graph, &heads)
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
        return Err(Error::refused(
            format!(
                "nothing to merge: {} head{} given",
                chosen.len(),
                if chosen.len() == 1 { "" } else { "s" }
            ),
            Some(if heads.len() < 2 {
                "there is only one head, so the history is already a single line".to_string()
            } else {
                format!("name two or more of the heads: {}", ids(graph, &heads))
            }),
        ));
    }
    Ok(chosen)
}

fn ids(graph: &RevisionGraph, indices: &[usize]) -> String {
    indices
        .iter()
        .map(|&i| graph.at(i).id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
