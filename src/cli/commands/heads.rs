//! `migrator heads`: the revisions with no children.

use migrator::Error;

use super::{revision_json, short_line};
use crate::cli::Context;

pub fn run(context: &Context<'_>) -> Result<i32, Error> {
    let project = context.project()?;
    let graph = &project.graph;
    let heads = graph.heads();
    let output = context.output;
    if output.is_json() {
        let heads: Vec<_> = heads
            .iter()
            .map(|&i| revision_json(graph, i, None))
            .collect();
        output.json(&heads);
    } else {
        for &index in &heads {
            output.line(short_line(graph, index));
        }
        if heads.len() > 1 {
            output.note(format!(
                "{} heads: join them with `migrator merge`",
                heads.len()
            ));
        }
    }
    Ok(0)
}
