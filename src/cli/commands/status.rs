//! `migrator status`: the database against the folder.

use colored::Colorize;
use migrator::Error;
use migrator::engine::{self, DatabaseState};

use crate::cli::{Access, Context};

pub fn run(context: &Context<'_>, check: bool) -> Result<i32, Error> {
    let project = context.project()?;
    let graph = &project.graph;
    let url = context.url()?;
    let (state, running) = match context.database(Access::Read)? {
        Some(mut db) => {
            let state = engine::read_state(&project, db.as_mut())?;
            (state, db.run_in_progress()?)
        }
        None => (
            DatabaseState {
                initialized: false,
                applied: Vec::new(),
                comparison: migrator::drift::compare(graph, &[]),
            },
            None,
        ),
    };
    let comparison = &state.comparison;
    let problem = !comparison.pending.is_empty() || !comparison.is_clean();

    let output = context.output;
    if output.is_json() {
        let ids = |indices: &[usize]| {
            indices
                .iter()
                .map(|&i| graph.at(i).id.clone())
                .collect::<Vec<_>>()
        };
        output.json(&serde_json::json!({
            "database": url.redacted(),
            "applied": ids(&comparison.applied),
            "pending": ids(&comparison.pending),
            "drifted": comparison.drifted,
            "down_drifted": comparison.down_drifted,
            "missing": comparison.missing,
            // The holder ("pid N (user@host)", empty when unknown), or null.
            "run_in_progress": running,
        }));
    } else {
        output.line(format!("database: {}", url.redacted()));
        output.line(format!("folder:   {}", project.dir.display()));
        output.line(format!(
            "applied:  {} of {}",
            comparison.applied.len(),
            graph.len()
        ));
        output.line(format!("pending:  {}", comparison.pending.len()));
        for &index in &comparison.pending {
            output.line(format!(
                "  {} {}  {}",
                "pending".yellow(),
                graph.at(index).id,
                graph.at(index).message_or_empty()
            ));
        }
        for drift in &comparison.drifted {
            output.line(format!(
                "  {} {}  {} changed since applied",
                "drifted".red(),
                drift.revision,
                drift.path.display()
            ));
        }
        for drift in &comparison.down_drifted {
            output.line(format!(
                "  {} {}  {} changed since applied (down file: a warning)",
                "changed".yellow(),
                drift.revision,
                drift.path.display()
            ));
        }
        for id in &comparison.missing {
            output.line(format!(
                "  {} {id}  applied, but not in the folder",
                "missing".red()
            ));
        }
        if !problem {
            output.line("up to date".green().to_string());
        }
        match running.as_deref() {
            Some("") => output.line("a run is in progress"),
            Some(holder) => output.line(format!("a run is in progress: {holder}")),
            None => {}
        }
    }
    Ok(if check && problem { 1 } else { 0 })
}
