//! `migrator new` (alias `revision`): the next `NNNN_slug` pair.

use migrator::graph::RevisionGraph;
use migrator::source::{self, file_name, header};
use migrator::{Error, Project};

use crate::cli::Context;

pub fn run(
    context: &Context<'_>,
    message: &str,
    parent_names: &[String],
    no_transaction: bool,
) -> Result<i32, Error> {
    let dir = &context.settings.dir;
    let graph = if dir.exists() {
        Project::load(dir)?.graph
    } else {
        RevisionGraph::new(Vec::new()).map_err(|problems| Error::Folder {
            dir: dir.clone(),
            problems,
        })?
    };

    let parents = choose_parents(&graph, parent_names)?;
    let number = file_name::next_number(graph.revisions().iter().map(|r| &r.number));
    let id = file_name::format_id(&number, &file_name::slugify(message));
    let parent_refs: Vec<&str> = parents.iter().map(String::as_str).collect();
    let up = format!(
        "{}-- The SQL that applies this revision.\n",
        header::render(
            &parent_refs,
            Some(message),
            &migrator::source::clock::now_utc(),
            !no_transaction
        )
    );
    let down =
        format!("-- Undo what {id}.up.sql does. Leave it empty if there is nothing to undo.\n");
    let (up_path, down_path) =
        source::write_revision(dir, &id, &up, &down).map_err(|e| Error::io(dir.join(&id), e))?;

    let output = context.output;
    if output.is_json() {
        output.json(&serde_json::json!({ "id": id, "parents": parents, "up_file": up_path, "down_file": down_path }));
    } else {
        output.line(format!("created {}", up_path.display()));
        output.line(format!("created {}", down_path.display()));
    }
    Ok(0)
}

/// The `--parent`s as full ids, or the single head.
fn choose_parents(graph: &RevisionGraph, names: &[String]) -> Result<Vec<String>, Error> {
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
            .with_details(migrator::error::head_list(&listed)))
        }
    }
}
