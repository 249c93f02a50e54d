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
            let bases = graph.merge_bases(&heads);
            let since = if bases.is_empty() {
                "they share no revision".to_string()
            } else {
                format!(
                    "they branched after {}",
                    bases
                        .iter()
                        .map(|&b| graph.at(b).id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            output.note(format!(
                "{} heads ({since}): join them with `migrator merge`; \
                 `migrator merge --check` shows what each branch changed",
                heads.len()
            ));
        }
    }
    Ok(0)
}
