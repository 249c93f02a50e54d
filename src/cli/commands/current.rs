//! `migrator current`: the database's applied heads.

use migrator::Error;
use migrator::engine;

use super::short_line;
use crate::cli::{Access, Context};

pub fn run(context: &Context<'_>) -> Result<i32, Error> {
    let project = context.project()?;
    let graph = &project.graph;
    let state = match context.database(Access::Read)? {
        Some(mut db) => Some(engine::read_state(&project, db.as_mut())?),
        None => None,
    };
    let applied: Vec<&str> = state
        .iter()
        .flat_map(|s| s.applied.iter().map(|r| r.id.as_str()))
        .collect();
    let mut is_applied = vec![false; graph.len()];
    for id in &applied {
        if let Some(index) = graph.index_of(id) {
            is_applied[index] = true;
        }
    }
    let heads = graph.applied_heads(&is_applied);
    let missing = state
        .as_ref()
        .map(|s| s.comparison.missing.clone())
        .unwrap_or_default();

    let output = context.output;
    if output.is_json() {
        let heads: Vec<_> = heads
            .iter()
            .map(|&i| serde_json::json!({ "id": graph.at(i).id, "message": graph.at(i).message, "head": graph.children_of(i).is_empty() }))
            .collect();
        output.json(&serde_json::json!({ "current": heads, "missing": missing }));
        return Ok(0);
    }
    if heads.is_empty() && missing.is_empty() {
        output.line("<base> (nothing applied)");
    }
    for &index in &heads {
        output.line(short_line(graph, index));
    }
    for id in &missing {
        output.line(format!(
            "{id} (applied, missing from {})",
            project.dir.display()
        ));
    }
    let pending = is_applied.iter().filter(|&&a| !a).count();
    if heads.len() > 1 {
        output.note(format!(
            "{} applied heads: the database runs {} branches that are not merged in it yet",
            heads.len(),
            heads.len()
        ));
    }
    if pending > 0 {
        let graph_heads = graph.heads().len();
        output.note(format!(
            "{pending} revision{} pending; {}",
            if pending == 1 { "" } else { "s" },
            if graph_heads > 1 {
                "the folder has several heads: `migrator merge`, then `migrator upgrade`"
            } else {
                "`migrator upgrade` applies them"
            }
        ));
    }
    Ok(0)
}
