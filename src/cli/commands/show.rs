//! `migrator show ID`: one revision in full, with both files' SQL.

use migrator::Error;
use migrator::engine;

use super::{applied_by_id, markers, revision_json};
use crate::cli::{Access, Context};

pub fn run(context: &Context<'_>, name: &str) -> Result<i32, Error> {
    let project = context.project()?;
    let graph = &project.graph;
    let index = graph.resolve(name)?;
    let revision = graph.at(index);
    let state = match context.database(Access::Read)? {
        Some(mut db) => Some(engine::read_state(&project, db.as_mut())?),
        None => None,
    };
    let applied = state
        .as_ref()
        .map(|s| applied_by_id(&s.applied))
        .unwrap_or_default();
    let record = applied.get(revision.id.as_str()).copied();

    let output = context.output;
    if output.is_json() {
        let mut value = revision_json(graph, index, record);
        value["up_sql"] = revision.up.sql.clone().into();
        value["down_sql"] = revision.down.sql.clone().into();
        output.json(&value);
        return Ok(0);
    }
    let children: Vec<&str> = graph
        .children_of(index)
        .iter()
        .map(|&c| graph.at(c).id.as_str())
        .collect();
    output.line(format!("Rev: {}{}", revision.id, markers(graph, index)));
    output.line(format!(
        "Parents: {}",
        if revision.parents.is_empty() {
            "-".into()
        } else {
            revision.parents.join(", ")
        }
    ));
    output.line(format!(
        "Children: {}",
        if children.is_empty() {
            "-".into()
        } else {
            children.join(", ")
        }
    ));
    output.line(format!(
        "Message: {}",
        revision.message.as_deref().unwrap_or("-")
    ));
    output.line(format!(
        "Created: {}",
        revision.created.as_deref().unwrap_or("-")
    ));
    output.line(format!(
        "Transaction: {}",
        if revision.transactional { "on" } else { "off" }
    ));
    match record {
        Some(record) => {
            let database_user = if record.db_user.is_empty() {
                String::new()
            } else {
                format!(" as database user {}", record.db_user)
            };
            output.line(format!(
                "Applied: {} UTC by {}{database_user} in {}",
                record.applied_at,
                record.os_user,
                crate::cli::output::recorded_ms(record.execution_ms)
            ))
        }
        None if state.is_some() => output.line("Applied: no (pending)"),
        None => {}
    }
    for file in [&revision.up, &revision.down] {
        output.line(format!(
            "\n== {} (blake3 {})",
            file.path.display(),
            file.checksum
        ));
        output.line(file.sql.trim_end());
    }
    Ok(0)
}
