//! `migrator branches`: the branch points and their children.

use migrator::Error;

use super::short_line;
use crate::cli::Context;

pub fn run(context: &Context<'_>) -> Result<i32, Error> {
    let project = context.project()?;
    let graph = &project.graph;
    let points = graph.branch_points();
    let output = context.output;
    if output.is_json() {
        let points: Vec<_> = points
            .iter()
            .map(|&i| {
                let children: Vec<&str> = graph.children_of(i).iter().map(|&c| graph.at(c).id.as_str()).collect();
                serde_json::json!({ "id": graph.at(i).id, "message": graph.at(i).message, "children": children })
            })
            .collect();
        output.json(&points);
        return Ok(0);
    }
    for &index in &points {
        output.line(short_line(graph, index));
        for &child in graph.children_of(index) {
            output.line(format!("  -> {}", short_line(graph, child)));
        }
    }
    Ok(0)
}
